package hooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/hooks"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/kube/kubetest"
	"github.com/canonical/istio-ingress-k8s-go/state"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

// env is the kube-apiserver every test of the package on a real cluster
// shares, started by the first; each test works in namespaces (Juju models)
// and an application name of its own, so tests run in parallel without
// seeing each other's objects. Tests on an in-memory cluster need none.
var env kubeenv.Lazy

func TestMain(m *testing.M) { kubeenv.MainLazy(m, &env) }

// requestCounter counts the Kubernetes requests the charm makes: GETs
// (reads) and everything else (writes: apply patches, deletes).
type requestCounter struct {
	mu            sync.Mutex
	reads, writes int
	writeLog      []string
}

func (c *requestCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		c.mu.Lock()
		if r.Method == http.MethodGet {
			c.reads++
		} else {
			c.writes++
			entry := r.Method + " " + r.URL.Path
			if dry := r.URL.Query().Get("dryRun"); dry != "" {
				entry += " dryRun=" + dry // the server changes nothing
			}
			c.writeLog = append(c.writeLog, entry)
		}
		c.mu.Unlock()
		return rt.RoundTrip(r)
	})
}

// take returns the counts since the last take and resets them.
func (c *requestCounter) take() (reads, writes int, writeLog []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	reads, writes, writeLog = c.reads, c.writes, c.writeLog
	c.reads, c.writes, c.writeLog = 0, 0, nil
	return reads, writes, writeLog
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// syncBuffer collects the hooks' stderr; Dispatch writes to it from one
// goroutine at a time, but a test may read it while another hook runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is one charm deployment: this unit's view of its Juju model
// (jujutest.Model) and a cluster (the real API server, or an in-memory one),
// with the model's namespace and a namespace for the related applications.
type harness struct {
	t    testing.TB
	ctx  context.Context
	env  *kubeenv.Env // nil on an in-memory cluster
	juju *jujutest.Model
	// app is this application, ns its model (namespace); apps is the model
	// the related applications live in.
	app, ns, apps string
	cluster       hooks.ClusterFactory
	kubeBudget    time.Duration    // 0: the default
	now           func() time.Time // nil: the real clock
	kube          *requestCounter
	logs          *syncBuffer
	pebble        *fakePebble
}

// newHarness deploys the charm as application "gw-<name>" in model <name>
// on the package's API server; name must be unique in the package.
func newHarness(t testing.TB, name string) *harness {
	t.Helper()
	return newHarnessOn(t, env.Env(t), name)
}

// newHarnessOn is newHarness on the API server of e.
func newHarnessOn(t testing.TB, e *kubeenv.Env, name string) *harness {
	t.Helper()
	h := deploy(t, name)
	h.env = e
	require.NoError(t, e.CreateNamespace(h.ctx, h.ns))
	require.NoError(t, e.CreateNamespace(h.ctx, h.apps))
	cfg := e.RESTConfig()
	cfg.WarningHandler = rest.NoWarnings{}
	cfg.WrapTransport = h.kube.wrap
	h.cluster = applierFactory(cfg)
	t.Cleanup(h.cleanUp)
	return h
}

// newMemHarness deploys the charm as newHarness does, on an in-memory
// cluster instead of the API server: its Kubernetes reads and writes are
// the cluster's, not h's.
func newMemHarness(t testing.TB, name string) (*harness, *kubetest.Cluster) {
	t.Helper()
	h := deploy(t, name)
	mem := kubetest.New(hooks.ApplierOptions(h.app, h.ns))
	h.cluster = func(string, string) (hooks.Cluster, error) { return mem, nil }
	return h, mem
}

// deploy is a harness with no cluster yet.
func deploy(t testing.TB, name string) *harness {
	h := &harness{
		t: t, ctx: kubeenv.TestContext(t), app: "gw-" + name, ns: name, apps: name + "-apps",
		kube: &requestCounter{}, logs: &syncBuffer{}, pebble: &fakePebble{},
	}
	h.juju = jujutest.NewModel(h.app, h.ns, t.TempDir())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("hook output of %s:\n%s", h.app, h.logs)
		}
	})
	return h
}

// cleanUp deletes what the test left in the cluster, so the names can be
// used again (go test -count=N) on the same API server.
func (h *harness) cleanUp() {
	c, err := applierFactory(h.env.RESTConfig())(h.app, h.ns)
	require.NoError(h.t, err)
	_, err = c.DeleteAll(h.ctx)
	require.NoError(h.t, err)
	name := kubeenv.GatewayWorkloadName(h.app)
	for _, gvr := range []schema.GroupVersionResource{kubeenv.DeploymentGVR, kubeenv.ServiceGVR} {
		err := h.env.Dynamic().Resource(gvr).Namespace(h.ns).Delete(h.ctx, name, metav1.DeleteOptions{})
		if !apierrors.IsNotFound(err) {
			require.NoError(h.t, err)
		}
	}
}

// applierFactory connects as production does, with cfg instead of KUBECONFIG.
func applierFactory(cfg *rest.Config) hooks.ClusterFactory {
	return func(app, model string) (hooks.Cluster, error) {
		a, err := kube.NewApplier(cfg, hooks.ApplierOptions(app, model))
		if err != nil {
			return nil, err
		}
		return a, nil
	}
}

// dispatch runs one hook in-process and returns the hook-tool calls it made.
// rel is the relation a relation hook is about.
func (h *harness) dispatch(hook string, rel ...juju.RelationID) *jujutest.Runner {
	h.t.Helper()
	code, r := h.dispatchCode(hook, rel...)
	require.Equal(h.t, 0, code, "hooks must exit 0")
	return r
}

// dispatchCode runs one hook like dispatch and returns its exit code too.
func (h *harness) dispatchCode(hook string, rel ...juju.RelationID) (int, *jujutest.Runner) {
	h.t.Helper()
	var about *juju.RelationID
	if len(rel) > 0 {
		about = &rel[0]
	}
	r := h.juju.Runner()
	h.kube.take()
	code := hooks.Dispatch(h.ctx, hooks.Deps{
		Getenv: h.juju.Env(hook, about), Runner: r, Stderr: h.logs, Cluster: h.cluster, KubeBudget: h.kubeBudget, Now: h.now,
		Pebble: h.pebble.factory(),
		// The bound itself is hooktrace's to test: here a slow, loaded
		// machine must not drop the trace a test waits for.
		TraceBudget: 10 * time.Second,
	})
	return code, r
}

// relationHook runs the <endpoint>-relation-<kind> hook of rel.
func (h *harness) relationHook(kind string, rel juju.RelationID) *jujutest.Runner {
	h.t.Helper()
	return h.dispatch(rel.Endpoint+"-relation-"+kind, rel)
}

// serveGateway plays Istio: the gateway Deployment is ready and its Service
// has the load balancer address ip.
func (h *harness) serveGateway(ip string) {
	h.t.Helper()
	require.NoError(h.t, h.env.CreateGatewayWorkload(h.ctx, h.ns, h.app, 1, 1, ip))
}

// relateIngress relates a Python ingress v2 requirer <name> of model h.apps.
func (h *harness) relateIngress(endpoint, name string, port int, stripPrefix bool) juju.RelationID {
	return h.juju.Relate(endpoint, name, pythonIngressBag(h.apps, name, port, stripPrefix))
}

func (h *harness) instance() string { return gateway.InstanceLabel(h.ns, h.app) }

// objects names every object this deployment owns, as "Kind namespace/name",
// sorted, across every namespace.
func (h *harness) objects() []string {
	h.t.Helper()
	var out []string
	seen := map[resource.Kind]bool{}
	for _, s := range resource.Scopes() {
		for _, k := range s.Kinds {
			if seen[k] {
				continue
			}
			seen[k] = true
			for _, o := range h.list(k, "") {
				out = append(out, k.Kind+" "+o.GetNamespace()+"/"+o.GetName())
			}
		}
	}
	sort.Strings(out)
	return out
}

// list returns this deployment's objects of kind in namespace ("" = all).
func (h *harness) list(k resource.Kind, namespace string) []unstructured.Unstructured {
	h.t.Helper()
	list, err := h.env.Dynamic().Resource(k.GroupVersionResource).Namespace(namespace).
		List(h.ctx, metav1.ListOptions{LabelSelector: resource.LabelInstance + "=" + h.instance()})
	if apierrors.IsNotFound(err) {
		return nil // the cluster does not serve this kind
	}
	require.NoError(h.t, err)
	return list.Items
}

// get reads one object; nil when it does not exist.
func (h *harness) get(k resource.Kind, namespace, name string) *unstructured.Unstructured {
	h.t.Helper()
	o, err := h.env.Dynamic().Resource(k.GroupVersionResource).Namespace(namespace).Get(h.ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	require.NoError(h.t, err)
	return o
}

// uids maps every owned object to its UID: unchanged UIDs mean nothing was
// deleted and recreated.
func (h *harness) uids() map[string]string {
	h.t.Helper()
	out := map[string]string{}
	seen := map[resource.Kind]bool{}
	for _, s := range resource.Scopes() {
		for _, k := range s.Kinds {
			if seen[k] {
				continue
			}
			seen[k] = true
			for _, o := range h.list(k, "") {
				out[k.Kind+" "+o.GetNamespace()+"/"+o.GetName()] = string(o.GetUID())
			}
		}
	}
	return out
}

// routeFor finds this deployment's HTTPRoute in namespace whose first rule
// sends to service; nil when there is none.
func (h *harness) routeFor(namespace, service string) *unstructured.Unstructured {
	h.t.Helper()
	for _, o := range h.list(resource.KindHTTPRoute, namespace) {
		if slices.Contains(backendServices(o), service) {
			return &o
		}
	}
	return nil
}

// statePath is the unit's state file.
func (h *harness) statePath() string { return filepath.Join(h.juju.CharmDir(), state.FileName) }

func (h *harness) forgetCache() {
	h.t.Helper()
	require.NoError(h.t, os.Remove(h.statePath()))
}

// backendServices lists the backend Service names of every rule of a route.
func backendServices(route unstructured.Unstructured) []string {
	var out []string
	rules, _, _ := unstructured.NestedSlice(route.Object, "spec", "rules")
	for _, r := range rules {
		refs, _, _ := unstructured.NestedSlice(r.(map[string]any), "backendRefs")
		for _, ref := range refs {
			name, _, _ := unstructured.NestedString(ref.(map[string]any), "name")
			out = append(out, name)
		}
	}
	return out
}

// statusSets returns the args of every status-set call.
func statusSets(r *jujutest.Runner) [][]string {
	var out [][]string
	for _, c := range r.CallsTo("status-set") {
		out = append(out, c.Args)
	}
	return out
}

func unitStatus(name juju.StatusName, msg string) []string {
	return []string{"--application=False", string(name), "--", msg}
}

// lastStatus is the status a hook left the unit in.
func lastStatus(t testing.TB, r *jujutest.Runner) juju.Status {
	t.Helper()
	sets := statusSets(r)
	require.NotEmpty(t, sets, "the hook set no status")
	last := sets[len(sets)-1]
	require.Len(t, last, 4)
	return juju.Status{Name: juju.StatusName(last[1]), Message: last[3]}
}

// writesTo returns the data of every relation-set call on rel.
func writesTo(t testing.TB, r *jujutest.Runner, rel juju.RelationID) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, c := range r.CallsTo("relation-set") {
		if i := slices.Index(c.Args, "-r"); i >= 0 && i+1 < len(c.Args) && c.Args[i+1] == rel.String() {
			var data map[string]string
			require.NoError(t, json.Unmarshal(c.Stdin, &data))
			out = append(out, data)
		}
	}
	return out
}

// appCalls counts relation-list --app calls.
func appLookups(r *jujutest.Runner) int {
	n := 0
	for _, c := range r.CallsTo("relation-list") {
		if slices.Contains(c.Args, "--app") {
			n++
		}
	}
	return n
}

// ownBagReads are the relation-get calls reading app's own application bag.
func ownBagReads(r *jujutest.Runner, app string) []jujutest.Call {
	var out []jujutest.Call
	for _, c := range r.CallsTo("relation-get") {
		if slices.Contains(c.Args, "--app") && slices.Contains(c.Args, app) {
			out = append(out, c)
		}
	}
	return out
}

// ingressURL reads the URL an ingress v2 provider published in bag ("" if none).
func ingressURL(t testing.TB, bag map[string]string) string {
	t.Helper()
	raw, ok := bag["ingress"]
	if !ok {
		return ""
	}
	var v struct {
		URL string `json:"url"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &v), "ingress value %q", raw)
	return v.URL
}
