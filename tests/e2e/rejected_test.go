package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// TestMissingNamespace relates requirers (one of each interface) whose
// model names a namespace that does not exist, so the API server refuses
// their objects. The hook that serves everyone must still serve every other
// requirer; the refused ones get nothing and the status names them. Once the
// namespace exists, the next update-status serves them.
func TestMissingNamespace(t *testing.T) {
	const (
		model   = "e2e-missing-ns"
		good    = "missing-ns-good"
		later   = "missing-ns-later" // created only at the end
		address = "10.0.0.11"
	)
	s := newScenario(t, model, good)
	s.deploy(t, 1)

	// Every requirer asks before Istio has provisioned the gateway; those in
	// the missing namespace are the oldest and the newest relation.
	ghost := s.relate(t, "istio-ingress-route", jujusim.Remote{
		App: "ghost", Units: 1, AppData: httpRouteConfig(later, "ui", "ghost", 8080, "/ghost"),
	})
	neighbours := s.relateNeighbours(t, good)
	ghostWeb := s.relate(t, "ingress", jujusim.Remote{App: "ghost-web", Units: 1, AppData: ingressApp(later, "ghost-web", 8080)})
	rejected := simstate.Status{Status: "blocked", Message: "Rejected by Kubernetes: ghost, ghost-web"}
	assert.Equal(t, rejected, s.status(), "the refusal needs the operator even before the gateway serves")
	assert.Empty(t, s.RelationData(ghost, app))
	assert.Empty(t, s.RelationData(ghostWeb, app))

	// Istio provisions the gateway: one hook serves everyone else.
	s.provision(t, address)
	s.ok(t, s.RunHook(s.leader, "update-status"))
	neighbours.assertServed(t, s, address)
	assert.Empty(t, s.RelationData(ghost, app), "nothing published to the refused requirers")
	assert.Empty(t, s.RelationData(ghostWeb, app), "nothing published to the refused requirers")
	assert.Equal(t, rejected, s.status())
	objs := owned(t, model)
	assert.ElementsMatch(t, neighbours.objects(), inNamespace(keys(objs), good))
	assert.Equal(t, map[string]string{"http-80": "", "http-3200": "", "http-9096": ""},
		listeners(t, objs[objectKey("Gateway", model, app)]), "no listener for the refused requirer")

	t.Run("a quiet hook rewrites nothing while the namespace is missing", func(t *testing.T) {
		before := versions(owned(t, model))
		s.ok(t, s.RunHook(s.leader, "update-status"))
		// The refused requirer is asked about again in a dry run only.
		assert.Equal(t, before, versions(owned(t, model)))
	})

	// The namespace appears: the next update-status serves the requirer.
	require.NoError(t, env.CreateNamespace(t.Context(), later))
	s.ok(t, s.RunHook(s.leader, "update-status"))
	assert.Equal(t, routeServed(address), s.RelationData(ghost, app))
	assert.Equal(t, ingressServed(ingress.URL("http", address, later, "ghost-web")), s.RelationData(ghostWeb, app))
	assert.Equal(t, servingAt(address), s.status())
	objs = owned(t, model)
	route := objs[objectKey("HTTPRoute", later, "ghost-ui-httproute-http-8080"+suffix)]
	require.NotNil(t, route, "its route is in its namespace; have %v", keys(objs))
	assert.Equal(t, []string{"ghost:8080"}, backendPorts(t, route))
	assert.Contains(t, objs, objectKey("HTTPRoute", later, "ghost-web-httproute-http-80"+suffix))
	assert.Contains(t, listeners(t, objs[objectKey("Gateway", model, app)]), "http-8080")
	neighbours.assertServed(t, s, address)
	s.assertNoErrorLogs(t)
}
