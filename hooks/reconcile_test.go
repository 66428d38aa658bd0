package hooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/hooks"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/kube"
	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

const msgStandby = "Backup unit; standing by for leader takeover"

func TestNonLeaderStandsBy(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "standby")
	h.serveGateway("10.1.0.1")
	h.relateIngress("ingress", "blog", 8080, false)
	h.juju.SetLeader(false)

	r := h.dispatch("config-changed")
	assert.Equal(t, [][]string{unitStatus(juju.StatusActive, msgStandby)}, statusSets(r))
	assert.Empty(t, r.CallsTo("relation-set"), "only the leader publishes")
	assert.Empty(t, h.objects(), "only the leader renders")
}

// The gateway comes up in steps: the charm's Gateway first, then Istio's
// workload, then its address. The status says what is missing at each step
// and nothing is published before the gateway can serve.
func TestGatewayComesUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "comes-up")
	meta := h.juju.Relate("gateway-metadata", "mesh-app", nil)
	service := h.ns + "/" + h.app + "-istio"

	r := h.dispatch("install")
	assert.Subset(t, h.objects(), []string{
		"Gateway " + h.ns + "/" + h.app,
		"HorizontalPodAutoscaler " + h.ns + "/" + h.app,
	})
	st := lastStatus(t, r)
	assert.Equal(t, juju.StatusWaiting, st.Name)
	assert.Contains(t, st.Message, "Service "+service+" not found")
	assert.Empty(t, h.juju.Local(meta), "no metadata before the gateway serves")

	require.NoError(t, h.env.CreateGatewayWorkload(h.ctx, h.ns, h.app, 1, 0))
	st = lastStatus(t, h.dispatch("update-status"))
	assert.Equal(t, juju.StatusWaiting, st.Name)
	assert.Contains(t, st.Message, "Service "+service+" has no load balancer address yet")
	assert.Contains(t, st.Message, "Deployment "+service+" has 0/1 replicas ready")

	require.NoError(t, h.env.SetLoadBalancerIngress(h.ctx, h.ns, h.app+"-istio", "10.2.0.7"))
	require.NoError(t, h.env.SetDeploymentStatus(h.ctx, h.ns, h.app+"-istio", 1, 1))
	r = h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.2.0.7"}, lastStatus(t, r))

	var md map[string]string
	require.NoError(t, json.Unmarshal([]byte(h.juju.Local(meta)["metadata"]), &md))
	assert.Equal(t, map[string]string{
		"namespace": h.ns, "gateway_name": h.app,
		"deployment_name": h.app + "-istio", "service_account": h.app + "-istio",
	}, md)
}

func TestIngressV2(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "ingress-v2")
	h.serveGateway("10.3.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	api := h.relateIngress("ingress-unauthenticated", "api", 9000, true)

	r := h.relationHook("changed", blog)
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.3.0.1"}, lastStatus(t, r))

	tests := []struct {
		name        string
		rel         juju.RelationID
		service     string
		port        int64
		stripPrefix bool
	}{
		{"plain", blog, "blog", 8080, false},
		{"strip-prefix on the unauthenticated endpoint", api, "api", 9000, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := "/" + h.apps + "-" + tc.service
			assert.Equal(t, "http://10.3.0.1"+prefix, ingressURL(t, h.juju.Local(tc.rel)))

			route := h.routeFor(h.apps, tc.service)
			require.NotNil(t, route, "no HTTPRoute for %s in %s", tc.service, h.apps)
			rule := firstRule(t, route)
			assert.Equal(t, map[string]any{"type": "PathPrefix", "value": prefix}, nested(t, rule, "matches", 0, "path"))
			assert.Equal(t, tc.port, nested(t, rule, "backendRefs", 0, "port"))
			assert.Equal(t, h.apps, nested(t, rule, "backendRefs", 0, "namespace"))
			assert.Equal(t, h.app, nested(t, route.Object, "spec", "parentRefs", 0, "name"))
			filters, _, _ := unstructured.NestedSlice(rule, "filters")
			if tc.stripPrefix {
				require.Len(t, filters, 1)
				assert.Equal(t, map[string]any{"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"},
					nested(t, filters[0].(map[string]any), "urlRewrite", "path"))
			} else {
				assert.Empty(t, filters)
			}
		})
	}

	// Unrelating blog: Juju still lists the relation during its broken hook.
	r = h.relationHook("broken", blog)
	assert.Nil(t, h.routeFor(h.apps, "blog"), "blog's HTTPRoute outlived its relation")
	assert.NotNil(t, h.routeFor(h.apps, "api"), "api lost its route when blog left")
	assert.Empty(t, writesTo(t, r, blog), "wrote to a relation being broken")
	assert.Empty(t, statusSets(r), "still serving api: the status is unchanged")

	// Once gone from the model, the relation leaves no trace.
	h.juju.Remove(blog)
	r = h.dispatch("update-status")
	assert.Empty(t, r.CallsTo("relation-set"))
	assert.Nil(t, h.routeFor(h.apps, "blog"))
	assert.NotNil(t, h.routeFor(h.apps, "api"))
	_, writes, log := h.kube.take()
	assert.Zero(t, writes, "%v", log)
}

// A served requirer that starts asking for something unservable loses its
// route and its URL (it must not be told it is served) until it asks for
// something valid again; the others are not disturbed.
func TestRequestTurnsInvalidAndBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "turns-invalid")
	h.serveGateway("10.14.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	shop := h.relateIngress("ingress", "shop", 8081, false)
	h.dispatch("update-status")
	shopURL := "http://10.14.0.1/" + h.apps + "-shop"
	require.Equal(t, shopURL, ingressURL(t, h.juju.Local(shop)))

	tests := []struct {
		name string
		bag  map[string]string
	}{
		{"port out of range", pythonIngressBag(h.apps, "shop", 70000, false)},
		{"port not a number", map[string]string{"model": jsonString(h.apps), "name": `"shop"`, "port": `"eighty"`}},
		{"model not a namespace name", pythonIngressBag("Not_A_Namespace", "shop", 8081, false)},
		{"name missing", map[string]string{"model": jsonString(h.apps), "port": "8081"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.juju.SetRemote(shop, tc.bag)
			r := h.relationHook("changed", shop)
			st := lastStatus(t, r)
			assert.Equal(t, juju.StatusBlocked, st.Name)
			assert.Contains(t, st.Message, "shop")
			assert.NotContains(t, h.juju.Local(shop), "ingress", "an invalid request must not keep a URL")
			assert.Nil(t, h.routeFor(h.apps, "shop"))
			assert.NotNil(t, h.routeFor(h.apps, "blog"))
			assert.Empty(t, writesTo(t, r, blog))

			h.juju.SetRemote(shop, pythonIngressBag(h.apps, "shop", 8081, false))
			r = h.relationHook("changed", shop)
			assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.14.0.1"}, lastStatus(t, r))
			assert.Equal(t, shopURL, ingressURL(t, h.juju.Local(shop)))
			assert.NotNil(t, h.routeFor(h.apps, "shop"))
		})
	}
}

// Configuration changes take effect on config-changed: setting, changing
// and clearing external_hostname moves every URL; bad CIDRs block and are
// named.
func TestConfigChanges(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "config")
	h.serveGateway("10.15.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	path := "/" + h.apps + "-blog"

	steps := []struct {
		name       string
		key        string
		value      any // nil: unset
		wantStatus juju.Status
		wantURL    string
	}{
		{"set hostname", "external_hostname", "a.example.com",
			juju.Status{Name: juju.StatusActive, Message: "Serving at a.example.com"}, "http://a.example.com" + path},
		{"change hostname", "external_hostname", "b.example.com",
			juju.Status{Name: juju.StatusActive, Message: "Serving at b.example.com"}, "http://b.example.com" + path},
		{"unset hostname", "external_hostname", nil,
			juju.Status{Name: juju.StatusActive, Message: "Serving at 10.15.0.1"}, "http://10.15.0.1" + path},
		{"bad CIDR", "external-traffic-policy-cidrs", "10.0.0.0/8,not-a-cidr",
			juju.Status{Name: juju.StatusBlocked, Message: "Invalid external-traffic-policy-cidrs: not-a-cidr"}, "http://10.15.0.1" + path},
		{"good CIDRs", "external-traffic-policy-cidrs", "10.0.0.0/8, 192.168.1.1",
			juju.Status{Name: juju.StatusActive, Message: "Serving at 10.15.0.1"}, "http://10.15.0.1" + path},
		// An empty list would deny (or, deleted, allow) all external
		// traffic: the last good policy stays and the option is named.
		{"blank CIDRs", "external-traffic-policy-cidrs", "  ,  ",
			juju.Status{Name: juju.StatusBlocked, Message: msgNoCIDRs}, "http://10.15.0.1" + path},
		{"good CIDRs again", "external-traffic-policy-cidrs", "10.0.0.0/8, 192.168.1.1",
			juju.Status{Name: juju.StatusActive, Message: "Serving at 10.15.0.1"}, "http://10.15.0.1" + path},
		{"empty CIDRs", "external-traffic-policy-cidrs", "",
			juju.Status{Name: juju.StatusBlocked, Message: msgNoCIDRs}, "http://10.15.0.1" + path},
	}
	policyBlocks := func() any {
		policy := h.get(resource.KindAuthorizationPolicy, h.ns, h.app+"-"+h.ns+"-external-traffic")
		require.NotNil(t, policy)
		return nested(t, policy.Object, "spec", "rules", 0, "from", 0, "source", "ipBlocks")
	}
	for _, step := range steps {
		h.juju.SetConfig(step.key, step.value)
		r := h.dispatch("config-changed")
		assert.Equal(t, step.wantStatus, lastStatus(t, r), step.name)
		assert.Equal(t, step.wantURL, ingressURL(t, h.juju.Local(blog)), step.name)
	}
	assert.Equal(t, []any{"10.0.0.0/8", "192.168.1.1"}, policyBlocks(), "the last good list is in force")

	h.juju.SetConfig("external-traffic-policy-cidrs", "10.1.0.0/16")
	r := h.dispatch("config-changed")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.15.0.1"}, lastStatus(t, r))
	assert.Equal(t, []any{"10.1.0.0/16"}, policyBlocks())
}

const msgNoCIDRs = "External-traffic-policy-cidrs is empty: keeping the last external traffic policy"

func TestIstioIngressRoute(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "route")
	h.serveGateway("10.4.0.1")
	vector := validVector(t, "http_and_grpc") // model "tempo": two listeners, an HTTP and a gRPC route
	require.NoError(t, h.env.CreateNamespace(h.ctx, "tempo"))
	rel := h.juju.Relate("istio-ingress-route", "tempo", map[string]string{"config": vector})

	r := h.relationHook("changed", rel)
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.4.0.1"}, lastStatus(t, r))
	assert.Equal(t, map[string]string{"external_host": "10.4.0.1", "tls_enabled": "False"}, h.juju.Local(rel))

	httpRoutes := h.list(resource.KindHTTPRoute, "tempo")
	grpcRoutes := h.list(resource.KindGRPCRoute, "tempo")
	require.Len(t, httpRoutes, 1)
	require.Len(t, grpcRoutes, 1)
	assert.Equal(t, "http-3200", nested(t, httpRoutes[0].Object, "spec", "parentRefs", 0, "sectionName"))
	// As in the reference charm, listeners are named by the Gateway
	// protocol (gRPC is served on an HTTP listener).
	assert.Equal(t, "http-9096", nested(t, grpcRoutes[0].Object, "spec", "parentRefs", 0, "sectionName"))
	assert.Equal(t, map[string]any{"service": "myapp.MyService", "method": "GetData", "type": "Exact"},
		nested(t, firstRule(t, &grpcRoutes[0]), "matches", 0, "method"))
	assert.Equal(t, "GET", nested(t, firstRule(t, &httpRoutes[0]), "matches", 0, "method"))

	gw := h.get(resource.KindGateway, h.ns, h.app)
	require.NotNil(t, gw)
	assert.ElementsMatch(t, []string{"http-80", "http-3200", "http-9096"}, listenerNames(t, gw))
}

// Requirers in other models relate to an offer of the charm's endpoints,
// and Juju's goal-state leaves such relations out on the offering side:
// hooks about anything else (update-status, config-changed) still serve
// them, and a new hostname reaches them.
func TestOfferedRelationsStayServed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "offered")
	h.serveGateway("10.4.1.1")
	require.NoError(t, h.env.CreateNamespace(h.ctx, "tempo"))
	blog := h.relateIngress("ingress", "blog", 8080, false)
	route := h.juju.Relate("istio-ingress-route", "tempo", map[string]string{"config": validVector(t, "http_and_grpc")})
	h.juju.Offer(blog)
	h.juju.Offer(route)

	r := h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.4.1.1"}, lastStatus(t, r))
	assert.Equal(t, "http://10.4.1.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	assert.Equal(t, map[string]string{"external_host": "10.4.1.1", "tls_enabled": "False"}, h.juju.Local(route))
	require.Len(t, h.list(resource.KindHTTPRoute, h.apps), 1, "the ingress app's route")
	require.Len(t, h.list(resource.KindGRPCRoute, "tempo"), 1, "the route requirer's gRPC route")
	before := h.uids()

	h.dispatch("update-status")
	assert.Equal(t, before, h.uids(), "a quiet hook keeps every object")

	h.juju.SetConfig("external_hostname", "offered.example.com")
	r = h.dispatch("config-changed")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at offered.example.com"}, lastStatus(t, r))
	assert.Equal(t, "http://offered.example.com/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	assert.Equal(t, "offered.example.com", h.juju.Local(route)["external_host"])
}

// Juju marks each model's namespace with the model's UUID: a requirer is
// served in a marked namespace only when it lives in that model, whatever
// its bag says.
func TestRequirersStayOutOfOtherModelsNamespaces(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "ns-owner")
	h.serveGateway("10.4.2.1")
	require.NoError(t, h.env.MarkNamespace(h.ctx, h.apps, map[string]string{gateway.NamespaceModelKey: "uuid-apps"}, nil))
	blog := h.relateIngress("ingress", "blog", 8080, false)
	h.juju.SetRemoteModel(blog, "uuid-elsewhere")

	r := h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusBlocked, Message: "Namespace not allowed for: blog"}, lastStatus(t, r))
	assert.Empty(t, h.juju.Local(blog))
	assert.Empty(t, h.list(resource.KindHTTPRoute, h.apps))
	assert.Len(t, logsContaining(r, `namespace "`+h.apps+`" belongs to another Juju model than the requirer's`), 1)

	// The namespace is the requirer's model's after all.
	require.NoError(t, h.env.MarkNamespace(h.ctx, h.apps, map[string]string{gateway.NamespaceModelKey: "uuid-elsewhere"}, nil))
	r = h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.4.2.1"}, lastStatus(t, r))
	assert.Equal(t, "http://10.4.2.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	assert.Len(t, h.list(resource.KindHTTPRoute, h.apps), 1)
}

// Behind an outer ingress that has answered, requirers still get no URL
// until this gateway can serve: the outer URL leads to it.
func TestUpstreamURLWaitsForTheGateway(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "upstream-wait")
	h.juju.Relate("upstream-ingress", "traefik", map[string]string{"ingress": `{"url": "https://outer.example.com/edge"}`})
	blog := h.relateIngress("ingress", "blog", 8080, false)

	r := h.dispatch("update-status")
	assert.Equal(t, juju.StatusWaiting, lastStatus(t, r).Name)
	assert.Empty(t, ingressURL(t, h.juju.Local(blog)), "no URL before the gateway serves")

	h.serveGateway("10.4.3.1")
	r = h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at https://outer.example.com/edge"}, lastStatus(t, r))
	assert.Equal(t, "https://outer.example.com/edge/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
}

// The older relation keeps a contested route: a newcomer asking for the same
// listener, hostname and match is refused as a whole, its published data
// wiped, and the status names it; the incumbent is not disturbed.
func TestConflictRefusesTheNewcomer(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "conflict")
	h.serveGateway("10.5.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	blogPrefix := "/" + h.apps + "-blog"
	squatterCfg := func(path string) map[string]string { return routeBag(t, h.apps, "squatter", 80, path) }
	squatter := h.juju.Relate("istio-ingress-route", "squatter", squatterCfg("/elsewhere"))

	h.dispatch("update-status")
	require.Equal(t, "http://10.5.0.1"+blogPrefix, ingressURL(t, h.juju.Local(blog)))
	require.Equal(t, "10.5.0.1", h.juju.Local(squatter)["external_host"], "a distinct path is no conflict")
	require.NotNil(t, h.routeFor(h.apps, "squatter"))
	before := h.uids()

	h.juju.SetRemote(squatter, squatterCfg(blogPrefix))
	r := h.relationHook("changed", squatter)

	st := lastStatus(t, r)
	assert.Equal(t, juju.StatusBlocked, st.Name)
	assert.Contains(t, st.Message, "squatter")
	assert.Contains(t, st.Message, blogPrefix)
	assert.Empty(t, h.juju.Local(squatter), "the refused newcomer's data must be wiped")
	assert.Nil(t, h.routeFor(h.apps, "squatter"))

	assert.Empty(t, writesTo(t, r, blog), "the incumbent's URL must not be touched")
	assert.Equal(t, "http://10.5.0.1"+blogPrefix, ingressURL(t, h.juju.Local(blog)))
	blogRoute := h.routeFor(h.apps, "blog")
	require.NotNil(t, blogRoute)
	key := "HTTPRoute " + h.apps + "/" + blogRoute.GetName()
	assert.Equal(t, before[key], string(blogRoute.GetUID()), "the incumbent's route was recreated")

	// Both need the operator: the conflict comes first, as in the reference charm.
	h.juju.SetConfig("external_hostname", "Not_A_Host!")
	st = lastStatus(t, h.dispatch("config-changed"))
	assert.Equal(t, juju.StatusBlocked, st.Name)
	assert.True(t, strings.HasPrefix(st.Message, "Route conflict, refused: squatter"), st.Message)
	assert.True(t, strings.HasSuffix(st.Message, "; Invalid hostname provided, Please ensure this adheres to RFC 1123."), st.Message)
}

func TestExternalHostname(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, hostname string
		wantStatus     juju.Status
		wantURL        string // "" = nothing published
		wantListener   string // hostname on the Gateway's listeners
	}{
		{
			name: "valid", hostname: "ingress.example.com",
			wantStatus:   juju.Status{Name: juju.StatusActive, Message: "Serving at ingress.example.com"},
			wantURL:      "http://ingress.example.com/%s-blog",
			wantListener: "ingress.example.com",
		},
		{
			name: "invalid", hostname: "Not_A_Host!",
			wantStatus: juju.Status{Name: juju.StatusBlocked, Message: "Invalid hostname provided, Please ensure this adheres to RFC 1123."},
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fmt.Sprintf("hostname-%d", i))
			h.serveGateway("10.6.0.1")
			blog := h.relateIngress("ingress", "blog", 8080, false)
			h.juju.SetConfig("external_hostname", tc.hostname)

			r := h.dispatch("config-changed")
			assert.Equal(t, tc.wantStatus, lastStatus(t, r))
			if tc.wantURL == "" {
				assert.Empty(t, ingressURL(t, h.juju.Local(blog)))
			} else {
				assert.Equal(t, fmt.Sprintf(tc.wantURL, h.apps), ingressURL(t, h.juju.Local(blog)))
			}
			gw := h.get(resource.KindGateway, h.ns, h.app)
			require.NotNil(t, gw)
			listeners, _, _ := unstructured.NestedSlice(gw.Object, "spec", "listeners")
			require.NotEmpty(t, listeners)
			for _, l := range listeners {
				host, _, _ := unstructured.NestedString(l.(map[string]any), "hostname")
				assert.Equal(t, tc.wantListener, host)
			}
		})
	}
}

// Every databag the Python provider rejects is refused with a reason: the
// hook succeeds, other applications stay served and the status names the
// offender.
func TestInvalidRouteRequests(t *testing.T) {
	t.Parallel()
	for i, v := range vectors(t, "invalid.json") {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fmt.Sprintf("invalid-%d", i))
			h.serveGateway("10.7.0.1")
			blog := h.relateIngress("ingress", "blog", 8080, false)
			bad := h.juju.Relate("istio-ingress-route", "bad-app", map[string]string{"config": v.Input})

			r := h.relationHook("changed", bad)
			assert.Equal(t, "http://10.7.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
			assert.NotNil(t, h.routeFor(h.apps, "blog"))
			assert.Empty(t, h.juju.Local(bad), "an invalid request must not be told it is served")
			assert.Empty(t, h.list(resource.KindHTTPRoute, "m"))
			assert.Empty(t, h.list(resource.KindGRPCRoute, "m"))
			st := lastStatus(t, r)
			if v.Input == "" {
				// Juju cannot hold an empty value: this is a requirer that
				// has not asked yet, which is nothing to complain about.
				assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.7.0.1"}, st)
				return
			}
			assert.Equal(t, juju.StatusBlocked, st.Name)
			assert.Contains(t, st.Message, "bad-app")
			assert.Contains(t, h.logs.String(), "Cannot serve bad-app", "the reason must be logged")
		})
	}
}

// A reconcile where nothing changed costs one read per relation and no
// writes at all: no relation-set, status-set or relation-list --app, and no
// Kubernetes write.
func TestUnchangedReconcileIsQuiet(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "quiet")
	h.serveGateway("10.8.0.1")
	rels := []juju.RelationID{
		h.relateIngress("ingress", "blog", 8080, false),
		h.relateIngress("ingress", "shop", 8081, true),
		h.relateIngress("ingress-unauthenticated", "docs", 8082, false),
		h.juju.Relate("istio-ingress-route", "tempo", map[string]string{"config": validVector(t, "http_route_minimal")}),
		h.juju.Relate("gateway-metadata", "mesh-app", nil),
	}
	require.NoError(t, h.env.CreateNamespace(h.ctx, "m"))
	first := h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.8.0.1"}, lastStatus(t, first))
	for _, rel := range rels {
		assert.Len(t, writesTo(t, first, rel), 1, "%s is written once", rel)
	}

	for _, hook := range []string{"update-status", "ingress-relation-changed"} {
		t.Run(hook, func(t *testing.T) {
			var r = h.dispatch(hook, rels[0])
			assert.Empty(t, r.CallsTo("relation-set"))
			assert.Empty(t, r.CallsTo("status-set"))
			assert.Zero(t, appLookups(r), "remote application names are cached")
			assert.LessOrEqual(t, len(r.Calls()), len(rels)+fixedCalls(), "hook-tool calls: %v", r.Calls())
			_, writes, log := h.kube.take()
			assert.Zero(t, writes, "Kubernetes writes: %v", log)
		})
	}

	// A new hostname changes every URL: each relation is read and written
	// once (gateway-metadata does not name the hostname), within the budget
	// of two calls per relation.
	h.juju.SetConfig("external_hostname", "quiet.example.com")
	r := h.dispatch("config-changed")
	for _, rel := range rels[:4] {
		assert.Len(t, writesTo(t, r, rel), 1, "%s is rewritten", rel)
	}
	assert.Empty(t, writesTo(t, r, rels[4]))
	assert.LessOrEqual(t, len(r.Calls()), 2*len(rels)+fixedCalls(), "hook-tool calls: %v", r.Calls())
}

// fixedCalls is a hook's hook-tool calls whatever the relations: is-leader,
// config-get, goal-state, one relation-ids per endpoint, and a log line.
func fixedCalls() int { return 4 + len(snapshot.Endpoints()) }

// The state file is only a cache: without it the next reconcile reads back
// every bag it publishes to, rewrites none that is right, changes nothing
// in the cluster, and the one after is quiet again.
func TestLostCache(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "lost-cache")
	h.serveGateway("10.9.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	route := h.juju.Relate("istio-ingress-route", "tempo", map[string]string{"config": validVector(t, "http_route_minimal")})
	require.NoError(t, h.env.CreateNamespace(h.ctx, "m"))
	h.dispatch("update-status")
	wantBlog, wantRoute := h.juju.Local(blog), h.juju.Local(route)
	require.NotEmpty(t, wantBlog)
	require.NotEmpty(t, wantRoute)
	before := h.uids()

	h.forgetCache()
	r := h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.9.0.1"}, lastStatus(t, r))
	assert.Len(t, statusSets(r), 1)
	assert.Equal(t, 2, appLookups(r))
	assert.Len(t, ownBagReads(r, h.app), 2, "each relation's bag is read back")
	assert.Empty(t, writesTo(t, r, blog), "already right")
	assert.Empty(t, writesTo(t, r, route), "already right")
	assert.Equal(t, wantBlog, h.juju.Local(blog))
	assert.Equal(t, wantRoute, h.juju.Local(route))
	assert.Equal(t, before, h.uids())
	_, writes, log := h.kube.take()
	assert.Zero(t, writes, "the cluster was already right: %v", log)

	r = h.dispatch("update-status")
	assert.Empty(t, r.CallsTo("relation-set"))
	assert.Empty(t, r.CallsTo("status-set"))
	assert.Zero(t, appLookups(r))
}

// A corrupt state file is set aside and the unit carries on.
func TestCorruptCache(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "corrupt-cache")
	h.serveGateway("10.9.1.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	h.dispatch("update-status")
	require.NoError(t, os.WriteFile(h.statePath(), []byte("{not json"), 0o600))

	r := h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.9.1.1"}, lastStatus(t, r))
	assert.Equal(t, "http://10.9.1.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	r = h.dispatch("update-status")
	assert.Empty(t, r.CallsTo("relation-set"))
	assert.Empty(t, r.CallsTo("status-set"))
}

// A cache entry this version cannot read (say, written by another charm
// revision) is ignored: the unit rebuilds it and serves as usual.
func TestUnreadableCacheEntry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "odd-cache")
	h.serveGateway("10.9.2.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	require.NoError(t, os.WriteFile(h.statePath(), []byte(`{"version":1,"data":{"reconcile":{"apps":["not","a","map"]}}}`), 0o600))

	r := h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.9.2.1"}, lastStatus(t, r))
	assert.Equal(t, "http://10.9.2.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	assert.Contains(t, h.logs.String(), "Ignoring the cached reconcile state")
	r = h.dispatch("update-status")
	assert.Empty(t, r.CallsTo("relation-set"))
	assert.Zero(t, appLookups(r), "the rebuilt cache was saved")
}

// remove deletes everything the application created once its last unit
// goes (any unit may run it: the leader may be gone), and nothing while
// units remain.
func TestRemove(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		goal      map[string]string
		wantGone  bool
		wantCalls []string
	}{
		{name: "last unit", goal: map[string]string{"/0": "dying"}, wantGone: true},
		{name: "units left", goal: map[string]string{"/0": "dying", "/1": "active"}, wantGone: false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fmt.Sprintf("remove-%d", i))
			h.serveGateway("10.10.0.1")
			h.relateIngress("ingress", "blog", 8080, false)
			h.juju.Relate("istio-ingress-route", "tempo", map[string]string{"config": validVector(t, "grpc_route_minimal")})
			require.NoError(t, h.env.CreateNamespace(h.ctx, "m"))
			h.dispatch("update-status")
			before := h.objects()
			require.Subset(t, kinds(before), []string{"Gateway", "HorizontalPodAutoscaler", "HTTPRoute", "GRPCRoute", "DestinationRule", "AuthorizationPolicy"})

			goal := map[string]string{}
			for suffix, s := range tc.goal {
				goal[h.app+suffix] = s
			}
			h.juju.SetGoal(goal)
			h.juju.SetLeader(false)
			r := h.dispatch("remove")
			assert.Empty(t, r.CallsTo("relation-set"))
			if tc.wantGone {
				assert.Empty(t, h.objects())
			} else {
				assert.Equal(t, before, h.objects())
				_, writes, log := h.kube.take()
				assert.Zero(t, writes, "%v", log)
			}
		})
	}
}

// remove fails the hook, so Juju retries it, while an object the charm owns
// is still there (here a finalizer holds the Gateway), and names it; the
// retry after it goes succeeds.
func TestRemoveFailsWhileObjectsRemain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "remove-held")
	h.serveGateway("10.10.1.1")
	h.relateIngress("ingress", "blog", 8080, false)
	h.dispatch("update-status")
	const finalizer = "example.com/hold"
	gw := h.get(resource.KindGateway, h.ns, h.app)
	require.NotNil(t, gw)
	gw.SetFinalizers([]string{finalizer})
	_, err := h.env.Dynamic().Resource(resource.KindGateway.GroupVersionResource).Namespace(h.ns).Update(h.ctx, gw, metav1.UpdateOptions{})
	require.NoError(t, err)

	h.juju.SetGoal(map[string]string{h.app + "/0": "dying"})
	code, _ := h.dispatchCode("remove")
	assert.Equal(t, 1, code, "remove must fail while the Gateway remains")
	assert.Contains(t, h.logs.String(), "still present: Gateway "+h.ns+"/"+h.app)
	assert.Equal(t, []string{"Gateway " + h.ns + "/" + h.app}, h.objects(), "everything else is deleted")

	gw = h.get(resource.KindGateway, h.ns, h.app)
	gw.SetFinalizers(nil)
	_, err = h.env.Dynamic().Resource(resource.KindGateway.GroupVersionResource).Namespace(h.ns).Update(h.ctx, gw, metav1.UpdateOptions{})
	require.NoError(t, err)
	code, _ = h.dispatchCode("remove")
	assert.Equal(t, 0, code)
	assert.Empty(t, h.objects())
}

// A relation write Juju did not commit is healed without outside help: the
// bags are read back after a refresh, after a leadership change and once
// per half hour, and whatever is missing is written again. Between those,
// a quiet hook reads nothing back.
func TestLostWritesAreHealed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		hook string
		wait time.Duration
	}{
		{"upgrade-charm", "upgrade-charm", 0},
		{"leader-elected", "leader-elected", 0},
		{"interval", "update-status", 31 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "healed-"+tc.name)
			clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			h.now = func() time.Time { return clock }
			h.serveGateway("10.13.0.1")
			blog := h.relateIngress("ingress", "blog", 8080, false)
			h.dispatch("update-status")
			url := "http://10.13.0.1/" + h.apps + "-blog"
			require.Equal(t, url, ingressURL(t, h.juju.Local(blog)))

			h.juju.SetLocal(blog, nil) // the write was lost
			clock = clock.Add(10 * time.Minute)
			r := h.dispatch("update-status")
			assert.Empty(t, r.CallsTo("relation-set"), "within the interval the cache is trusted")
			assert.Empty(t, h.juju.Local(blog))

			clock = clock.Add(tc.wait)
			r = h.dispatch(tc.hook)
			assert.Len(t, r.CallsTo("relation-set"), 1)
			assert.Equal(t, url, ingressURL(t, h.juju.Local(blog)))
			r = h.dispatch("update-status")
			assert.Empty(t, r.CallsTo("relation-set"))
		})
	}
}

// After a refresh (or a leadership change) the cache knows nothing of what
// another writer left in the application bags: the bags are read before
// publishing, so keys no longer wanted go, and a relation this charm does
// not serve loses a URL it was given before.
func TestLeftoverKeysGoAfterARefresh(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "leftovers")
	h.serveGateway("10.13.1.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	shop := h.juju.Relate("ingress", "shop", pythonIngressBag(h.apps, "shop", 70000, false))
	stale := map[string]string{"ingress": `{"url": "http://old.example.com/x"}`, "legacy": "1"}
	h.juju.SetLocal(blog, stale)
	h.juju.SetLocal(shop, stale)

	h.dispatch("upgrade-charm")
	assert.Equal(t, map[string]string{"ingress": `{"url": "http://10.13.1.1/` + h.apps + `-blog"}`}, h.juju.Local(blog))
	assert.Empty(t, h.juju.Local(shop), "an invalid requirer keeps nothing from before")
	r := h.dispatch("update-status")
	assert.Empty(t, r.CallsTo("relation-set"))
}

// While the gateway has no address the requirers keep the URL they have: it
// is the best they can get, and the gateway usually comes back at it.
func TestAddressLostKeepsPublishedURLs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "address-lost")
	h.serveGateway("10.12.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	h.dispatch("update-status")
	url := "http://10.12.0.1/" + h.apps + "-blog"
	require.Equal(t, url, ingressURL(t, h.juju.Local(blog)))

	require.NoError(t, h.env.SetLoadBalancerIngress(h.ctx, h.ns, h.app+"-istio"))
	r := h.dispatch("update-status")
	st := lastStatus(t, r)
	assert.Equal(t, juju.StatusWaiting, st.Name)
	assert.Contains(t, st.Message, "has no load balancer address yet")
	assert.Empty(t, r.CallsTo("relation-set"))
	assert.Equal(t, url, ingressURL(t, h.juju.Local(blog)))
	assert.NotNil(t, h.routeFor(h.apps, "blog"), "routes stay while the address is away")

	require.NoError(t, h.env.SetLoadBalancerIngress(h.ctx, h.ns, h.app+"-istio", "10.12.0.1"))
	r = h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.12.0.1"}, lastStatus(t, r))
	assert.Empty(t, r.CallsTo("relation-set"), "the URL never changed")
}

// Leadership moves between units, each with its own state file. Whatever a
// unit remembers writing, the leader must publish what is right now: another
// leader may have written since. A deposed unit learns it either from a hook
// it runs while deposed or from leader-elected when it leads again.
func TestLeadershipHandover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		deposedHook   bool   // unit 0 runs a hook while unit 1 leads
		regainingHook string // the hook unit 0 leads again in
	}{
		{name: "deposed leader ran a hook", deposedHook: true, regainingHook: "update-status"},
		{name: "deposed leader ran no hook", deposedHook: false, regainingHook: "leader-elected"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fmt.Sprintf("handover-%d", i))
			h.serveGateway("10.13.0.1")
			blog := h.relateIngress("ingress", "blog", 8080, false)
			unit0, dir0 := h.juju.Unit(), h.juju.CharmDir()
			moveLB := func(ip string) {
				require.NoError(t, h.env.SetLoadBalancerIngress(h.ctx, h.ns, h.app+"-istio", ip))
			}
			urlAt := func(ip string) string { return "http://" + ip + "/" + h.apps + "-blog" }

			h.dispatch("update-status") // unit 0 leads
			require.Equal(t, urlAt("10.13.0.1"), ingressURL(t, h.juju.Local(blog)))

			// Unit 1 takes over, the load balancer moves and moves back.
			h.juju.SetLeader(false)
			if tc.deposedHook {
				h.dispatch("update-status")
			}
			h.juju.BecomeUnit(h.app+"/1", t.TempDir())
			h.juju.SetLeader(true)
			moveLB("10.13.0.2")
			h.dispatch("leader-elected")
			require.Equal(t, urlAt("10.13.0.2"), ingressURL(t, h.juju.Local(blog)))
			moveLB("10.13.0.1")

			// Unit 0 leads again: it must not trust what it wrote back then.
			h.juju.BecomeUnit(unit0, dir0)
			h.dispatch(tc.regainingHook)
			assert.Equal(t, urlAt("10.13.0.1"), ingressURL(t, h.juju.Local(blog)), "the leader trusted a stale cache")

			r := h.dispatch("update-status")
			assert.Empty(t, r.CallsTo("relation-set"), "the cache is good again")
		})
	}
}

// Kubernetes failures never fail the hook: the status says what is wrong,
// blocked when the operator must act, waiting when the API server is only
// unreachable or slow.
func TestKubernetesFailures(t *testing.T) {
	t.Parallel()
	t.Run("cannot connect", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "no-connect")
		h.relateIngress("ingress", "blog", 8080, false)
		h.cluster = func(string, string) (hooks.Cluster, error) { return nil, errors.New("no KUBECONFIG and not in a pod") }
		st := lastStatus(t, h.dispatch("update-status"))
		assert.Equal(t, juju.StatusBlocked, st.Name)
		assert.Contains(t, st.Message, "connecting to Kubernetes: no KUBECONFIG and not in a pod")
	})
	t.Run("API server unreachable", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "unreachable")
		h.relateIngress("ingress", "blog", 8080, false)
		cfg := h.env.RESTConfig()
		cfg.Host = "https://127.0.0.1:1"
		h.cluster = applierFactory(cfg)
		st := lastStatus(t, h.dispatch("update-status"))
		assert.Equal(t, juju.StatusWaiting, st.Name, "nothing for the operator to do")
		assert.Contains(t, st.Message, "Kubernetes unavailable, retrying at the next hook: reading the gateway address")
		assert.Contains(t, h.logs.String(), "connection refused", "the full error is logged")
	})
}

// A cluster without the Gateway API or Istio CRDs blocks with what to
// install, keeps the hook green, and recovers on the next hook once they are.
func TestMissingCRDs(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	bare, err := kubeenv.Start(ctx, kubeenv.WithoutCRDs())
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, bare.Stop()) })

	h := newHarnessOn(t, bare, "no-crds")
	h.serveGateway("10.11.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)

	r := h.dispatch("install")
	st := lastStatus(t, r)
	assert.Equal(t, juju.StatusBlocked, st.Name)
	assert.Contains(t, st.Message, "install the Gateway API CRDs")
	assert.Contains(t, st.Message, "install the Istio CRDs")
	assert.Empty(t, ingressURL(t, h.juju.Local(blog)), "nothing is served without a Gateway")

	require.NoError(t, bare.InstallCRDs(ctx, kubeenv.GatewayAPICRDs, kubeenv.IstioCRDs))
	r = h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.11.0.1"}, lastStatus(t, r))
	assert.Equal(t, "http://10.11.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	assert.NotNil(t, h.get(resource.KindGateway, h.ns, h.app))
}

// nested reads a field of a decoded object by keys and slice indexes.
func nested(t testing.TB, obj map[string]any, path ...any) any {
	t.Helper()
	var cur any = obj
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			require.True(t, ok, "%v: not an object at %q", path, k)
			cur = m[k]
		case int:
			s, ok := cur.([]any)
			require.True(t, ok && k < len(s), "%v: no item %d", path, k)
			cur = s[k]
		}
	}
	return cur
}

func firstRule(t testing.TB, route *unstructured.Unstructured) map[string]any {
	t.Helper()
	rule, ok := nested(t, route.Object, "spec", "rules", 0).(map[string]any)
	require.True(t, ok)
	return rule
}

func listenerNames(t testing.TB, gw *unstructured.Unstructured) []string {
	t.Helper()
	listeners, _, _ := unstructured.NestedSlice(gw.Object, "spec", "listeners")
	var out []string
	for _, l := range listeners {
		out = append(out, l.(map[string]any)["name"].(string))
	}
	return out
}

func kinds(objects []string) []string {
	var out []string
	for _, o := range objects {
		k, _, _ := strings.Cut(o, " ")
		out = append(out, k)
	}
	return out
}

// vector is one case of relation/ingressroute/testdata.
type vector struct {
	Name   string `json:"name"`
	Config string `json:"config"` // valid.json
	Input  string `json:"input"`  // invalid.json
}

func vectors(t testing.TB, file string) []vector {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "relation", "ingressroute", "testdata", file))
	require.NoError(t, err)
	var doc struct {
		Cases []vector `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.NotEmpty(t, doc.Cases)
	return doc.Cases
}

func validVector(t testing.TB, name string) string {
	t.Helper()
	for _, v := range vectors(t, "valid.json") {
		if v.Name == name {
			return v.Config
		}
	}
	t.Fatalf("no valid vector %q", name)
	return ""
}

// An IPv6 load balancer address is bracketed in the published URLs, as
// RFC 3986 requires, and shown bare in the status.
func TestIPv6LoadBalancer(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "ipv6")
	h.serveGateway("fd00::1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	route := h.juju.Relate("istio-ingress-route", "tempo", map[string]string{"config": validVector(t, "http_and_grpc")})
	require.NoError(t, h.env.CreateNamespace(h.ctx, "tempo"))

	r := h.relationHook("changed", blog)
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at fd00::1"}, lastStatus(t, r))
	assert.Equal(t, "http://[fd00::1]/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	assert.Equal(t, map[string]string{"external_host": "fd00::1", "tls_enabled": "False"}, h.juju.Local(route))
}

// What the charm serves differently from what was asked is logged for the
// operator, once per hook, naming the relation and the route.
func TestServingWarningsAreLogged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "warnings")
	h.serveGateway("10.16.0.1")
	https := "https"
	redirect := ir.HTTPRouteFilter{Type: ir.FilterRequestRedirect, RequestRedirect: &ir.RequestRedirect{Scheme: &https, StatusCode: 301}}
	rel := h.juju.Relate("istio-ingress-route", "docs", routeBag(t, h.apps, "docs", 8080, "", redirect))

	r := h.relationHook("changed", rel)
	assert.Equal(t, juju.StatusActive, lastStatus(t, r).Name)
	var warnings []string
	for _, call := range r.CallsTo("juju-log") {
		if strings.Contains(strings.Join(call.Argv(), " "), "backends are ignored") {
			warnings = append(warnings, strings.Join(call.Argv(), " "))
		}
	}
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "WARNING")
	assert.Contains(t, warnings[0], `"docs"`)
	assert.Contains(t, warnings[0], rel.String())

	// Logged when it appears, not on every hook while it stands.
	assert.Empty(t, h.dispatch("update-status").CallsTo("juju-log"))
}

// A requirer whose objects the cluster refuses (here: its model names a
// namespace that does not exist) is left out with the cluster's reason;
// everyone else is served and published in the same hook, and it is served
// as soon as the cluster accepts it.
func TestClusterRefusalOnlyAffectsItsRelation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "refusal")
	h.serveGateway("10.17.0.1")
	ghostNS := h.apps + "-ghost"
	ghost := h.juju.Relate("istio-ingress-route", "ghost", routeBag(t, ghostNS, "ghost", 8080, ""))
	blog := h.relateIngress("ingress", "blog", 8080, false)

	r := h.relationHook("changed", blog)
	st := lastStatus(t, r)
	assert.Equal(t, juju.StatusBlocked, st.Name)
	assert.Equal(t, "Rejected by Kubernetes: ghost", st.Message)
	assert.Equal(t, "http://10.17.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)), "blog is served in the same hook")
	assert.NotNil(t, h.routeFor(h.apps, "blog"))
	assert.Empty(t, h.juju.Local(ghost), "ghost is not told it is served")
	assert.Empty(t, h.list(resource.KindAuthorizationPolicy, ghostNS))
	var logged []string
	for _, call := range r.CallsTo("juju-log") {
		if line := strings.Join(call.Argv(), " "); strings.Contains(line, "refused the objects of ghost") {
			logged = append(logged, line)
		}
	}
	require.Len(t, logged, 1)
	assert.Contains(t, logged[0], `namespaces "`+ghostNS+`" not found`)

	// While it stays refused, a quiet hook only asks the cluster again in
	// a dry run: nothing is written, the Gateway included.
	gw := h.get(resource.KindGateway, h.ns, h.app)
	require.NotNil(t, gw)
	h.kube.take()
	r = h.dispatch("update-status")
	assert.Empty(t, statusSets(r), "still %q", st.Message)
	assert.Empty(t, r.CallsTo("relation-set"))
	assert.Empty(t, r.CallsTo("juju-log"), "the standing refusal was logged when it appeared")
	_, _, dryRuns := h.kube.take()
	require.NotEmpty(t, dryRuns, "the refused relation is asked about again")
	for _, w := range dryRuns {
		assert.True(t, strings.HasSuffix(w, " dryRun=All"), "a real write: %s", w)
	}
	assert.Equal(t, gw.GetResourceVersion(), h.get(resource.KindGateway, h.ns, h.app).GetResourceVersion())

	// A dry run the server fails to answer proves nothing: the relation
	// stays refused for the reason last given, and nothing is written.
	direct := h.cluster
	h.cluster = func(app, model string) (hooks.Cluster, error) {
		c, err := direct(app, model)
		return unansweredDryRuns{c}, err
	}
	r = h.dispatch("update-status")
	assert.Empty(t, statusSets(r), "still %q", st.Message)
	assert.Empty(t, h.juju.Local(ghost))
	_, writes, writeLog := h.kube.take()
	assert.Zero(t, writes, "%v", writeLog)
	h.cluster = direct

	require.NoError(t, h.env.CreateNamespace(h.ctx, ghostNS))
	r = h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.17.0.1"}, lastStatus(t, r))
	assert.Equal(t, map[string]string{"external_host": "10.17.0.1", "tls_enabled": "False"}, h.juju.Local(ghost))
	assert.Len(t, h.list(resource.KindHTTPRoute, ghostNS), 1)
}

// Any number of relations refused by the cluster is isolated within one
// hook: six requirers naming namespaces that do not exist are all left out
// in the first hook, the two others are served in it, and the next hook
// writes nothing and keeps the same refusals.
func TestManyRefusalsConvergeInOneHook(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "many-refusals")
	h.serveGateway("10.17.1.1")
	var ghosts []juju.RelationID
	var names []string
	for i := range 6 {
		name := fmt.Sprintf("ghost%d", i)
		names = append(names, name)
		ghosts = append(ghosts, h.juju.Relate("istio-ingress-route", name, routeBag(t, h.apps+"-"+name, name, 8080, "")))
	}
	blog := h.relateIngress("ingress", "blog", 8080, false)
	shop := h.juju.Relate("istio-ingress-route", "shop", routeBag(t, h.apps, "shop", 8081, ""))

	r := h.dispatch("update-status")
	want := juju.Status{Name: juju.StatusBlocked, Message: "Rejected by Kubernetes: " + strings.Join(names, ", ")}
	assert.Equal(t, want, lastStatus(t, r))
	assert.Equal(t, "http://10.17.1.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	assert.Equal(t, "10.17.1.1", h.juju.Local(shop)["external_host"])
	for _, g := range ghosts {
		assert.Empty(t, h.juju.Local(g))
	}

	for range 2 {
		r = h.dispatch("update-status")
		assert.Empty(t, statusSets(r), "the refusals are stable")
		assert.Empty(t, r.CallsTo("relation-set"))
		_, _, writeLog := h.kube.take()
		for _, w := range writeLog {
			assert.True(t, strings.HasSuffix(w, " dryRun=All"), "a quiet hook wrote: %s", w)
		}
	}
}

// unansweredDryRuns is a cluster whose API server fails every dry run.
type unansweredDryRuns struct{ hooks.Cluster }

func (u unansweredDryRuns) Stage(ctx context.Context, listing *kube.Listing, objs []*unstructured.Unstructured, dryRun func(resource.ObjectID) bool) (kube.Result, error) {
	var errs []error
	var real []*unstructured.Unstructured
	for _, o := range objs {
		if dryRun == nil || !dryRun(resource.IDOf(o)) {
			real = append(real, o)
			continue
		}
		errs = append(errs, &kube.ObjectError{Op: "apply", Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName(),
			Err: apierrors.NewInternalError(errors.New("etcdserver: request timed out"))})
	}
	res, err := u.Cluster.Stage(ctx, listing, real, dryRun)
	return res, errors.Join(append(errs, err)...)
}

// An older relation whose new request both collides with a newer one and is
// refused by the cluster must not cost the newer one its route: the failed
// first apply deletes nothing, and the newer relation keeps its live route
// (same object) and its data.
func TestRefusedIncumbentDoesNotEvictTheServed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "refused-incumbent")
	h.serveGateway("10.18.0.1")
	older := h.juju.Relate("istio-ingress-route", "older", routeBag(t, h.apps, "older", 8080, "/older"))
	newer := h.juju.Relate("istio-ingress-route", "newer", routeBag(t, h.apps, "newer", 8080, "/shared"))
	h.dispatch("update-status")
	require.Equal(t, "10.18.0.1", h.juju.Local(newer)["external_host"])
	newerRoute := h.routeFor(h.apps, "newer")
	require.NotNil(t, newerRoute)

	h.juju.SetRemote(older, routeBag(t, h.apps+"-nowhere", "older", 8080, "/shared"))
	r := h.relationHook("changed", older)

	assert.Equal(t, juju.Status{Name: juju.StatusBlocked, Message: "Rejected by Kubernetes: older"}, lastStatus(t, r))
	assert.Empty(t, h.juju.Local(older))
	assert.Empty(t, writesTo(t, r, newer), "the newer relation's data was touched")
	assert.Equal(t, "10.18.0.1", h.juju.Local(newer)["external_host"])
	now := h.routeFor(h.apps, "newer")
	require.NotNil(t, now, "the newer relation lost its route")
	assert.Equal(t, newerRoute.GetUID(), now.GetUID(), "the newer relation's route was deleted and recreated")
	assert.Nil(t, h.routeFor(h.apps, "older"), "the older relation's previous route outlived its request")
}

// An API server that stops answering fails the reconcile within the
// Kubernetes budget: the hook still ends (exit 0) with a status that says
// what happened, and the next hook, with the server back, serves again.
func TestHungAPIServerDoesNotHangTheHook(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "hung")
	h.serveGateway("10.19.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	h.dispatch("update-status")
	require.Equal(t, "http://10.19.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))

	direct := h.cluster
	h.cluster = func(app, model string) (hooks.Cluster, error) {
		c, err := direct(app, model)
		return hungLists{c}, err
	}
	h.kubeBudget = 200 * time.Millisecond
	st := lastStatus(t, h.dispatch("update-status"))
	assert.Equal(t, juju.StatusWaiting, st.Name, "nothing for the operator to do")
	assert.Contains(t, st.Message, "Kubernetes unavailable, retrying at the next hook: ")
	assert.Contains(t, st.Message, "no answer from Kubernetes within 200ms")
	assert.Equal(t, "http://10.19.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)), "a served URL is kept")

	h.cluster, h.kubeBudget = direct, 0
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.19.0.1"}, lastStatus(t, h.dispatch("update-status")))
}

// hungLists is a cluster whose listing never answers before the deadline.
type hungLists struct{ hooks.Cluster }

func (c hungLists) List(ctx context.Context) *kube.Listing {
	<-ctx.Done()
	return c.Cluster.List(ctx)
}
