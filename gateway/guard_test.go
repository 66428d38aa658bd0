package gateway

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

func names(objs []*unstructured.Unstructured) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.GetName())
	}
	return out
}

// Two Services whose policy names, cut to 63 characters with a 6-digit hash,
// were the same object: both are served, each with its own policy under the
// Python charm's name.
func TestPolicyNamesAreThePythonCharmsAndDistinct(t *testing.T) {
	t.Parallel()
	a := strings.Repeat("s", 56) + "0002418"
	b := strings.Repeat("s", 56) + "0003388"
	in := base("istio-ingress-k8s", "gw")
	in.Ingresses = []IngressRequest{ingressReq(a, 1, "m", 80, false), ingressReq(b, 2, "m", 80, false)}
	plan := Build(in)
	for _, r := range plan.Results {
		assert.Equal(t, StateServed, r.State, r.Reason)
	}
	assert.ElementsMatch(t, []string{a + "-istio-ingress-k8s-m-l4", b + "-istio-ingress-k8s-m-l4"},
		names(objectsOf(plan, ofKind("AuthorizationPolicy"))[:2]))
	assert.ElementsMatch(t, []string{a + "-httproute-http-80-istio-ingress-k8s", b + "-httproute-http-80-istio-ingress-k8s"},
		names(objectsOf(plan, ofKind("HTTPRoute"))))
}

// A route name the Python charm keeps (longer than 63 characters) is kept.
func TestLongRouteNamesAreKept(t *testing.T) {
	t.Parallel()
	route := httpRoute("svc")
	route.Name = strings.Repeat("r", 60)
	in := base("gw", "gw-model")
	in.Routes = []RouteRequest{{Relation: rel("app", ir.EndpointAuthenticated, 1), Config: httpConfig(route)}}
	assert.Equal(t, []string{"app-" + route.Name + "-httproute-http-8080-gw"}, names(objectsOf(Build(in), ofKind("HTTPRoute"))))
}

// Whatever two relations' names meet on, the later one is refused and the
// rest of the set is served: the desired set never holds a name twice.
func TestDuplicateObjectNamesRefuseTheLaterRelation(t *testing.T) {
	t.Parallel()
	older := httpRoute("svc", pathMatch(ir.PathMatchPathPrefix, "/one"))
	older.Name = "b-c"
	newer := httpRoute("svc", pathMatch(ir.PathMatchPathPrefix, "/two"))
	newer.Name = "c"
	in := base("gw", "gw-model")
	in.Routes = []RouteRequest{
		{Relation: rel("a", ir.EndpointAuthenticated, 1), Config: httpConfig(older)},
		{Relation: rel("a-b", ir.EndpointAuthenticated, 2), Config: httpConfig(newer)},
	}
	in.Ingresses = []IngressRequest{ingressReq("other", 3, "m", 80, false)}
	plan := Build(in)
	assert.Equal(t, StateServed, plan.Results[0].State)
	assert.Equal(t, StateRefused, plan.Results[1].State)
	assert.Contains(t, plan.Results[1].Reason, "a-b-c-httproute-http-8080-gw")
	assert.Equal(t, StateServed, plan.Results[2].State)
	assert.Contains(t, plan.Status.Message(), "a-b")
	seen := map[string]bool{}
	for _, o := range plan.Objects {
		id := o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
		assert.False(t, seen[id], "%s is in the desired set twice", id)
		seen[id] = true
	}
}

// A newer relation may not take requests an older one's route already
// matches, however it words the match; what only the older can win, or what
// the older never matches, is served.
func TestNoHijack(t *testing.T) {
	t.Parallel()
	l80 := ir.Listener{Port: 80, Protocol: ir.ProtocolHTTP}
	on80 := func(hosts []string, ms ...ir.HTTPRouteMatch) *ir.Config {
		r := ir.HTTPRoute{Name: "r", Listener: l80, Hostnames: hosts, Backends: []ir.BackendRef{{Service: "svc", Port: 80}}, Matches: ms}
		return &ir.Config{Model: "m", Listeners: []ir.Listener{l80}, HTTPRoutes: []ir.HTTPRoute{r}}
	}
	prefix := func(v string) ir.HTTPRouteMatch { return pathMatch(ir.PathMatchPathPrefix, v) }
	get := methodPtr(ir.MethodGet)
	cases := []struct {
		name    string
		app     string
		ask     *ir.Config
		refused bool
	}{
		{"a longer prefix", "thief", on80(nil, prefix("/cos-grafana/login")), true},
		{"an exact path", "thief", on80(nil, pathMatch(ir.PathMatchExact, "/cos-grafana")), true},
		{"an exact path under it", "thief", on80(nil, pathMatch(ir.PathMatchExact, "/cos-grafana/api/health")), true},
		{"the same prefix and a method", "thief", on80(nil, ir.HTTPRouteMatch{Path: prefix("/cos-grafana").Path, Method: get}), true},
		{"the same prefix and a header", "thief", on80(nil, ir.HTTPRouteMatch{Path: prefix("/cos-grafana").Path, Headers: ir.Headers{{Name: "x-user", Value: "admin"}}}), true},
		{"a covering regular expression", "thief", on80(nil, pathMatch(ir.PathMatchRegularExpression, "/cos-graf.*")), true},
		{"a regular expression with a leading anchor", "thief", on80(nil, pathMatch(ir.PathMatchRegularExpression, "^/cos-grafana/.*")), true},
		{"percent-encoded letters", "thief", on80(nil, prefix("/cos-grafan%61/login")), true},
		{"a hostname, which outranks none", "thief", on80([]string{"grafana.example.com"}, prefix("/")), true},
		{"a prefix that only shares characters", "other", on80(nil, prefix("/cos-grafana-two")), false},
		{"a shorter prefix: the older keeps its own", "other", on80(nil, prefix("/")), false},
		{"a regular expression elsewhere", "other", on80(nil, pathMatch(ir.PathMatchRegularExpression, "/other/[a-z]+")), false},
		{"the same application splitting its own routes", "grafana", on80(nil, prefix("/cos-grafana/login")), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := base("gw", "gw-model")
			in.Ingresses = []IngressRequest{ingressReq("grafana", 1, "cos", 3000, false)}
			in.Routes = []RouteRequest{{Relation: rel(tc.app, ir.EndpointAuthenticated, 2), Config: tc.ask}}
			plan := Build(in)
			require.Len(t, plan.Results, 2)
			assert.Equal(t, StateServed, plan.Results[0].State)
			newer := plan.Results[1]
			if !tc.refused {
				assert.Equal(t, StateServed, newer.State, newer.Reason)
				return
			}
			assert.Equal(t, StateRefused, newer.State)
			assert.Contains(t, newer.Reason, "grafana (ingress:1)")
			assert.Contains(t, plan.Status.Message(), "refused: "+tc.app)
			assert.Len(t, objectsOf(plan, ofKind("HTTPRoute")), 1, "only the older route is rendered")
		})
	}
}

// An older route that names a hostname keeps its requests: a newer
// relation that names none is served next to it, and one that names the
// same hostname is refused.
func TestNoHijackWithHostnames(t *testing.T) {
	t.Parallel()
	older := httpConfig(httpRoute("a", pathMatch(ir.PathMatchPathPrefix, "/")))
	older.HTTPRoutes[0].Hostnames = []string{"*.example.com"}
	plain := httpConfig(httpRoute("b", pathMatch(ir.PathMatchPathPrefix, "/b")))
	named := httpConfig(httpRoute("c", pathMatch(ir.PathMatchPathPrefix, "/c")))
	named.HTTPRoutes[0].Hostnames = []string{"shop.example.com"}
	elsewhere := httpConfig(httpRoute("d", pathMatch(ir.PathMatchPathPrefix, "/d")))
	elsewhere.HTTPRoutes[0].Hostnames = []string{"example.com"}
	in := base("gw", "gw-model")
	in.Routes = []RouteRequest{
		{Relation: rel("a", ir.EndpointAuthenticated, 1), Config: older},
		{Relation: rel("b", ir.EndpointAuthenticated, 2), Config: plain},
		{Relation: rel("c", ir.EndpointAuthenticated, 3), Config: named},
		{Relation: rel("d", ir.EndpointAuthenticated, 4), Config: elsewhere},
	}
	plan := Build(in)
	var states []State
	for _, r := range plan.Results {
		states = append(states, r.State)
	}
	assert.Equal(t, []State{StateServed, StateServed, StateRefused, StateServed}, states)
	assert.Contains(t, plan.Results[2].Reason, "hostname shop.example.com")
}

// A listener no route uses is not opened: it would take a place on the
// shared Gateway and serve nothing.
func TestUnusedListenersAreNotOpened(t *testing.T) {
	t.Parallel()
	cfg := httpConfig(httpRoute("svc"))
	for p := range 40 {
		cfg.Listeners = append(cfg.Listeners, ir.Listener{Port: 10000 + p, Protocol: ir.ProtocolHTTP})
	}
	in := base("gw", "gw-model")
	in.Routes = []RouteRequest{{Relation: rel("greedy", ir.EndpointAuthenticated, 1), Config: cfg}}
	var ports []any
	for _, l := range listenersOf(t, Build(in)) {
		ports = append(ports, l["port"])
	}
	assert.Equal(t, []any{int64(80), int64(8080)}, ports)
}

// A CIDR with an IPv6 zone parses in Go but not in Istio: it is reported,
// never rendered.
func TestCIDRWithAZoneIsRefused(t *testing.T) {
	t.Parallel()
	in := base("gw", "gw-model")
	in.ExternalTrafficCIDRs = "fe80::1%eth0, fe80::/10%eth0, 10.0.0.0/8"
	plan := Build(in)
	assert.Equal(t, []string{"fe80::1%eth0", "fe80::/10%eth0"}, plan.Status.BadCIDRs)
}

// A requirer's value is echoed in its reason (the status, the log, the
// state file) only as a short prefix.
func TestReasonsEchoAShortPrefix(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("M", 5<<20)
	route := httpRoute("svc", pathMatch(ir.PathMatchPathPrefix, "/"+strings.Repeat("p", 5000)))
	in := base("gw", "gw-model")
	in.Ingresses = []IngressRequest{ingressReq("app", 1, huge, 80, false)}
	in.Routes = []RouteRequest{
		{Relation: rel("model", ir.EndpointAuthenticated, 2), Config: &ir.Config{Model: huge}},
		{Relation: rel("path", ir.EndpointAuthenticated, 3), Config: httpConfig(route)},
	}
	plan := Build(in)
	for _, r := range plan.Results {
		assert.Equal(t, StateInvalid, r.State, r.App)
		assert.Less(t, len(r.Reason), 300, "%s: %.100s…", r.App, r.Reason)
	}
	assert.Less(t, len(plan.Status.Message()), 300)
}
