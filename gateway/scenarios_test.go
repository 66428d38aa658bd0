package gateway

import (
	"errors"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// Scenarios shared by the golden tests and the benchmark. Each is a typed
// Input as the charm would read it from Juju.

func rel(app, endpoint string, id int) Relation {
	return Relation{App: app, ID: juju.RelationID{Endpoint: endpoint, ID: id}}
}

func ingressReq(app string, id int, model string, port int, strip bool) IngressRequest {
	return IngressRequest{Relation: rel(app, "ingress", id), Request: &ingress.Request{Model: model, Name: app, Port: port, StripPrefix: strip}}
}

func methodPtr(m ir.HTTPMethod) *ir.HTTPMethod { return &m }

func strPtr(s string) *string { return &s }

func intPtr(i int) *int { return &i }

func base(app, model string) Input {
	return Input{App: app, Model: model, Address: "10.0.0.1", Units: 1, ExternalTrafficCIDRs: "0.0.0.0/0"}
}

// tempoConfig is what a Tempo-like requirer asks: HTTP query and OTLP/HTTP
// ports plus OTLP/gRPC and Jaeger gRPC.
func tempoConfig(model string) *ir.Config {
	http3200 := ir.Listener{Port: 3200, Protocol: ir.ProtocolHTTP}
	otlpHTTP := ir.Listener{Port: 4318, Protocol: ir.ProtocolHTTP}
	otlpGRPC := ir.Listener{Port: 4317, Protocol: ir.ProtocolGRPC}
	jaeger := ir.Listener{Port: 14250, Protocol: ir.ProtocolGRPC}
	backend := func(port int) []ir.BackendRef { return []ir.BackendRef{{Service: "tempo", Port: port}} }
	return &ir.Config{
		Model:     model,
		Listeners: []ir.Listener{http3200, otlpHTTP, otlpGRPC, jaeger},
		HTTPRoutes: []ir.HTTPRoute{
			{Name: "tempo-http", Listener: http3200, Backends: backend(3200)},
			{Name: "otlp-http", Listener: otlpHTTP, Backends: backend(4318)},
		},
		GRPCRoutes: []ir.GRPCRoute{
			{Name: "otlp-grpc", Listener: otlpGRPC, Backends: backend(4317)},
			{Name: "jaeger-grpc", Listener: jaeger, Backends: backend(14250),
				Matches: []ir.GRPCRouteMatch{{Method: &ir.GRPCMethodMatch{Service: "jaeger.api_v2.CollectorService"}}}},
		},
	}
}

// everyMatchConfig exercises every match type and filter of the interface.
func everyMatchConfig(model string) *ir.Config {
	l := ir.Listener{Port: 8080, Protocol: ir.ProtocolHTTP}
	g := ir.Listener{Port: 9000, Protocol: ir.ProtocolGRPC}
	return &ir.Config{
		Model:     model,
		Listeners: []ir.Listener{l, g},
		HTTPRoutes: []ir.HTTPRoute{
			{Name: "exact", Listener: l, Backends: []ir.BackendRef{{Service: "api", Port: 8080}},
				Matches: []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchExact, Value: "/healthz"}}}},
			{Name: "prefix-method-headers", Listener: l, Hostnames: []string{"api.example.com", "*.api.example.com"},
				Backends: []ir.BackendRef{{Service: "api", Port: 8080, Weight: intPtr(90)}, {Service: "api-canary", Port: 8080, Weight: intPtr(10)}},
				Matches: []ir.HTTPRouteMatch{{
					Path:    &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: "/api"},
					Method:  methodPtr(ir.MethodPost),
					Headers: ir.Headers{{Name: "X-Env", Value: "prod"}, {Name: "x-tenant", Value: "a"}},
				}}},
			{Name: "regex", Listener: l, Backends: []ir.BackendRef{{Service: "api", Port: 8081}},
				Matches: []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchRegularExpression, Value: "^/v[0-9]+/items$"}}}},
			{Name: "rewrite-prefix", Listener: l, Backends: []ir.BackendRef{{Service: "api", Port: 8080}},
				Matches: []ir.HTTPRouteMatch{
					{Path: &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: "/old-api"}},
					{Path: &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: "/legacy"}},
				},
				Filters: []ir.HTTPRouteFilter{{Type: ir.FilterURLRewrite, URLRewrite: &ir.URLRewrite{
					Path: &ir.PathModifier{Type: ir.ReplacePrefixMatch, Value: "/api"}}}}},
			{Name: "rewrite-full", Listener: l, Backends: []ir.BackendRef{{Service: "api", Port: 8080}},
				Matches: []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchExact, Value: "/about"}}},
				Filters: []ir.HTTPRouteFilter{{Type: ir.FilterURLRewrite, URLRewrite: &ir.URLRewrite{
					Hostname: strPtr("internal.example.com"),
					Path:     &ir.PathModifier{Type: ir.ReplaceFullPath, Value: "/static/about.html"}}}}},
			{Name: "redirect", Listener: l,
				Matches: []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: "/docs"}}},
				Filters: []ir.HTTPRouteFilter{{Type: ir.FilterRequestRedirect, RequestRedirect: &ir.RequestRedirect{
					Scheme: strPtr("https"), Hostname: strPtr("docs.example.com"), Port: intPtr(443), StatusCode: 302,
					Path: &ir.PathModifier{Type: ir.ReplacePrefixMatch, Value: "/"}}}}},
			{Name: "redirect-full-path", Listener: l,
				Matches: []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchExact, Value: "/old-home"}}},
				Filters: []ir.HTTPRouteFilter{{Type: ir.FilterRequestRedirect, RequestRedirect: &ir.RequestRedirect{
					StatusCode: 301, Path: &ir.PathModifier{Type: ir.ReplaceFullPath, Value: "/home"}}}}},
			{Name: "method-only", Listener: l, Backends: []ir.BackendRef{{Service: "api", Port: 8080}},
				Matches: []ir.HTTPRouteMatch{{Method: methodPtr(ir.MethodDelete)}}},
		},
		GRPCRoutes: []ir.GRPCRoute{
			{Name: "svc-method-headers", Listener: g, Backends: []ir.BackendRef{{Service: "api-grpc", Port: 9000}},
				Matches: []ir.GRPCRouteMatch{
					{Method: &ir.GRPCMethodMatch{Service: "grpcbin.GRPCBin", Method: strPtr("Empty")}, Headers: ir.Headers{{Name: "x-tenant", Value: "a"}}},
					{Method: &ir.GRPCMethodMatch{Service: "grpc.reflection.v1alpha.ServerReflection"}},
				}},
			{Name: "headers-only", Listener: g, Backends: []ir.BackendRef{{Service: "api-grpc-eu", Port: 9000}},
				Matches: []ir.GRPCRouteMatch{{Headers: ir.Headers{{Name: "x-region", Value: "eu"}}}}},
		},
	}
}

type scenario struct {
	name string
	in   Input
}

func scenarios() []scenario {
	const model = "cos"
	tls := func(in Input) Input {
		in.TLS = TLS{Enabled: true, Certificate: "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n", Key: "(key)"}
		return in
	}
	withAddr := func(in Input, addr string) Input { in.Address = addr; return in }

	ingressBasic := base("istio-ingress-k8s", "istio-system")
	ingressBasic.Ingresses = []IngressRequest{ingressReq("prometheus", 3, model, 9090, false), ingressReq("alertmanager", 4, model, 9093, true)}

	ingressTLS := tls(withAddr(ingressBasic, "ingress.example.com"))
	ingressTLS.Units = 3

	tempo := base("istio-ingress-k8s", "istio-system")
	tempo.Routes = []RouteRequest{{Relation: rel("tempo", "istio-ingress-route", 7), Config: tempoConfig(model)}}

	tempoTLS := tls(withAddr(tempo, "tempo.example.com"))

	every := base("istio-ingress-k8s", "istio-system")
	every.Address = "api.example.com"
	every.Routes = []RouteRequest{{Relation: rel("api", "istio-ingress-route", 5), Config: everyMatchConfig(model)}}

	shared := ir.Listener{Port: 8080, Protocol: ir.ProtocolHTTP}
	pathRoute := func(name, path string, m *ir.HTTPMethod, hosts []string) ir.HTTPRoute {
		return ir.HTTPRoute{Name: name, Listener: shared, Hostnames: hosts,
			Backends: []ir.BackendRef{{Service: name, Port: 80}},
			Matches:  []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: path}, Method: m}}}
	}
	cfg := func(routes ...ir.HTTPRoute) *ir.Config {
		return &ir.Config{Model: model, Listeners: []ir.Listener{shared}, HTTPRoutes: routes}
	}
	conflicts := base("istio-ingress-k8s", "istio-system")
	conflicts.Routes = []RouteRequest{
		// Newer relation first: input order must not matter, relation id does.
		{Relation: rel("newcomer", "istio-ingress-route", 12), Config: cfg(pathRoute("newcomer", "/api/", nil, nil), pathRoute("newcomer-ui", "/ui", nil, nil))},
		{Relation: rel("incumbent", "istio-ingress-route", 4), Config: cfg(pathRoute("incumbent", "/api", nil, nil))},
		{Relation: rel("writer", "istio-ingress-route", 13), Config: cfg(pathRoute("writer", "/api", methodPtr(ir.MethodPost), nil))},
		{Relation: rel("other-host", "istio-ingress-route", 14), Config: cfg(pathRoute("other-host", "/api", nil, []string{"b.example.com"}))},
		{Relation: rel("wildcard", "istio-ingress-route", 15), Config: cfg(pathRoute("wildcard", "/api", nil, []string{"*.example.com"}))},
		// Same path on disjoint hostnames: both served; a wildcard covering
		// one of them is refused.
		{Relation: rel("shop-a", "istio-ingress-route", 16), Config: cfg(pathRoute("shop-a", "/shop", nil, []string{"a.example.com"}))},
		{Relation: rel("shop-b", "istio-ingress-route", 17), Config: cfg(pathRoute("shop-b", "/shop", nil, []string{"b.example.com"}))},
		{Relation: rel("shop-any", "istio-ingress-route", 18), Config: cfg(pathRoute("shop-any", "/shop", nil, []string{"*.example.com"}))},
	}
	conflicts.Ingresses = []IngressRequest{
		ingressReq("grafana", 2, model, 3000, false),
		// The same app related again (e.g. on ingress-unauthenticated) asks
		// for the same path: the newer relation is refused.
		{Relation: rel("grafana", "ingress-unauthenticated", 9), Request: &ingress.Request{Model: model, Name: "grafana", Port: 3000}},
	}

	protocol := tls(base("istio-ingress-k8s", "istio-system"))
	protocol.Routes = []RouteRequest{{Relation: rel("plain", "istio-ingress-route", 6), Config: &ir.Config{
		Model: model, Listeners: []ir.Listener{{Port: 80, Protocol: ir.ProtocolHTTP}},
		HTTPRoutes: []ir.HTTPRoute{{Name: "root", Listener: ir.Listener{Port: 80, Protocol: ir.ProtocolHTTP}, Backends: []ir.BackendRef{{Service: "plain", Port: 80}}}},
	}}}
	protocol.Ingresses = []IngressRequest{ingressReq("grafana", 8, model, 3000, false)}

	longModel := "a-very-long-model-name-that-goes-on-and-on-and-on"
	long := base("istio-ingress-k8s-with-a-rather-long-application-name", longModel)
	long.Routes = []RouteRequest{{Relation: rel("some-requirer-with-a-long-name", "istio-ingress-route", 3), Config: &ir.Config{
		Model:     longModel,
		Listeners: []ir.Listener{{Port: 8080, Protocol: ir.ProtocolGRPC}},
		HTTPRoutes: []ir.HTTPRoute{{Name: "My_Route.With.Dots", Listener: ir.Listener{Port: 8080, Protocol: ir.ProtocolHTTP},
			Backends: []ir.BackendRef{{Service: "some-backend-service-with-a-long-name", Port: 8080}}}},
		GRPCRoutes: []ir.GRPCRoute{{Name: "a-grpc-route-name-that-is-long-enough-to-need-a-hash", Listener: ir.Listener{Port: 8080, Protocol: ir.ProtocolGRPC},
			Backends: []ir.BackendRef{{Service: "some-backend-service-with-a-long-name", Port: 9090}}}},
	}}}
	long.Ingresses = []IngressRequest{ingressReq("an-ingress-requirer-with-a-long-name", 2, longModel, 8080, true)}

	bad := base("istio-ingress-k8s", "istio-system")
	bad.Units = 0
	bad.Address = ""
	bad.ExternalTrafficCIDRs = "10.0.0.0/8, 192.168.1.10 ,not-a-cidr,10.0.0.0/33,"
	bad.Ingresses = []IngressRequest{
		{Relation: rel("broken", "ingress", 2), Err: errors.New(`port: "eighty" is not an integer`)},
		{Relation: rel("waiting", "ingress", 3)},
		ingressReq("good", 4, model, 8080, false),
	}
	bad.Routes = []RouteRequest{{Relation: rel("bad-regex", "istio-ingress-route", 5), Config: &ir.Config{
		Model: model, Listeners: []ir.Listener{shared},
		HTTPRoutes: []ir.HTTPRoute{{Name: "r", Listener: shared, Backends: []ir.BackendRef{{Service: "x", Port: 80}},
			Matches: []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchRegularExpression, Value: "(unclosed"}}}}},
	}}}

	return append([]scenario{
		{"ingress-basic", ingressBasic},
		{"ingress-tls", ingressTLS},
		{"route-tempo", tempo},
		{"route-tempo-tls", tempoTLS},
		{"route-every-match", every},
		{"conflicts", conflicts},
		{"conflict-protocol", protocol},
		{"long-names", long},
		{"bad-input", bad},
	}, authScenarios()...)
}
