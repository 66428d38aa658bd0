package gateway

import (
	"fmt"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

var (
	l8080 = ir.Listener{Port: 8080, Protocol: ir.ProtocolHTTP}
	l9000 = ir.Listener{Port: 9000, Protocol: ir.ProtocolGRPC}
)

func httpConfig(routes ...ir.HTTPRoute) *ir.Config {
	return &ir.Config{Model: "m", Listeners: []ir.Listener{l8080}, HTTPRoutes: routes}
}

func httpRoute(backend string, matches ...ir.HTTPRouteMatch) ir.HTTPRoute {
	return ir.HTTPRoute{Name: "r", Listener: l8080, Backends: []ir.BackendRef{{Service: backend, Port: 80}}, Matches: matches}
}

func pathMatch(typ ir.HTTPPathMatchType, v string) ir.HTTPRouteMatch {
	return ir.HTTPRouteMatch{Path: &ir.HTTPPathMatch{Type: typ, Value: v}}
}

func grpcConfig(service string, method *string) *ir.Config {
	return &ir.Config{Model: "m", Listeners: []ir.Listener{l9000}, GRPCRoutes: []ir.GRPCRoute{{
		Name: "g", Listener: l9000, Backends: []ir.BackendRef{{Service: "svc", Port: 9000}},
		Matches: []ir.GRPCRouteMatch{{Method: &ir.GRPCMethodMatch{Service: service, Method: method}}},
	}}}
}

func TestConflictRules(t *testing.T) {
	t.Parallel()
	get := methodPtr(ir.MethodGet)
	post := methodPtr(ir.MethodPost)
	withHeaders := func(m ir.HTTPRouteMatch, hs ...ir.Header) ir.HTTPRouteMatch { m.Headers = hs; return m }
	withMethod := func(m ir.HTTPRouteMatch, meth *ir.HTTPMethod) ir.HTTPRouteMatch { m.Method = meth; return m }
	withHosts := func(c *ir.Config, hosts ...string) *ir.Config { c.HTTPRoutes[0].Hostnames = hosts; return c }
	onPort := func(c *ir.Config, port int) *ir.Config {
		l := ir.Listener{Port: port, Protocol: ir.ProtocolHTTP}
		c.Listeners = []ir.Listener{l}
		c.HTTPRoutes[0].Listener = l
		return c
	}
	api := pathMatch(ir.PathMatchPathPrefix, "/api")
	cases := []struct {
		name         string
		older, newer *ir.Config
		refused      bool
	}{
		{"identical path", httpConfig(httpRoute("a", api)), httpConfig(httpRoute("b", api)), true},
		{"trailing slash on a prefix is the same prefix", httpConfig(httpRoute("a", api)), httpConfig(httpRoute("b", pathMatch(ir.PathMatchPathPrefix, "/api/"))), true},
		{"omitted path type is PathPrefix", httpConfig(httpRoute("a", api)), httpConfig(httpRoute("b", pathMatch("", "/api"))), true},
		{"an Exact path under an older prefix takes its requests", httpConfig(httpRoute("a", api)), httpConfig(httpRoute("b", pathMatch(ir.PathMatchExact, "/api"))), true},
		{"different path", httpConfig(httpRoute("a", api)), httpConfig(httpRoute("b", pathMatch(ir.PathMatchPathPrefix, "/apis"))), false},
		{"different method", httpConfig(httpRoute("a", withMethod(api, get))), httpConfig(httpRoute("b", withMethod(api, post))), false},
		{"an added method takes requests of any method", httpConfig(httpRoute("a", api)), httpConfig(httpRoute("b", withMethod(api, post))), true},
		{"any method after a method stays below it", httpConfig(httpRoute("a", withMethod(api, post))), httpConfig(httpRoute("b", api)), false},
		{"different headers", httpConfig(httpRoute("a", withHeaders(api, ir.Header{Name: "x-env", Value: "prod"}))),
			httpConfig(httpRoute("b", withHeaders(api, ir.Header{Name: "x-env", Value: "dev"}))), false},
		{"same headers in another order and case", httpConfig(httpRoute("a", withHeaders(api, ir.Header{Name: "x-a", Value: "1"}, ir.Header{Name: "x-b", Value: "2"}))),
			httpConfig(httpRoute("b", withHeaders(api, ir.Header{Name: "X-B", Value: "2"}, ir.Header{Name: "x-a", Value: "1"}))), true},
		{"no match is PathPrefix /", httpConfig(httpRoute("a")), httpConfig(httpRoute("b", pathMatch(ir.PathMatchPathPrefix, "/"))), true},
		{"one of several matches collides", httpConfig(httpRoute("a", api)), httpConfig(httpRoute("b", pathMatch(ir.PathMatchExact, "/x"), api)), true},
		{"different port", httpConfig(httpRoute("a", api)), onPort(httpConfig(httpRoute("b", api)), 8081), false},
		{"disjoint hostnames", withHosts(httpConfig(httpRoute("a", api)), "a.example.com"), withHosts(httpConfig(httpRoute("b", api)), "b.example.com"), false},
		{"any hostname overlaps a hostname", httpConfig(httpRoute("a", api)), withHosts(httpConfig(httpRoute("b", api)), "b.example.com"), true},
		{"wildcard overlaps", withHosts(httpConfig(httpRoute("a", api)), "a.example.com"), withHosts(httpConfig(httpRoute("b", api)), "*.example.com"), true},
		{"same gRPC method", grpcConfig("pkg.Svc", strPtr("Get")), grpcConfig("pkg.Svc", strPtr("Get")), true},
		{"other gRPC method", grpcConfig("pkg.Svc", strPtr("Get")), grpcConfig("pkg.Svc", strPtr("Put")), false},
		{"one gRPC method of an older service takes its requests", grpcConfig("pkg.Svc", nil), grpcConfig("pkg.Svc", strPtr("Put")), true},
		{"a gRPC service after one of its methods stays below it", grpcConfig("pkg.Svc", strPtr("Put")), grpcConfig("pkg.Svc", nil), false},
		{"another gRPC service", grpcConfig("pkg.Svc", nil), grpcConfig("pkg.Other", nil), false},
		{"HTTP and gRPC never collide", httpConfig(httpRoute("a")), func() *ir.Config {
			c := grpcConfig("pkg.Svc", nil)
			c.Listeners, c.GRPCRoutes[0].Listener = []ir.Listener{l8080}, l8080
			return c
		}(), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := base("gw", "gw-model")
			in.Routes = []RouteRequest{
				{Relation: rel("newer", "istio-ingress-route", 20), Config: tc.newer},
				{Relation: rel("older", "istio-ingress-route", 10), Config: tc.older},
			}
			plan := Build(in)
			require.Len(t, plan.Results, 2)
			older, newer := plan.Results[0], plan.Results[1]
			assert.Equal(t, "older", older.App, "results are ordered by relation id")
			assert.Equal(t, StateServed, older.State, "the older relation always keeps its routes")
			if !tc.refused {
				assert.Equal(t, StateServed, newer.State, newer.Reason)
				assert.Empty(t, plan.Status.Conflicts)
				return
			}
			assert.Equal(t, StateRefused, newer.State)
			require.NotNil(t, newer.Conflict)
			assert.Equal(t, "older", newer.Conflict.Incumbent.App)
			assert.Contains(t, newer.Reason, "older (istio-ingress-route:10)")
			require.Len(t, plan.Status.Conflicts, 1)
			assert.Contains(t, plan.Status.Message(), "newer")
			assert.Empty(t, objectsOf(plan, func(o *unstructured.Unstructured) bool {
				return strings.HasPrefix(o.GetName(), "newer-")
			}), "a refused relation gets nothing rendered")
		})
	}
}

func objectsOf(p Plan, keep func(*unstructured.Unstructured) bool) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range p.Objects {
		if keep(o) {
			out = append(out, o)
		}
	}
	return out
}

func ofKind(kind string) func(*unstructured.Unstructured) bool {
	return func(o *unstructured.Unstructured) bool { return o.GetKind() == kind }
}

func TestRefusedRelationKeepsNothingButOthersAreServed(t *testing.T) {
	t.Parallel()
	in := base("gw", "gw-model")
	in.Routes = []RouteRequest{
		{Relation: rel("old", "istio-ingress-route", 1), Config: httpConfig(httpRoute("old", pathMatch(ir.PathMatchPathPrefix, "/api")))},
		// new collides on /api; its other route, listener and backend must
		// not be rendered either.
		{Relation: rel("new", "istio-ingress-route", 2), Config: &ir.Config{Model: "m",
			Listeners: []ir.Listener{{Port: 7070, Protocol: ir.ProtocolHTTP}},
			HTTPRoutes: []ir.HTTPRoute{
				{Name: "ui", Listener: ir.Listener{Port: 7070, Protocol: ir.ProtocolHTTP}, Backends: []ir.BackendRef{{Service: "new-ui", Port: 80}}},
				{Name: "api", Listener: l8080, Backends: []ir.BackendRef{{Service: "new-api", Port: 80}}, Matches: []ir.HTTPRouteMatch{pathMatch(ir.PathMatchPathPrefix, "/api")}},
			}}},
		{Relation: rel("third", "istio-ingress-route", 3), Config: httpConfig(httpRoute("third", pathMatch(ir.PathMatchPathPrefix, "/third")))},
	}
	plan := Build(in)
	states := map[string]State{}
	for _, r := range plan.Results {
		states[r.App] = r.State
	}
	assert.Equal(t, map[string]State{"old": StateServed, "new": StateRefused, "third": StateServed}, states)

	yaml, err := MarshalYAML(plan.Objects)
	require.NoError(t, err)
	assert.NotContains(t, string(yaml), "new-ui")
	assert.NotContains(t, string(yaml), "new-api")
	assert.NotContains(t, string(yaml), "7070")
	assert.Len(t, objectsOf(plan, ofKind("HTTPRoute")), 2)
}

func TestPlanIsDeterministic(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios() {
		want, err := MarshalYAML(Build(sc.in).Objects)
		require.NoError(t, err)
		for seed := uint64(1); seed <= 5; seed++ {
			in := sc.in
			r := rand.New(rand.NewPCG(seed, seed))
			in.Routes = append([]RouteRequest(nil), in.Routes...)
			in.Ingresses = append([]IngressRequest(nil), in.Ingresses...)
			r.Shuffle(len(in.Routes), func(i, j int) { in.Routes[i], in.Routes[j] = in.Routes[j], in.Routes[i] })
			r.Shuffle(len(in.Ingresses), func(i, j int) { in.Ingresses[i], in.Ingresses[j] = in.Ingresses[j], in.Ingresses[i] })
			plan := Build(in)
			got, err := MarshalYAML(plan.Objects)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got), "%s: input order changed the output", sc.name)
		}
	}
}

func TestEveryObjectIsLabelledAndNamespaced(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios() {
		for _, o := range Build(sc.in).Objects {
			id := sc.name + ": " + o.GetKind() + " " + o.GetName()
			assert.NotEmpty(t, o.GetNamespace(), id)
			assert.Equal(t, InstanceLabel(sc.in.Model, sc.in.App), o.GetLabels()[resource.LabelInstance], id)
			assert.NotEmpty(t, o.GetLabels()[resource.LabelScope], id)
			assert.True(t, isObjectName(o.GetName()), "%s: name is not a DNS-1123 subdomain", id)
		}
	}
}

func listenersOf(t *testing.T, plan Plan) []map[string]any {
	t.Helper()
	gws := objectsOf(plan, ofKind("Gateway"))
	require.Len(t, gws, 1)
	ls, found, err := unstructured.NestedSlice(gws[0].Object, "spec", "listeners")
	require.NoError(t, err)
	require.True(t, found)
	out := make([]map[string]any, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.(map[string]any))
	}
	return out
}

// onlyFrom is a listener's allowedRoutes admitting the given namespaces only.
func onlyFrom(namespaces ...any) map[string]any {
	return map[string]any{"namespaces": map[string]any{"from": "Selector", "selector": map[string]any{
		"matchExpressions": []any{map[string]any{"key": "kubernetes.io/metadata.name", "operator": "In", "values": namespaces}},
	}}}
}

// Listeners admit routes only from the namespaces of served requests: not
// from a refused requester's namespace, and only from the gateway's own
// namespace while nothing is served.
func TestListenersAdmitServedNamespacesOnly(t *testing.T) {
	t.Parallel()
	in := base("gw", "gw-model")
	dns := ingressReq("dns", 3, "kube-system", 53, false)
	dns.Request.Name = "kube-dns"
	in.Ingresses = []IngressRequest{ingressReq("blog", 1, "team-a", 8080, false), ingressReq("shop", 2, "team-b", 8080, false), dns}
	for _, l := range listenersOf(t, Build(in)) {
		assert.Equal(t, onlyFrom("team-a", "team-b"), l["allowedRoutes"], "kube-system is denied, so not admitted")
	}
	in.Ingresses = nil
	for _, l := range listenersOf(t, Build(in)) {
		assert.Equal(t, map[string]any{"namespaces": map[string]any{"from": "Same"}}, l["allowedRoutes"])
	}
}

func TestGatewayListeners(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		tls      bool
		address  string
		names    []string
		hostname any
	}{
		{"plain with an IP address", false, "10.1.2.3", []string{"http-80", "http-8080", "http-9000"}, nil},
		{"TLS with a hostname", true, "ingress.example.com", []string{"http-80", "https-443", "https-8080", "https-9000"}, "ingress.example.com"},
		{"no address yet", false, "", []string{"http-80", "http-8080", "http-9000"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := base("gw", "gw-model")
			in.Address = tc.address
			in.TLS.Enabled = tc.tls
			in.Routes = []RouteRequest{
				{Relation: rel("web", "istio-ingress-route", 1), Config: httpConfig(httpRoute("web"))},
				{Relation: rel("rpc", "istio-ingress-route", 2), Config: grpcConfig("pkg.Svc", nil)},
			}
			plan := Build(in)
			var names []string
			for _, l := range listenersOf(t, plan) {
				names = append(names, l["name"].(string))
				assert.Equal(t, tc.hostname, l["hostname"])
				assert.Equal(t, onlyFrom("m"), l["allowedRoutes"])
				if l["protocol"] == "HTTPS" {
					assert.Equal(t, map[string]any{"certificateRefs": []any{map[string]any{"name": "gw-gateway-tls"}}}, l["tls"])
				} else {
					assert.Nil(t, l["tls"])
				}
			}
			assert.Equal(t, tc.names, names)
		})
	}
}

func TestHPAFollowsUnits(t *testing.T) {
	t.Parallel()
	for _, units := range []int{0, 1, 3} {
		in := base("gw", "gw-model")
		in.Units = units
		hpas := objectsOf(Build(in), ofKind("HorizontalPodAutoscaler"))
		if units == 0 {
			assert.Empty(t, hpas)
			continue
		}
		require.Len(t, hpas, 1)
		spec := hpas[0].Object["spec"].(map[string]any)
		assert.EqualValues(t, units, spec["minReplicas"])
		assert.EqualValues(t, units, spec["maxReplicas"])
		assert.Equal(t, "gw-istio", spec["scaleTargetRef"].(map[string]any)["name"])
	}
}

func TestExternalTrafficCIDRs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		config string
		blocks []any // nil: the policy has no rules and allows nothing
		bad    []string
	}{
		{"default", "0.0.0.0/0", []any{"0.0.0.0/0"}, nil},
		{"list with spaces, an address and IPv6", " 10.0.0.0/8, 10.10.10.10 ,fd00::/8,", []any{"10.0.0.0/8", "10.10.10.10", "fd00::/8"}, nil},
		{"bad entries are reported, never rendered", "10.0.0.0/8,10.0.0.0/33,nope", []any{"10.0.0.0/8"}, []string{"10.0.0.0/33", "nope"}},
		{"nothing valid fails closed", "nope", nil, []string{"nope"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := base("gw", "gw-model")
			in.ExternalTrafficCIDRs = tc.config
			plan := Build(in)
			assert.Equal(t, tc.bad, plan.Status.BadCIDRs)
			aps := objectsOf(plan, func(o *unstructured.Unstructured) bool { return o.GetName() == "gw-gw-model-external-traffic" })
			require.Len(t, aps, 1)
			rules, found, err := unstructured.NestedSlice(aps[0].Object, "spec", "rules")
			require.NoError(t, err)
			if tc.blocks == nil {
				assert.False(t, found)
				return
			}
			blocks, _, err := unstructured.NestedSlice(rules[0].(map[string]any), "from")
			require.NoError(t, err)
			assert.Equal(t, tc.blocks, blocks[0].(map[string]any)["source"].(map[string]any)["ipBlocks"])
		})
	}
}

// An option listing nothing renders no policy and holds the live one: the
// last good list stays in force and the status names the option.
func TestEmptyExternalTrafficCIDRsKeepTheLastPolicy(t *testing.T) {
	t.Parallel()
	for _, config := range []string{"", "   ", " , ,"} {
		in := base("gw", "gw-model")
		in.ExternalTrafficCIDRs = config
		plan := Build(in)
		assert.Empty(t, objectsOf(plan, func(o *unstructured.Unstructured) bool { return o.GetName() == "gw-gw-model-external-traffic" }), "%q", config)
		assert.Equal(t, []resource.Hold{{Scope: resource.ScopeExternalTraffic}}, plan.Keep, "%q", config)
		assert.False(t, plan.Status.OK(), "%q", config)
		assert.Contains(t, plan.Status.Message(), "external-traffic-policy-cidrs is empty", "%q", config)
	}
	in := base("gw", "gw-model")
	assert.Empty(t, Build(in).Keep, "a valid list holds nothing")
}

func TestInvalidRequestsAreRefusedWithAReason(t *testing.T) {
	t.Parallel()
	prefixRewrite := []ir.HTTPRouteFilter{{Type: ir.FilterURLRewrite, URLRewrite: &ir.URLRewrite{Path: &ir.PathModifier{Type: ir.ReplacePrefixMatch, Value: "/"}}}}
	cases := []struct {
		name   string
		config *ir.Config
		reason string
	}{
		{"bad model", &ir.Config{Model: "Not_A_Namespace"}, "not a valid namespace"},
		{"prefix path without slash", httpConfig(httpRoute("a", pathMatch(ir.PathMatchPathPrefix, "api"))), "must start with /"},
		{"double slash", httpConfig(httpRoute("a", pathMatch(ir.PathMatchExact, "/a//b"))), "must not contain //"},
		{"bad regex", httpConfig(httpRoute("a", pathMatch(ir.PathMatchRegularExpression, "(("))), "regular expression"},
		{"bad header name", httpConfig(httpRoute("a", ir.HTTPRouteMatch{Headers: ir.Headers{{Name: "bad header", Value: "v"}}})), "header name"},
		{"bad hostname", func() *ir.Config {
			c := httpConfig(httpRoute("a"))
			c.HTTPRoutes[0].Hostnames = []string{"a..b"}
			return c
		}(), "hostname"},
		{"IP as hostname", func() *ir.Config {
			c := httpConfig(httpRoute("a"))
			c.HTTPRoutes[0].Hostnames = []string{"10.0.0.1"}
			return c
		}(), "hostname"},
		{"bad backend", httpConfig(httpRoute("Bad_Service")), "backend service"},
		{"port 0", func() *ir.Config { c := httpConfig(httpRoute("a")); c.HTTPRoutes[0].Backends[0].Port = 0; return c }(), "outside 1-65535"},
		{"prefix rewrite with an Exact match", func() *ir.Config {
			c := httpConfig(httpRoute("a", pathMatch(ir.PathMatchExact, "/x")))
			c.HTTPRoutes[0].Filters = prefixRewrite
			return c
		}(), "PathPrefix"},
		{"rewrite and redirect together", func() *ir.Config {
			c := httpConfig(httpRoute("a"))
			c.HTTPRoutes[0].Filters = append(prefixRewrite, ir.HTTPRouteFilter{Type: ir.FilterRequestRedirect, RequestRedirect: &ir.RequestRedirect{}})
			return c
		}(), "both rewrite and redirect"},
		{"redirect status", func() *ir.Config {
			c := httpConfig(httpRoute("a"))
			c.HTTPRoutes[0].Filters = []ir.HTTPRouteFilter{{Type: ir.FilterRequestRedirect, RequestRedirect: &ir.RequestRedirect{StatusCode: 307}}}
			return c
		}(), "status code 307"},
		{"duplicate route names", httpConfig(httpRoute("a", pathMatch(ir.PathMatchExact, "/1")), httpRoute("b", pathMatch(ir.PathMatchExact, "/2"))), "distinct names"},
		{"bad gRPC service", grpcConfig("bad service", nil), "gRPC service"},
		{"bad gRPC method", grpcConfig("pkg.Svc", strPtr("Get-It")), "gRPC method"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := base("gw", "gw-model")
			in.Routes = []RouteRequest{
				{Relation: rel("bad", "istio-ingress-route", 1), Config: tc.config},
				{Relation: rel("good", "istio-ingress-route", 2), Config: httpConfig(httpRoute("good", pathMatch(ir.PathMatchExact, "/good")))},
			}
			plan := Build(in)
			require.Len(t, plan.Results, 2)
			assert.Equal(t, StateInvalid, plan.Results[0].State)
			assert.Contains(t, plan.Results[0].Reason, tc.reason)
			assert.Equal(t, StateServed, plan.Results[1].State, "one bad requirer never blocks another")
			require.Len(t, plan.Status.Invalid, 1)
			assert.Len(t, objectsOf(plan, ofKind("HTTPRoute")), 1)
		})
	}
}

func TestRedirectDropsBackendsWithAWarning(t *testing.T) {
	t.Parallel()
	c := httpConfig(httpRoute("a"))
	c.HTTPRoutes[0].Filters = []ir.HTTPRouteFilter{{Type: ir.FilterRequestRedirect, RequestRedirect: &ir.RequestRedirect{Scheme: strPtr("https")}}}
	in := base("gw", "gw-model")
	in.Routes = []RouteRequest{{Relation: rel("a", "istio-ingress-route", 1), Config: c}}
	plan := Build(in)
	require.Equal(t, StateServed, plan.Results[0].State)
	require.Len(t, plan.Results[0].Warnings, 1)
	assert.Contains(t, plan.Results[0].Warnings[0], "backends are ignored")
	routes := objectsOf(plan, ofKind("HTTPRoute"))
	require.Len(t, routes, 1)
	rules, _, err := unstructured.NestedSlice(routes[0].Object, "spec", "rules")
	require.NoError(t, err)
	assert.NotContains(t, rules[0], "backendRefs")
	assert.Empty(t, objectsOf(plan, func(o *unstructured.Unstructured) bool { return o.GetName() == "a-gw-m-l4" }),
		"no L4 policy for a backend nothing routes to")
}

func TestPrefixRewriteSplitsRules(t *testing.T) {
	t.Parallel()
	c := httpConfig(httpRoute("a", pathMatch(ir.PathMatchPathPrefix, "/x"), pathMatch(ir.PathMatchPathPrefix, "/y")))
	c.HTTPRoutes[0].Filters = []ir.HTTPRouteFilter{{Type: ir.FilterURLRewrite, URLRewrite: &ir.URLRewrite{Path: &ir.PathModifier{Type: ir.ReplacePrefixMatch, Value: "/"}}}}
	in := base("gw", "gw-model")
	in.Routes = []RouteRequest{{Relation: rel("a", "istio-ingress-route", 1), Config: c}}
	routes := objectsOf(Build(in), ofKind("HTTPRoute"))
	require.Len(t, routes, 1)
	rules, _, err := unstructured.NestedSlice(routes[0].Object, "spec", "rules")
	require.NoError(t, err)
	require.Len(t, rules, 2, "one rule per PathPrefix match, as the Gateway API requires for ReplacePrefixMatch")
	for _, r := range rules {
		assert.Len(t, r.(map[string]any)["matches"], 1)
	}
}

func TestIngressResults(t *testing.T) {
	t.Parallel()
	for _, tls := range []bool{false, true} {
		in := base("gw", "gw-model")
		in.TLS.Enabled = tls
		in.Ingresses = []IngressRequest{ingressReq("app/0", 1, "m", 80, false), ingressReq("web", 2, "m", 80, true)}
		plan := Build(in)
		assert.Equal(t, StateInvalid, plan.Results[0].State, "a name that is not a Service name")
		web := plan.Results[1]
		assert.Equal(t, "/m-web", web.PathPrefix)
		if tls {
			assert.Equal(t, "https", web.Scheme)
			assert.Len(t, objectsOf(plan, ofKind("HTTPRoute")), 2, "the route on https-443 and its redirect on http-80")
		} else {
			assert.Equal(t, "http", web.Scheme)
			assert.Len(t, objectsOf(plan, ofKind("HTTPRoute")), 1)
		}
	}
}

func TestL4PolicyMergesPortsPerBackend(t *testing.T) {
	t.Parallel()
	in := base("gw", "gw-model")
	in.Routes = []RouteRequest{{Relation: rel("tempo", "istio-ingress-route", 1), Config: tempoConfig("m")}}
	aps := objectsOf(Build(in), func(o *unstructured.Unstructured) bool { return o.GetName() == "tempo-gw-m-l4" })
	require.Len(t, aps, 1)
	rules, _, err := unstructured.NestedSlice(aps[0].Object, "spec", "rules")
	require.NoError(t, err)
	to := rules[0].(map[string]any)["to"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{"3200", "4317", "4318", "14250"}, to["operation"].(map[string]any)["ports"])
	assert.Len(t, objectsOf(Build(in), ofKind("DestinationRule")), 1, "one DestinationRule per gRPC backend Service")
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	unattached := httpConfig(httpRoute("a"))
	unattached.HTTPRoutes[0].Hostnames = []string{"other.example.org"}
	attachedByWildcard := httpConfig(httpRoute("a"))
	attachedByWildcard.HTTPRoutes[0].Hostnames = []string{"*.example.com"}
	grpcRedirect := grpcConfig("pkg.Svc", nil)
	grpcRedirect.GRPCRoutes[0].Filters = []ir.GRPCRouteFilter{{RequestRedirect: ir.RequestRedirect{Scheme: strPtr("https")}}}
	cases := []struct {
		name    string
		config  *ir.Config
		warning string // "" for none
	}{
		{"hostnames exclude the gateway hostname", unattached, "receives no traffic"},
		{"a wildcard covering the gateway hostname", attachedByWildcard, ""},
		{"gRPC redirect", grpcRedirect, "GRPCRoute cannot redirect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := base("gw", "gw-model")
			in.Address = "ingress.example.com"
			in.Routes = []RouteRequest{{Relation: rel("a", "istio-ingress-route", 1), Config: tc.config}}
			res := Build(in).Results[0]
			require.Equal(t, StateServed, res.State, res.Reason)
			if tc.warning == "" {
				assert.Empty(t, res.Warnings)
				return
			}
			require.Len(t, res.Warnings, 1)
			assert.Contains(t, res.Warnings[0], tc.warning)
		})
	}
}

// Owners ties every object rendered for relations back to them, so a
// cluster refusing one object can be pinned on the relations it serves.
func TestOwners(t *testing.T) {
	t.Parallel()
	in := base("gw", "infra")
	blog, tempo := rel("blog", "ingress", 1), rel("tempo", "istio-ingress-route", 2)
	in.Ingresses = []IngressRequest{ingressReq("blog", 1, "apps", 8080, false)}
	in.Routes = []RouteRequest{{Relation: tempo, Config: tempoConfig("tempo")}}
	plan := Build(in)

	for _, obj := range plan.Objects {
		id := resource.IDOf(obj)
		switch {
		case obj.GetNamespace() == "apps":
			assert.Equal(t, []Relation{blog}, plan.Owners[id], "%s", id)
		case obj.GetNamespace() == "tempo":
			assert.Equal(t, []Relation{tempo}, plan.Owners[id], "%s", id)
		default:
			assert.Empty(t, plan.Owners[id], "%s is the gateway's own", id)
		}
	}
	assert.Len(t, plan.Owners, len(objectsOf(plan, func(u *unstructured.Unstructured) bool {
		return u.GetNamespace() != "infra"
	})))

	// Two relations routing to one Service share its policy.
	admin := rel("blog-admin", "istio-ingress-route", 3)
	adminCfg := httpConfig(httpRoute("blog", pathMatch(ir.PathMatchPathPrefix, "/admin")))
	adminCfg.Model = "apps"
	in.Routes = append(in.Routes, RouteRequest{Relation: admin, Config: adminCfg})
	plan = Build(in)
	policies := objectsOf(plan, func(u *unstructured.Unstructured) bool {
		return u.GetKind() == resource.KindAuthorizationPolicy.Kind && u.GetNamespace() == "apps"
	})
	require.Len(t, policies, 1)
	assert.Equal(t, []Relation{blog, admin}, plan.Owners[resource.IDOf(policies[0])])
}

// A relation the cluster rejected is dropped from the plan with the
// cluster's reason and reported; everyone else is served as before.
func TestRejectedRelationsAreLeftOut(t *testing.T) {
	t.Parallel()
	in := base("gw", "infra")
	blog, tempo := rel("blog", "ingress", 1), rel("tempo", "istio-ingress-route", 2)
	in.Ingresses = []IngressRequest{ingressReq("blog", 1, "apps", 8080, false)}
	in.Routes = []RouteRequest{{Relation: tempo, Config: tempoConfig("tempo")}}
	before := Build(in)

	in.Rejected = map[juju.RelationID]string{tempo.ID: `HTTPRoute tempo/x: namespaces "tempo" not found`}
	plan := Build(in)
	res, ok := plan.Result(tempo.ID)
	require.True(t, ok)
	assert.Equal(t, StateRejected, res.State)
	assert.Equal(t, `HTTPRoute tempo/x: namespaces "tempo" not found`, res.Reason)
	assert.Empty(t, objectsOf(plan, func(u *unstructured.Unstructured) bool { return u.GetNamespace() == "tempo" }))
	res, _ = plan.Result(blog.ID)
	assert.Equal(t, StateServed, res.State)
	assert.Equal(t, objectsOf(before, func(u *unstructured.Unstructured) bool { return u.GetNamespace() == "apps" }),
		objectsOf(plan, func(u *unstructured.Unstructured) bool { return u.GetNamespace() == "apps" }))
	assert.False(t, plan.Status.OK())
	assert.Equal(t, "rejected by Kubernetes: tempo", plan.Status.Message())
}

// A Gateway holds at most MaxListeners listeners: relations asking for
// more ports are refused in relation order, and a later one reusing a port
// already there is still served.
func TestListenerPortsAreCapped(t *testing.T) {
	t.Parallel()
	in := base("gw", "infra")
	onPort := func(port int) *ir.Config {
		l := ir.Listener{Port: port, Protocol: ir.ProtocolHTTP}
		r := httpRoute("svc", pathMatch(ir.PathMatchPathPrefix, fmt.Sprintf("/p%d", port)))
		r.Listener = l
		return &ir.Config{Model: "m", Listeners: []ir.Listener{l}, HTTPRoutes: []ir.HTTPRoute{r}}
	}
	const asking = MaxListeners + 5 // beyond http-80, which the Gateway always has
	for i := range asking {
		in.Routes = append(in.Routes, RouteRequest{Relation: rel(fmt.Sprintf("app%d", i), "istio-ingress-route", i+1), Config: onPort(9000 + i)})
	}
	reuse := onPort(9000)
	reuse.HTTPRoutes[0].Matches = []ir.HTTPRouteMatch{pathMatch(ir.PathMatchPathPrefix, "/reuse")}
	in.Routes = append(in.Routes, RouteRequest{Relation: rel("reuser", "istio-ingress-route", asking+1), Config: reuse})

	plan := Build(in)
	gw := objectsOf(plan, ofKind("Gateway"))
	require.Len(t, gw, 1)
	listeners, _, _ := unstructured.NestedSlice(gw[0].Object, "spec", "listeners")
	assert.Len(t, listeners, MaxListeners)
	require.Len(t, plan.Status.NoRoom, asking-(MaxListeners-1))
	assert.Equal(t, fmt.Sprintf("app%d", MaxListeners-1), plan.Status.NoRoom[0].App, "the newest relations are refused")
	assert.Contains(t, plan.Status.NoRoom[0].Reason, "at most 64 listener ports")
	res, _ := plan.Result(rel("reuser", "istio-ingress-route", asking+1).ID)
	assert.Equal(t, StateServed, res.State, "a port already on the Gateway needs no room")
	assert.Contains(t, plan.Status.Message(), "no room for more listener ports (at most 64) for: app63, ")
}

// A relation refused only because an older one holds its match is rendered
// in standby, so the charm can have the cluster judge it before it takes the
// older one's place; what the plan already holds is not duplicated there.
func TestStandbyHoldsConflictRefusedRelations(t *testing.T) {
	t.Parallel()
	in := base("gw", "gw-model")
	older := rel("older", "istio-ingress-route", 1)
	newer := rel("newer", "istio-ingress-route", 2)
	in.Routes = []RouteRequest{
		{Relation: older, Config: httpConfig(httpRoute("older"))},
		{Relation: newer, Config: httpConfig(httpRoute("newer"))},
	}
	plan := Build(in)
	res, _ := plan.Result(newer.ID)
	require.Equal(t, StateRefused, res.State)
	require.NotEmpty(t, plan.Standby.Objects)
	for _, obj := range plan.Standby.Objects {
		id := resource.IDOf(obj)
		assert.Equal(t, []Relation{newer}, plan.Standby.Owners[id], "%s", id)
		assert.NotContains(t, plan.Owners, id, "%s is in the plan and in standby", id)
	}
	assert.Len(t, plan.Standby.Owners, len(plan.Standby.Objects))

	in.Rejected = map[juju.RelationID]string{older.ID: "refused by the cluster"}
	plan = Build(in)
	res, _ = plan.Result(newer.ID)
	assert.Equal(t, StateServed, res.State, "the newer takes the refused one's place")
	assert.Empty(t, plan.Standby.Objects)
}
