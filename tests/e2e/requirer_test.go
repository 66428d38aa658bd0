package e2e

import (
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
	"github.com/canonical/istio-ingress-k8s-go/tests/requirercharm"
	"github.com/canonical/istio-ingress-k8s-go/tests/requirercharm/requirer"
)

// TestGoRequirerCharm relates a Go charm built on relation/ingressroute to
// the packed gateway charm. Both sides run their real hooks and exchange
// data only through the simulated model's databags: the requirer's config
// must reach the API server as routes, and the gateway's answer must reach
// the requirer's status.
func TestGoRequirerCharm(t *testing.T) {
	ctx := t.Context()
	const (
		ns     = "e2e-requirer"
		lbIP   = "10.0.0.3"
		req    = requirercharm.AppName
		leader = req + "/0"
	)
	s := newScenario(t, ns)
	m := s.Model
	s.provision(t, lbIP)

	s.deploy(t, 1)
	s.ok(t, m.Deploy(req, requirercharm.Build(t), 2)...)
	for _, u := range m.Units(req) {
		assert.Equal(t, simstate.Status{Status: "waiting", Message: requirer.MsgNoRelation}, m.UnitStatus(u))
	}

	relID, runs := m.RelateApps(req, requirer.Endpoint, app, ingressroute.EndpointAuthenticated)
	s.ok(t, runs...)

	// The requirer's leader wrote exactly what the library encodes.
	wantConfig, err := requirer.Config(ns, req).Encode()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{ingressroute.KeyConfig: string(wantConfig)}, m.RelationData(relID, req))

	// The gateway turned it into routes in the requirer's namespace.
	httpRoute := requirerRoute(t, resource.KindHTTPRoute, ns)
	assertBackend(t, httpRoute, req, ns, requirer.HTTPListener.Port)
	assert.Equal(t, map[string]any{"type": "PathPrefix", "value": requirer.HTTPPath},
		requirerField(t, httpRoute, "spec", "rules", 0, "matches", 0, "path"))
	assert.Equal(t, app, requirerField(t, httpRoute, "spec", "parentRefs", 0, "name"))
	grpcRoute := requirerRoute(t, resource.KindGRPCRoute, ns)
	assertBackend(t, grpcRoute, req, ns, requirer.GRPCListener.Port)
	assert.Equal(t, requirer.GRPCService, requirerField(t, grpcRoute, "spec", "rules", 0, "matches", 0, "method", "service"))

	// Every requirer unit sees the gateway's answer through its own hook
	// tools, and reports the URL the library builds from it.
	served := ingressroute.Ingress{ExternalHost: lbIP}
	for _, u := range m.Units(req) {
		uc := m.OpenContext(u)
		bag, err := juju.NewClient(uc).RelationGetApp(ctx, juju.RelationID{Endpoint: requirer.Endpoint, ID: relID}, app)
		uc.Close(false)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{ingressroute.KeyExternalHost: lbIP, ingressroute.KeyTLSEnabled: "False"}, bag, u)
		assert.Equal(t, simstate.Status{Status: "active", Message: "Reachable at " + served.ListenerURL(requirer.HTTPListener) + requirer.HTTPPath},
			m.UnitStatus(u))
	}
	assert.Equal(t, "active", m.UnitStatus(app+"/0").Status)

	// A quiet hook on either side changes nothing, so nothing more runs.
	s.ok(t, m.RunHook(leader, "update-status"), m.RunHook(app+"/0", "update-status"))
	assert.Empty(t, m.Settle(), "both sides are quiescent")

	// The load balancer moves: the gateway's next hook publishes the new
	// host, and only that change makes the requirer's units run again.
	const movedIP = "10.0.0.4"
	require.NoError(t, env.SetLoadBalancerIngress(ctx, ns, kubeenv.GatewayWorkloadName(app), movedIP))
	s.ok(t, m.RunHook(app+"/0", "update-status"))
	runs = m.Settle()
	s.ok(t, runs...)
	var reacted []string
	for _, r := range runs {
		reacted = append(reacted, r.Unit+" "+r.Hook)
	}
	assert.Equal(t, []string{
		leader + " " + requirer.Endpoint + "-relation-changed", req + "/1 " + requirer.Endpoint + "-relation-changed",
	}, reacted)
	moved := ingressroute.Ingress{ExternalHost: movedIP}
	for _, u := range m.Units(req) {
		assert.Equal(t, simstate.Status{Status: "active", Message: "Reachable at " + moved.ListenerURL(requirer.HTTPListener) + requirer.HTTPPath},
			m.UnitStatus(u))
	}

	// Unrelate: the routes go and the requirer waits again.
	s.ok(t, m.Unrelate(relID)...)
	assert.Empty(t, requirerRoutes(t, resource.KindHTTPRoute, ns))
	assert.Empty(t, requirerRoutes(t, resource.KindGRPCRoute, ns))
	for _, u := range m.Units(req) {
		assert.Equal(t, simstate.Status{Status: "waiting", Message: requirer.MsgNoRelation}, m.UnitStatus(u))
	}
	assert.Equal(t, "active", m.UnitStatus(app+"/0").Status, "the gateway keeps serving")

	s.assertNoErrorLogs(t)
}

func requirerRoutes(t *testing.T, kind resource.Kind, ns string) []unstructured.Unstructured {
	t.Helper()
	list, err := env.Dynamic().Resource(kind.GroupVersionResource).Namespace(ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	return list.Items
}

// requirerRoute returns the one route of kind in ns.
func requirerRoute(t *testing.T, kind resource.Kind, ns string) *unstructured.Unstructured {
	t.Helper()
	items := requirerRoutes(t, kind, ns)
	require.Len(t, items, 1, "%s objects in %s", kind.Kind, ns)
	return &items[0]
}

// assertBackend checks that route's only rule sends traffic to one Service.
func assertBackend(t *testing.T, route *unstructured.Unstructured, service, ns string, port int) {
	t.Helper()
	backends, ok := requirerField(t, route, "spec", "rules", 0, "backendRefs").([]any)
	require.True(t, ok)
	require.Len(t, backends, 1)
	b, ok := backends[0].(map[string]any)
	require.True(t, ok)
	assert.Equal(t, []any{"Service", service, ns, int64(port)}, []any{b["kind"], b["name"], b["namespace"], b["port"]}, route.GetName())
}

// requirerField walks obj by map keys (string) and list indexes (int).
func requirerField(t *testing.T, obj *unstructured.Unstructured, path ...any) any {
	t.Helper()
	var cur any = obj.Object
	for _, p := range path {
		switch key := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			require.True(t, ok, "%v: %v is not an object", path, p)
			cur = m[key]
		case int:
			l, ok := cur.([]any)
			require.True(t, ok && key < len(l), "%v: no item %d", path, key)
			cur = l[key]
		}
	}
	return cur
}
