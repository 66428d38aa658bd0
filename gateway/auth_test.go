package gateway

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// checked evaluates the ext-authz policy as Istio does: a request goes to
// the proxy (CUSTOM) or is denied (DENY) when it matches any rule.
func checked(t *testing.T, policy *unstructured.Unstructured, port int, host, path string) bool {
	t.Helper()
	rules, _, _ := unstructured.NestedSlice(policy.Object, "spec", "rules")
	for _, r := range rules {
		to, _, _ := unstructured.NestedSlice(r.(map[string]any), "to")
		if len(to) == 0 {
			return true
		}
		op := to[0].(map[string]any)["operation"].(map[string]any)
		list := func(k string) []string {
			v, _, _ := unstructured.NestedStringSlice(op, k)
			return v
		}
		in := func(k string, value string, match func(pattern, v string) bool) bool {
			for _, p := range list(k) {
				if match(p, value) {
					return true
				}
			}
			return false
		}
		exact := func(p, v string) bool { return p == v }
		glob := func(p, v string) bool {
			switch {
			case p == "*":
				return true
			case strings.HasSuffix(p, "*"):
				return strings.HasPrefix(v, strings.TrimSuffix(p, "*"))
			case strings.HasPrefix(p, "*"):
				return strings.HasSuffix(v, strings.TrimPrefix(p, "*"))
			}
			return p == v
		}
		ps := strconv.Itoa(port)
		if (len(list("ports")) > 0 && !in("ports", ps, exact)) || in("notPorts", ps, exact) ||
			(len(list("hosts")) > 0 && !in("hosts", host, glob)) || in("notHosts", host, glob) ||
			(len(list("paths")) > 0 && !in("paths", path, glob)) || in("notPaths", path, glob) {
			continue
		}
		return true
	}
	return false
}

func extAuthzPolicy(t *testing.T, plan Plan) *unstructured.Unstructured {
	t.Helper()
	for _, o := range plan.Objects {
		if o.GetName() == "ext-authz-istio-ingress-k8s" {
			return o
		}
	}
	require.Fail(t, "no ext-authz policy")
	return nil
}

func TestBypassIsScopedToTheUnauthenticatedRoutesListenerAndHost(t *testing.T) {
	t.Parallel()
	sc := authScenarios()[0]
	require.Equal(t, "auth-forward", sc.name)
	p := extAuthzPolicy(t, Build(sc.in))
	tests := []struct {
		port       int
		host, path string
		want       bool
		why        string
	}{
		{80, "10.0.0.1", "/cos-grafana/login", true, "authenticated ingress v2 app"},
		{80, "10.0.0.1", "/cos-catalogue/items", false, "unauthenticated ingress v2 app"},
		{80, "10.0.0.1", "/docs/page", true, "the Python charm's hole: /docs is open on 8080 only"},
		{8080, "10.0.0.1", "/docs/page", false, "unauthenticated /docs on its own listener"},
		{8080, "10.0.0.1", "/other", true, "everything else on 8080"},
		{9090, "pub.example.com", "/pub/x", false, "unauthenticated on its hostname"},
		{9090, "other.example.com", "/pub/x", true, "not on another hostname"},
		{9090, "pub.example.com", "/pub/admin/users", true, "an authenticated route within the open prefix"},
		{9090, "pub.example.com", "/v1/status", true, "a regular expression is never let through"},
		{9000, "10.0.0.1", "/grpc.health.v1.Health/Check", false, "unauthenticated gRPC service"},
		{9000, "10.0.0.1", "/other.Service/Call", true, "other gRPC services"},
		{4318, "10.0.0.1", "/", true, "a port without unauthenticated routes"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, checked(t, p, tt.port, tt.host, tt.path), "%s: %d %s%s", tt.why, tt.port, tt.host, tt.path)
	}
}

func TestForwardAuthClosedDeniesOnlyTheAuthenticatedRoutes(t *testing.T) {
	t.Parallel()
	sc := authScenarios()[1]
	plan := Build(sc.in)
	p := extAuthzPolicy(t, plan)
	action, _, _ := unstructured.NestedString(p.Object, "spec", "action")
	assert.Equal(t, "DENY", action)
	assert.Equal(t, AuthClosed, plan.Auth.Mode)
	assert.True(t, plan.Auth.Blocked)
	assert.True(t, checked(t, p, 80, "10.0.0.1", "/cos-grafana"))
	assert.False(t, checked(t, p, 80, "10.0.0.1", "/cos-catalogue"))
}

func TestForwardAuthModes(t *testing.T) {
	t.Parallel()
	on := forwardAuthOn()
	noAddress := forwardAuthOn()
	noAddress.ForwardAuth.Config = nil
	noName := forwardAuthOn()
	noName.IngressConfig.ProviderName = ""
	tests := []struct {
		name    string
		auth    Auth
		mode    AuthMode
		blocked bool
		missing string
	}{
		{"not related", Auth{}, AuthOff, false, ""},
		{"usable", on, AuthOn, false, ""},
		{"no decisions address yet", noAddress, AuthClosed, false, "waiting for oauth2-proxy to publish its decisions address"},
		{"istio-k8s has not answered", noName, AuthClosed, false, "waiting for istio to register the forward-auth provider"},
	}
	for _, tt := range tests {
		mode, missing, blocked := authMode(tt.auth)
		assert.Equal(t, tt.mode, mode, tt.name)
		assert.Equal(t, tt.blocked, blocked, tt.name)
		assert.Equal(t, tt.missing, missing, tt.name)
	}
}

func TestRemovingForwardAuthServesRoutesOpen(t *testing.T) {
	t.Parallel()
	in := authScenarios()[0].in
	in.Auth = Auth{}
	plan := Build(in)
	for _, o := range plan.Objects {
		assert.NotEqual(t, "ext-authz-istio-ingress-k8s", o.GetName())
	}
	assert.Equal(t, AuthOff, plan.Auth.Mode)
}

func TestTooManyRulesAuthenticatesEverything(t *testing.T) {
	t.Parallel()
	in := base("istio-ingress-k8s", "istio-system")
	in.Auth = forwardAuthOn()
	// Ten relations of 60 routes, each on its own hostname, over 60 ports:
	// more rules than the schema allows.
	for r := range 10 {
		var routes []ir.HTTPRoute
		for i := range 60 {
			host := []string{"h" + strconv.Itoa(r*60+i) + ".example.com"}
			routes = append(routes, routeOn(8000+i, "r"+strconv.Itoa(i), host, prefix("/p")))
		}
		app := "many" + strconv.Itoa(r)
		in.Routes = append(in.Routes, RouteRequest{Relation: rel(app, "istio-ingress-route-unauthenticated", 3+r), Config: routesConfig("cos", routes...)})
	}
	plan := Build(in)
	p := extAuthzPolicy(t, plan)
	rules, _, _ := unstructured.NestedSlice(p.Object, "spec", "rules")
	assert.Equal(t, []any{map[string]any{}}, rules)
	assert.NotEmpty(t, plan.Auth.Narrowed)
}

// A request-auth relation the cluster refused is listed with the other
// rejected relations, once, and not as invalid JWT data; its rules are
// left out while the deny policy stays.
func TestRejectedRequestAuthIsListedOnceAsRejected(t *testing.T) {
	in := base("gw", "m")
	idp := rel("idp-app", "istio-request-auth", 22)
	in.Auth.RequestAuth = []RequestAuthRequest{{Relation: idp, Rules: jwtRules()}}
	in.Rejected = map[juju.RelationID]string{idp.ID: "RequestAuthentication m/request-auth-idp-app-gw: denied"}
	plan := Build(in)
	require.Len(t, plan.Status.Rejected, 1)
	assert.Equal(t, idp, plan.Status.Rejected[0].Relation)
	assert.Empty(t, plan.Auth.InvalidJWT)
	assert.Empty(t, objectsOf(plan, ofKind("RequestAuthentication")))
	assert.True(t, plan.Auth.DenyWithoutJWT)
}
