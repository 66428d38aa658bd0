package hooks_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/canonical/istio-ingress-k8s-go/hooks"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
	"github.com/canonical/istio-ingress-k8s-go/kube/kubetest"
	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/resource"
)

var _ hooks.Cluster = (*kubetest.Cluster)(nil)

// Any number of requirers the cluster refuses are left out in one hook,
// each with the cluster's reason, while everyone else is served and
// published; the Gateway keeps no listener only they asked for. The
// refusals stand from hook to hook without a real write, and each refused
// requirer is served as soon as the cluster accepts it.
func TestRefusalsAreIsolated(t *testing.T) {
	t.Parallel()
	h, mem := newMemHarness(t, "mem-refusals")
	mem.ServeGateway("10.30.0.1")
	ghosts := map[string]juju.RelationID{}
	stops := map[string]func(){}
	for _, name := range []string{"ghost-a", "ghost-b", "ghost-c"} {
		ns := h.apps + "-" + name
		stops[name] = mem.RefuseNamespace(ns)
		ghosts[name] = h.juju.Relate("istio-ingress-route", name, routeBag(t, ns, name, 9001, "/"+name))
	}
	blog := h.relateIngress("ingress", "blog", 8080, false)
	tempo := h.juju.Relate("istio-ingress-route", "tempo", routeBag(t, h.apps, "tempo", 8080, "/tempo"))

	r := h.relationHook("changed", blog)
	st := lastStatus(t, r)
	assert.Equal(t, juju.StatusBlocked, st.Name)
	assert.True(t, strings.HasPrefix(st.Message, "Rejected by Kubernetes: "), st.Message)
	for name, rel := range ghosts {
		assert.Contains(t, st.Message, name)
		assert.Empty(t, h.juju.Local(rel), "%s is not told it is served", name)
		assert.Len(t, refusalLogs(r, name), 1, "the refusal of %s is logged once", name)
	}
	assert.Equal(t, "http://10.30.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	assert.Equal(t, map[string]string{"external_host": "10.30.0.1", "tls_enabled": "False"}, h.juju.Local(tempo))
	gw := mem.Get(resource.ObjectID{Kind: "Gateway", Namespace: h.ns, Name: h.app})
	require.NotNil(t, gw)
	assert.ElementsMatch(t, []string{"http-80", "http-8080"}, listenerNames(t, gw), "only refused requirers asked for 9001")
	for _, id := range mem.Objects() {
		assert.NotContains(t, id.Namespace, "ghost", "%s was stored", id)
	}

	// Standing refusals: only dry runs of the refused objects, no write,
	// no status, no publish, no log.
	mem.TakeWrites()
	r = h.dispatch("update-status")
	assert.Empty(t, statusSets(r))
	assert.Empty(t, r.CallsTo("relation-set"))
	assert.Empty(t, r.CallsTo("juju-log"))
	dryRuns := onlyDryRuns(t, mem)
	require.NotEmpty(t, dryRuns, "the refused relations are asked about again")
	for _, w := range dryRuns {
		assert.Contains(t, w.Object.Namespace, "ghost", "only refused objects are asked about: %s", w)
	}

	// The cluster accepts one of them: it alone is served.
	stops["ghost-b"]()
	r = h.dispatch("update-status")
	st = lastStatus(t, r)
	assert.Equal(t, juju.StatusBlocked, st.Name)
	assert.NotContains(t, st.Message, "ghost-b")
	assert.Contains(t, st.Message, "ghost-a")
	assert.Contains(t, st.Message, "ghost-c")
	assert.Equal(t, map[string]string{"external_host": "10.30.0.1", "tls_enabled": "False"}, h.juju.Local(ghosts["ghost-b"]))
	assert.Empty(t, h.juju.Local(ghosts["ghost-a"]))
	assert.Empty(t, writesTo(t, r, blog))
	assert.ElementsMatch(t, []string{"http-80", "http-8080", "http-9001"},
		listenerNames(t, mem.Get(resource.ObjectID{Kind: "Gateway", Namespace: h.ns, Name: h.app})))
}

// Leaving a refused relation out can admit a newer one that collided with
// it; the cluster is asked about that one too before anything is applied,
// so a second refusal is isolated like the first instead of failing the
// reconcile for everyone.
func TestRefusalAdmitsACollidingRelation(t *testing.T) {
	t.Parallel()
	h, mem := newMemHarness(t, "mem-admits")
	mem.ServeGateway("10.35.0.1")
	var ghosts []juju.RelationID
	for _, name := range []string{"older", "newer"} {
		ns := h.apps + "-" + name
		mem.RefuseNamespace(ns)
		ghosts = append(ghosts, h.juju.Relate("istio-ingress-route", name, routeBag(t, ns, name, 9001, "/shared")))
	}
	blog := h.relateIngress("ingress", "blog", 8080, false)

	r := h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusBlocked, Message: "Rejected by Kubernetes: older, newer"}, lastStatus(t, r))
	assert.Equal(t, "http://10.35.0.1/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	for _, rel := range ghosts {
		assert.Empty(t, h.juju.Local(rel))
	}

	// Both stay refused, and nothing is written for them.
	mem.TakeWrites()
	r = h.dispatch("update-status")
	assert.Empty(t, statusSets(r))
	assert.Empty(t, r.CallsTo("relation-set"))
	onlyDryRuns(t, mem)
}

// A dry run the cluster does not answer proves nothing: the relation stays
// refused for the reason last given, and nothing is written.
func TestUnansweredDryRunKeepsTheRefusal(t *testing.T) {
	t.Parallel()
	h, mem := newMemHarness(t, "mem-unanswered")
	mem.ServeGateway("10.31.0.1")
	ghostNS := h.apps + "-ghost"
	stop := mem.RefuseNamespace(ghostNS)
	ghost := h.juju.Relate("istio-ingress-route", "ghost", routeBag(t, ghostNS, "ghost", 8080, ""))
	h.relateIngress("ingress", "blog", 8080, false)
	st := lastStatus(t, h.dispatch("update-status"))
	require.Equal(t, juju.Status{Name: juju.StatusBlocked, Message: "Rejected by Kubernetes: ghost"}, st)

	stop()
	mem.Fail(func(w kubetest.Write) error {
		if w.DryRun {
			return apierrors.NewInternalError(errors.New("etcdserver: request timed out"))
		}
		return nil
	})
	mem.TakeWrites()
	r := h.dispatch("update-status")
	assert.Empty(t, statusSets(r), "still %q", st.Message)
	assert.Empty(t, h.juju.Local(ghost))
	onlyDryRuns(t, mem)
}

// A failure no relation explains fails the reconcile, yet publishing still
// runs: a requirer the plan no longer serves loses its URL in the same
// hook, while served requirers keep theirs (even one the hook would move)
// until an apply succeeds.
func TestPublishOnPartialFailure(t *testing.T) {
	t.Parallel()
	h, mem := newMemHarness(t, "mem-partial")
	mem.ServeGateway("10.32.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	shop := h.relateIngress("ingress", "shop", 8081, false)
	meta := h.juju.Relate("gateway-metadata", "mesh-app", nil)
	h.dispatch("update-status")
	blogURL := "http://10.32.0.1/" + h.apps + "-blog"
	require.Equal(t, blogURL, ingressURL(t, h.juju.Local(blog)))
	require.NotEmpty(t, ingressURL(t, h.juju.Local(shop)))
	require.NotEmpty(t, h.juju.Local(meta))

	// shop turns invalid and the hostname changes while the cluster
	// cannot delete shop's route.
	stop := mem.Fail(func(w kubetest.Write) error {
		if w.Op == "delete" {
			return apierrors.NewServiceUnavailable("etcd leader changed")
		}
		return nil
	})
	h.juju.SetRemote(shop, pythonIngressBag(h.apps, "shop", 70000, false))
	h.juju.SetConfig("external_hostname", "partial.example.com")
	r := h.relationHook("changed", shop)
	st := lastStatus(t, r)
	assert.Equal(t, juju.StatusWaiting, st.Name, "the API server is only unavailable")
	assert.Contains(t, st.Message, "etcd leader changed")
	assert.Empty(t, ingressURL(t, h.juju.Local(shop)), "an unserved requirer keeps no URL")
	assert.Empty(t, writesTo(t, r, blog), "a served requirer keeps its URL")
	assert.Equal(t, blogURL, ingressURL(t, h.juju.Local(blog)))
	assert.Empty(t, writesTo(t, r, meta))

	stop()
	r = h.dispatch("update-status")
	st = lastStatus(t, r)
	assert.Equal(t, juju.StatusBlocked, st.Name)
	assert.Contains(t, st.Message, "shop")
	assert.Equal(t, "http://partial.example.com/"+h.apps+"-blog", ingressURL(t, h.juju.Local(blog)))
	assert.Empty(t, writesTo(t, r, shop), "shop's bag was already right")
	for _, id := range mem.Objects() {
		assert.NotContains(t, id.Name, "shop", "shop's %s outlived its request", id)
	}
}

// A failure staging a requirer's objects that is no refusal stops the
// reconcile before it deletes or publishes anything; the next hook serves
// as usual.
func TestUnexplainedStageFailureChangesNothing(t *testing.T) {
	t.Parallel()
	h, mem := newMemHarness(t, "mem-stage")
	mem.ServeGateway("10.33.0.1")
	blog := h.relateIngress("ingress", "blog", 8080, false)
	h.dispatch("update-status")
	before := mem.Objects()

	stop := mem.Fail(func(w kubetest.Write) error {
		if w.Op == "apply" && w.Object.Kind == "HTTPRoute" {
			return apierrors.NewInternalError(errors.New("etcdserver: request timed out"))
		}
		return nil
	})
	shop := h.relateIngress("ingress", "shop", 8081, false)
	r := h.relationHook("changed", shop)
	st := lastStatus(t, r)
	assert.Equal(t, juju.StatusBlocked, st.Name)
	assert.Contains(t, st.Message, "request timed out")
	assert.Empty(t, h.juju.Local(shop))
	assert.Empty(t, writesTo(t, r, blog))
	assert.Subset(t, mem.Objects(), before, "nothing was deleted")

	stop()
	r = h.dispatch("update-status")
	assert.Equal(t, juju.Status{Name: juju.StatusActive, Message: "Serving at 10.33.0.1"}, lastStatus(t, r))
	assert.Equal(t, "http://10.33.0.1/"+h.apps+"-shop", ingressURL(t, h.juju.Local(shop)))
}

// A warning is logged when it appears, not while it stands, and again
// when it comes back after going away.
func TestStandingWarningsAreLoggedOnce(t *testing.T) {
	t.Parallel()
	h, mem := newMemHarness(t, "mem-warnings")
	mem.ServeGateway("10.34.0.1")
	https := "https"
	redirect := ir.HTTPRouteFilter{Type: ir.FilterRequestRedirect, RequestRedirect: &ir.RequestRedirect{Scheme: &https, StatusCode: 301}}
	warned := routeBag(t, h.apps, "docs", 8080, "", redirect)
	rel := h.juju.Relate("istio-ingress-route", "docs", warned)

	steps := []struct {
		name string
		bag  map[string]string // nil: unchanged
		want int               // warnings logged
	}{
		{"appears", nil, 1},
		{"stands", nil, 0},
		{"goes away", routeBag(t, h.apps, "docs", 8080, ""), 0},
		{"comes back", warned, 1},
		{"stands again", nil, 0},
	}
	for _, step := range steps {
		if step.bag != nil {
			h.juju.SetRemote(rel, step.bag)
		}
		r := h.dispatch("update-status")
		assert.Equal(t, juju.StatusActive, lastStatusOr(r, juju.StatusActive), step.name)
		assert.Len(t, logsContaining(r, "backends are ignored"), step.want, step.name)
	}
}

// onlyDryRuns takes the cluster's writes since the last take and checks
// that none stored anything.
func onlyDryRuns(t testing.TB, mem *kubetest.Cluster) []kubetest.Write {
	t.Helper()
	writes := mem.TakeWrites()
	for _, w := range writes {
		assert.True(t, w.DryRun, "a real write: %s", w)
	}
	return writes
}

// refusalLogs are the juju-log lines saying the cluster refused app's objects.
func refusalLogs(r *jujutest.Runner, app string) []string {
	return logsContaining(r, "refused the objects of "+app)
}

func logsContaining(r *jujutest.Runner, text string) []string {
	var out []string
	for _, call := range r.CallsTo("juju-log") {
		if line := strings.Join(call.Argv(), " "); strings.Contains(line, text) {
			out = append(out, line)
		}
	}
	return out
}

// lastStatusOr is the status a hook set, or was when it set none.
func lastStatusOr(r *jujutest.Runner, was juju.StatusName) juju.StatusName {
	sets := statusSets(r)
	if len(sets) == 0 {
		return was
	}
	return juju.StatusName(sets[len(sets)-1][1])
}
