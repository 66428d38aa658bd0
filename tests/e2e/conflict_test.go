package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// TestIngressRouteConflicts makes an ingress v2 requirer and an
// istio-ingress-route requirer ask for the same path on port 80, where
// ingress v2 apps are served at /<model>-<name>, each in turn being the
// newcomer. The older relation keeps serving with its route untouched; the
// newcomer is refused, what it was served is wiped and the status names it
// and the path.
func TestIngressRouteConflicts(t *testing.T) {
	const (
		model   = "e2e-conflict"
		shop    = "conflict-shop"
		address = "10.0.0.12"
	)
	s := newScenario(t, model, shop)
	s.provision(t, address)
	s.deploy(t, 1)

	// The incumbents: an ingress v2 app and an istio-ingress-route app,
	// both on port 80.
	webPath := ingress.PathPrefix(shop, "web")
	wwwPath := ingress.PathPrefix(shop, "www")
	web := s.relate(t, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: ingressApp(shop, "web", 8080)})
	landing := s.relate(t, "istio-ingress-route", jujusim.Remote{
		App: "landing", Units: 1, AppData: httpRouteConfig(shop, "page", "landing", 80, wwwPath),
	})
	wantWeb := ingressServed(ingress.URL("http", address, shop, "web"))
	require.Equal(t, wantWeb, s.RelationData(web, app))
	require.Equal(t, routeServed(address), s.RelationData(landing, app))
	require.Equal(t, servingAt(address), s.status())
	incumbents := versions(owned(t, model))
	require.Contains(t, incumbents, objectKey("HTTPRoute", shop, "web-httproute-http-80"+suffix))
	require.Contains(t, incumbents, objectKey("HTTPRoute", shop, "landing-page-httproute-http-80"+suffix))

	tests := []struct {
		name     string
		endpoint string
		newcomer string
		own      map[string]string // a request that collides with nothing
		clash    map[string]string // the change that asks for path
		path     string
		served   map[string]string // published while own is served
		route    string            // its route while own is served
	}{
		{
			name:     "an istio-ingress-route newcomer asks an ingress v2 app's path",
			endpoint: "istio-ingress-route-unauthenticated", newcomer: "shop-ui",
			own:    httpRouteConfig(shop, "ui", "shop-ui", 80, "/ui"),
			clash:  httpRouteConfig(shop, "ui", "shop-ui", 80, webPath),
			path:   webPath,
			served: routeServed(address),
			route:  objectKey("HTTPRoute", shop, "shop-ui-ui-httproute-http-80"+suffix),
		},
		{
			// It starts fronting the Service "www", whose path landing holds.
			name:     "an ingress v2 newcomer asks an istio-ingress-route app's path",
			endpoint: "ingress", newcomer: "blog",
			own:    ingressApp(shop, "blog", 8080),
			clash:  map[string]string{"name": `"www"`},
			path:   wwwPath,
			served: ingressServed(ingress.URL("http", address, shop, "blog")),
			route:  objectKey("HTTPRoute", shop, "blog-httproute-http-80"+suffix),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := s.relate(t, tt.endpoint, jujusim.Remote{App: tt.newcomer, Units: 1, AppData: tt.own})
			assert.Equal(t, tt.served, s.RelationData(rel, app), "served while it asks for its own path")
			assert.Contains(t, keys(owned(t, model)), tt.route)
			assert.Equal(t, servingAt(address), s.status())

			s.ok(t, s.SetRemoteData(rel, tt.newcomer, tt.clash)...)
			assert.Empty(t, s.RelationData(rel, app), "the refused newcomer's published data is wiped")
			assert.Equal(t, incumbents, versions(owned(t, model)),
				"the newcomer's objects are gone and the incumbents' untouched")
			assert.Equal(t, wantWeb, s.RelationData(web, app))
			assert.Equal(t, routeServed(address), s.RelationData(landing, app))
			assert.Equal(t, simstate.Status{
				Status: "blocked", Message: "Route conflict, refused: " + tt.newcomer + " on http-80 PathPrefix " + tt.path,
			}, s.status())

			s.ok(t, s.Unrelate(rel)...)
			assert.Equal(t, servingAt(address), s.status())
			assert.Equal(t, incumbents, versions(owned(t, model)))
		})
	}
	s.assertNoErrorLogs(t)
}
