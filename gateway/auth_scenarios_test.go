package gateway

import (
	"errors"

	"github.com/canonical/istio-ingress-k8s-go/relation/forwardauth"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/relation/requestauth"
)

// Authentication scenarios: forward auth with routes on both sides of the
// bypass, forward auth not usable yet, and JWT rules alone.

func forwardAuthOn() Auth {
	return Auth{
		ForwardAuth: &ForwardAuth{Relation: rel("oauth2-proxy", "forward-auth", 20), Config: &forwardauth.Config{
			DecisionsAddress: "http://oauth2-proxy.iam.svc.cluster.local:4180/oauth2/auth", AppNames: []string{"grafana"}}},
		IngressConfig: &IngressConfig{Relation: rel("istio", "istio-ingress-config", 21), ProviderName: "ext_authz-istio-ingress-k8s"},
	}
}

func routeOn(port int, name string, hosts []string, matches ...ir.HTTPRouteMatch) ir.HTTPRoute {
	return ir.HTTPRoute{Name: name, Listener: ir.Listener{Port: port, Protocol: ir.ProtocolHTTP}, Hostnames: hosts,
		Backends: []ir.BackendRef{{Service: name, Port: 80}}, Matches: matches}
}

func prefix(p string) ir.HTTPRouteMatch {
	return ir.HTTPRouteMatch{Path: &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: p}}
}

func routesConfig(model string, routes ...ir.HTTPRoute) *ir.Config {
	return &ir.Config{Model: model, HTTPRoutes: routes}
}

func jwtRules() []requestauth.JWTRule {
	yes, bearer := true, "Bearer "
	return []requestauth.JWTRule{{
		Issuer: "https://idp.example.com", JWKSURI: "https://idp.example.com/.well-known/jwks.json",
		Audiences: []string{"grafana"}, ForwardOriginalToken: &yes,
		ClaimToHeaders: []requestauth.ClaimToHeader{{Header: "x-user-email", Claim: "email"}},
		FromHeaders:    []requestauth.FromHeader{{Name: "x-token", Prefix: &bearer}},
	}}
}

func authScenarios() []scenario {
	const model = "cos"
	const unauthRoute = "istio-ingress-route-unauthenticated"

	// Forward auth on, with a JWT app: Bearer requests skip the proxy.
	// Unauthenticated routes are let through on their own listener and
	// hostnames only; "wiki" on port 80 keeps /docs authenticated although
	// "docs" opens /docs on 8080; "admin" lies within the public /pub
	// prefix and forces the check on its own paths.
	on := base("istio-ingress-k8s", "istio-system")
	on.Auth = forwardAuthOn()
	on.Auth.RequestAuth = []RequestAuthRequest{{Relation: rel("idp-app", "istio-request-auth", 22), Rules: jwtRules()}}
	on.Ingresses = []IngressRequest{
		ingressReq("grafana", 2, model, 3000, false),
		{Relation: rel("catalogue", "ingress-unauthenticated", 3), Request: &ingress.Request{Model: model, Name: "catalogue", Port: 80}},
	}
	on.Routes = []RouteRequest{
		{Relation: rel("wiki", "istio-ingress-route", 4), Config: routesConfig(model, routeOn(80, "wiki", nil, prefix("/docs")))},
		{Relation: rel("docs", unauthRoute, 5), Config: routesConfig(model, routeOn(8080, "docs", nil, prefix("/docs")))},
		{Relation: rel("public", unauthRoute, 6), Config: &ir.Config{Model: model,
			HTTPRoutes: []ir.HTTPRoute{
				routeOn(9090, "pub", []string{"pub.example.com"}, prefix("/pub")),
				routeOn(9090, "status", nil, ir.HTTPRouteMatch{Path: &ir.HTTPPathMatch{Type: ir.PathMatchRegularExpression, Value: "^/v[0-9]+/status$"}}),
			},
			GRPCRoutes: []ir.GRPCRoute{{Name: "health", Listener: ir.Listener{Port: 9000, Protocol: ir.ProtocolGRPC},
				Backends: []ir.BackendRef{{Service: "public", Port: 9000}},
				Matches:  []ir.GRPCRouteMatch{{Method: &ir.GRPCMethodMatch{Service: "grpc.health.v1.Health"}}}}},
		}},
		{Relation: rel("admin", "istio-ingress-route", 7), Config: routesConfig(model, routeOn(9090, "admin", nil, prefix("/pub/admin")))},
	}

	// Forward auth related, istio-ingress-config not yet: the
	// authenticated routes are denied, the unauthenticated one serves.
	closed := base("istio-ingress-k8s", "istio-system")
	closed.Auth = Auth{ForwardAuth: forwardAuthOn().ForwardAuth}
	closed.Ingresses = on.Ingresses

	// JWT rules alone: one app valid, one malformed; requests without a
	// valid token are denied whatever the rules say.
	jwt := base("istio-ingress-k8s", "istio-system")
	jwt.Auth = Auth{RequestAuth: []RequestAuthRequest{
		{Relation: rel("idp-app", "istio-request-auth", 22), Rules: jwtRules()},
		{Relation: rel("broken-app", "istio-request-auth", 23), Err: errors.New("jwt_rules[0].issuer: required")},
		{Relation: rel("quiet-app", "istio-request-auth", 24)},
	}}
	jwt.Ingresses = []IngressRequest{ingressReq("grafana", 2, model, 3000, false)}

	return []scenario{
		{"auth-forward", on},
		{"auth-closed", closed},
		{"auth-jwt", jwt},
	}
}
