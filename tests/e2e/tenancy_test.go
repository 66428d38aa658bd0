package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
)

// TestHostileRequirersStayInTheirNamespaces relates requirers whose bags
// name the cluster's own components (kube-system/kube-dns on port 53,
// istio-system/istiod) and one in the charm's own model that names another
// team's namespace: none is served, nothing is written for them, the
// status names them, and the gateway's listeners admit routes from the
// served namespace only. allowed-namespaces then lets the operator opt a
// namespace in; requirers from another model are kept out of the
// namespaces Juju marks as other models'.
func TestHostileRequirersStayInTheirNamespaces(t *testing.T) {
	const (
		model = "e2e-tenancy"
		apps  = "e2e-tenancy-apps"
		lb    = "10.0.8.1"
	)
	s := newScenario(t, model, apps, "kube-system", "istio-system")
	s.provision(t, lb)
	s.deploy(t, 1)
	n := s.relateNeighbours(t, apps)
	dns := s.relate(t, "ingress", jujusim.Remote{App: "dns-grab", Units: 1, AppData: ingressApp("kube-system", "kube-dns", 53)})
	istiod := s.relate(t, "istio-ingress-route", jujusim.Remote{App: "istiod-grab", Units: 1,
		AppData: httpRouteConfig("istio-system", "xds", "istiod", 15012, "/")})
	liar := s.relate(t, "ingress", jujusim.Remote{App: "liar", Model: model, Units: 1, AppData: ingressApp(apps, "shop", 8080)})

	n.assertServed(t, s, lb)
	for _, rel := range []int{dns, istiod, liar} {
		assert.Empty(t, s.RelationData(rel, app), "nothing published to relation %d", rel)
	}
	st := s.status()
	assert.Equal(t, "blocked", st.Status)
	assert.Contains(t, st.Message, "Namespace not allowed for: dns-grab, istiod-grab, liar")
	objs := owned(t, model)
	assert.Empty(t, inNamespace(keys(objs), "kube-system"))
	assert.Empty(t, inNamespace(keys(objs), "istio-system"))
	assert.ElementsMatch(t, n.objects(), inNamespace(keys(objs), apps), "the liar gets nothing in the namespace it named")
	gw := objs[objectKey("Gateway", model, app)]
	require.NotNil(t, gw)
	for _, l := range nested(t, gw, "spec", "listeners").([]any) {
		assert.Equal(t, map[string]any{"from": "Selector", "selector": map[string]any{"matchExpressions": []any{
			map[string]any{"key": "kubernetes.io/metadata.name", "operator": "In", "values": []any{apps}},
		}}}, l.(map[string]any)["allowedRoutes"].(map[string]any)["namespaces"])
	}

	// The operator opts kube-system in: that requirer is served there, the
	// others stay refused.
	s.ok(t, s.ConfigSet(app, map[string]any{"allowed-namespaces": "kube-system, " + apps})...)
	assert.Equal(t, ingressServed("http://"+lb+"/kube-system-kube-dns"), s.RelationData(dns, app))
	assert.Empty(t, s.RelationData(istiod, app))
	assert.Empty(t, s.RelationData(liar, app))
	assert.Contains(t, s.status().Message, "Namespace not allowed for: istiod-grab, liar")
	objs = owned(t, model)
	assert.NotEmpty(t, inNamespace(keys(objs), "kube-system"))
	assert.Empty(t, inNamespace(keys(objs), "istio-system"))
	n.assertServed(t, s, lb)

	// Juju marks each model's namespace with the model's UUID: a requirer
	// from another model gets neither the apps' namespace nor the charm's.
	require.NoError(t, env.MarkNamespace(t.Context(), apps, map[string]string{gateway.NamespaceModelKey: jujusim.ModelUUID(apps)}, nil))
	require.NoError(t, env.MarkNamespace(t.Context(), model, map[string]string{gateway.NamespaceModelKey: s.Snapshot().UUID}, nil))
	trespasser := s.relate(t, "ingress", jujusim.Remote{App: "trespasser", Model: "elsewhere", Units: 1, AppData: ingressApp(apps, "shop", 8080)})
	squatter := s.relate(t, "istio-ingress-route", jujusim.Remote{App: "squatter", Model: "elsewhere", Units: 1,
		AppData: httpRouteConfig(model, "admin", "gw-admin", 8080, "/admin")})
	assert.Empty(t, s.RelationData(trespasser, app))
	assert.Empty(t, s.RelationData(squatter, app))
	assert.Contains(t, s.status().Message, "Namespace not allowed for: istiod-grab, liar, trespasser, squatter")
	objs = owned(t, model)
	assert.ElementsMatch(t, n.objects(), inNamespace(keys(objs), apps), "nothing written for the trespasser")
	for key := range objs {
		assert.NotContains(t, key, "admin", "nothing written for the squatter")
	}
	n.assertServed(t, s, lb)
	s.assertNoErrorLogs(t)
}
