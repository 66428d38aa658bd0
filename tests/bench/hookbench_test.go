package bench

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/hooks"
	"github.com/canonical/istio-ingress-k8s-go/hooktrace/otlptest"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"github.com/canonical/istio-ingress-k8s-go/tests/charm"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/certprovider"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
	"github.com/canonical/istio-ingress-k8s-go/tests/pebbleenv"
)

var env *kubeenv.Env

// TestMain starts the API server only when benchmarks run: the package's
// tests need none, and go test ./... should not pay for one.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		os.Exit(m.Run())
	}
	kubeenv.Main(m, &env)
}

const (
	app       = "istio-ingress-k8s"
	lbAddress = "10.30.0.1"
)

// hostnames alternate as external_hostname in the "changed" case: each
// change rewrites every published URL and the gateway's listener.
var hostnames = [2]string{"a.bench.example.com", "b.bench.example.com"}

// Backend ports the requirers ask for; the "changed" case alternates each
// with the next port up, so every route and every backend's L4 policy must
// be re-applied. The gateway's listener ports stay as they are.
const (
	httpPort = 8080
	grpcPort = 9090
)

// BenchmarkConfigChanged measures one config-changed hook of the leader
// related to n applications (ingress v2 and istio-ingress-route, mixed):
//
//   - unchanged: nothing changed since the last hook, the common case;
//   - unchanged-traced: the same with charm-tracing related to an OTLP/HTTP
//     receiver that takes the hook's trace (checked after each hook);
//   - unchanged-silent-receiver: the same with the receiver accepting
//     connections and never answering, so every hook's export gives up at
//     its bound;
//   - changed: everything changed: external_hostname (so every URL is
//     re-published and the gateway re-applied) and every requirer's backend
//     ports (so every HTTPRoute, GRPCRoute and L4 AuthorizationPolicy is
//     re-applied). The requirers' new requests are written into the model
//     before the hook, as if their relation hooks had run; only the
//     leader's config-changed hook is measured. After each such hook the
//     benchmark checks the new URLs are published and that it made at
//     least as many Kubernetes writes as there are objects to rewrite.
//
// Per hook it reports the hook's wall time, the charm's own time (wall
// minus the time the charm spent waiting for hook tools, from starting each
// to its exit, as the charm itself reports at the end of every hook: see
// toolTime), hook-tool calls, Kubernetes requests (reads, writes, API discovery) and
// peak RSS: the charm process's own, and its process tree's (see
// cmd/maxrss).
func BenchmarkConfigChanged(b *testing.B) {
	s := suite{
		archive: charm.Packed(b),
		maxrss:  build(b, "maxrss"),
		proxy:   startCountingProxy(b, env.RESTConfig()),
	}
	for _, n := range []int{1, 10, 100, 500} {
		b.Run(fmt.Sprintf("apps=%d", n), func(b *testing.B) {
			f := s.newFixture(b, n)
			b.Run("unchanged", func(b *testing.B) {
				f.measure(b, func() jujusim.HookRun { return f.m.RunHook(f.leader, "config-changed") }, nil)
			})
			b.Run("changed", func(b *testing.B) {
				f.measure(b, func() jujusim.HookRun { return f.changeEverything(b) }, f.checkRewritten)
			})
			// The unchanged hook again, now with charm-tracing related:
			// first to a receiver that takes every trace, then to one
			// that never answers (the export's bound is what it costs).
			recv := otlptest.Start()
			defer recv.Close()
			traced := f.relateTracing(b, recv.URL)
			b.Run("unchanged-traced", func(b *testing.B) {
				f.measure(b, func() jujusim.HookRun { return f.m.RunHook(f.leader, "config-changed") }, f.checkTraced(recv))
			})
			silent, _ := otlptest.Silent(b)
			f.setTracingReceiver(b, traced, silent)
			b.Run("unchanged-silent-receiver", func(b *testing.B) {
				f.measure(b, func() jujusim.HookRun { return f.m.RunHook(f.leader, "config-changed") }, nil)
			})
		})
	}
}

// BenchmarkConfigChangedTLS is the unchanged config-changed hook with TLS
// on: a certificates provider related and its certificate served. Such a
// hook must make no Kubernetes write and send no new certificate request;
// the benchmark fails otherwise.
func BenchmarkConfigChangedTLS(b *testing.B) {
	s := suite{
		archive: charm.Packed(b),
		maxrss:  build(b, "maxrss"),
		proxy:   startCountingProxy(b, env.RESTConfig()),
		prefix:  "hookbench-tls",
	}
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("apps=%d", n), func(b *testing.B) {
			f := s.newFixture(b, n)
			csr := f.enableTLS(b)
			b.Run("unchanged", func(b *testing.B) {
				f.measure(b, func() jujusim.HookRun { return f.m.RunHook(f.leader, "config-changed") }, func(b *testing.B, k kubeCounts) {
					if k.Writes > 0 {
						b.Fatalf("an unchanged hook with TLS on made %d Kubernetes writes: %s", k.Writes, strings.Join(k.WriteLog, ", "))
					}
					if got := f.ca.Requests(b); len(got) != 1 || got[0] != csr {
						b.Fatalf("an unchanged hook with TLS on changed the certificate request")
					}
				})
			})
		})
	}
}

// enableTLS relates a certificates provider, lets it answer, settles and
// returns the request the charm sent.
func (f *fixture) enableTLS(b *testing.B) string {
	b.Helper()
	f.ca = certprovider.New(b, f.m, "bench-ca", true)
	jujusim.RequireOK(b, f.ca.Relate(app, "certificates", nil))
	jujusim.RequireOK(b, f.ca.Answer(b))
	for range 2 {
		jujusim.RequireOK(b, []jujusim.HookRun{f.m.RunHook(f.leader, "config-changed")})
	}
	if st := f.m.UnitStatus(f.leader); st.Message != "Serving at "+lbAddress {
		b.Fatalf("leader status %v, want serving", st)
	}
	f.checkPublished(b, lbAddress)
	reqs := f.ca.Requests(b)
	if len(reqs) != 1 {
		b.Fatalf("%d certificate requests, want 1", len(reqs))
	}
	return reqs[0]
}

// suite is what every fixture shares.
type suite struct {
	archive string
	maxrss  string
	proxy   *countingProxy
	// prefix names the fixtures' models (default hookbench).
	prefix string
}

// fixture is a model with the charm deployed and n requirers related.
type fixture struct {
	*suite
	m       *jujusim.Model
	n       int
	apps    string // the requirers' model
	leader  string
	rels    []int
	changes int
	ca      *certprovider.Provider // nil while TLS is off
}

func (s *suite) newFixture(b *testing.B, n int) *fixture {
	b.Helper()
	ctx := context.Background()
	model := fmt.Sprintf("%s-%d", cmp.Or(s.prefix, "hookbench"), n)
	f := &fixture{suite: s, n: n, apps: model + "-apps", leader: app + "/0"}
	for _, ns := range []string{model, f.apps} {
		if err := env.CreateNamespace(ctx, ns); err != nil {
			b.Fatal(err)
		}
	}
	if err := env.CreateGatewayWorkload(ctx, model, app, 1, 1, lbAddress); err != nil {
		b.Fatal(err)
	}
	// The leader's metrics-proxy container: a real Pebble, and a gateway
	// whose readiness endpoint answers, so the hook makes its Pebble calls.
	health := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	b.Cleanup(health.Close)
	pebble := pebbleenv.Start(b)
	f.m = jujusim.NewModel(b, jujusim.WithModelName(model),
		jujusim.WithHookEnv(map[string]string{
			"KUBECONFIG":          s.proxy.kubeconfig,
			hooks.PebbleSocketEnv: pebble.Socket,
			hooks.HealthURLEnv:    health.URL + "/healthz/ready",
		}))
	jujusim.RequireOK(b, f.m.Deploy(app, s.archive, 1))
	f.addRequirers(b)
	// The first reconcile creates everything; the second must find the
	// steady state the benchmark starts from.
	for range 2 {
		jujusim.RequireOK(b, []jujusim.HookRun{f.m.RunHook(f.leader, "config-changed")})
	}
	if st := f.m.UnitStatus(f.leader); st.Message != "Serving at "+lbAddress {
		b.Fatalf("leader status %v, want serving", st)
	}
	f.checkPublished(b, lbAddress)
	b.Cleanup(func() { f.deleteObjects(b, model) })
	return f
}

// deleteObjects deletes what the charm created, so later fixtures list
// against a cluster of the size they expect. (Removing the application
// through Juju would run two hooks per relation.)
func (f *fixture) deleteObjects(b *testing.B, model string) {
	ctx := context.Background()
	seen := map[string]bool{}
	selector := metav1.ListOptions{LabelSelector: resource.LabelInstance + "=" + gateway.InstanceLabel(model, app)}
	for _, s := range resource.Scopes() {
		for _, k := range s.Kinds {
			if seen[k.Resource] {
				continue
			}
			seen[k.Resource] = true
			for _, ns := range []string{model, f.apps} {
				err := env.Dynamic().Resource(k.GroupVersionResource).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, selector)
				if err != nil {
					b.Errorf("delete %s in %s: %v", k.Resource, ns, err)
				}
			}
		}
	}
}

// addRequirers writes n related applications straight into the model, as
// if their relation hooks had already run: relating 500 applications one
// hook at a time would take most of an hour and measure nothing we report.
// Even-numbered ones speak ingress v2 (half of them unauthenticated), odd
// ones istio-ingress-route with an HTTP route, every other one also a
// gRPC route; every request is as the Python libraries write it.
func (f *fixture) addRequirers(b *testing.B) {
	b.Helper()
	path := filepath.Join(f.m.Dir(), simstate.ModelFile)
	md, err := simstate.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	for i := range f.n {
		name := fmt.Sprintf("req-%d", i)
		unit := name + "/0"
		endpoint, appBag, unitBag := f.requirer(i, name, 0)
		md.Apps[name] = &simstate.App{Name: name, Status: simstate.Status{Status: "active"}, NextUnit: 1}
		md.Units[unit] = &simstate.Unit{Name: unit, App: name, Status: simstate.Status{Status: "active"},
			Address: fmt.Sprintf("10.40.%d.%d", i/250, i%250+1)}
		id := md.NextRelationID
		md.NextRelationID++
		md.Relations[id] = &simstate.Relation{
			ID:    id,
			Sides: []simstate.RelationEndpoint{{App: app, Endpoint: endpoint}, {App: name, Endpoint: endpoint}},
			Seen:  map[string][]string{f.leader: {unit}},
			Bags:  map[string]map[string]string{name: appBag, unit: unitBag},
			// The requirers live in their own model, as they do in Juju.
			Models: map[string]string{name: jujusim.ModelUUID(f.apps)},
		}
		f.rels = append(f.rels, id)
	}
	if err := md.Save(path); err != nil {
		b.Fatal(err)
	}
}

// requirer returns the i-th requirer's endpoint and databags; its backend
// ports are the base ones plus shift.
func (f *fixture) requirer(i int, name string, shift int) (endpoint string, appBag, unitBag map[string]string) {
	switch i % 4 {
	case 0, 2:
		endpoint = "ingress"
		if i%4 == 2 {
			endpoint = "ingress-unauthenticated"
		}
		return endpoint,
			map[string]string{"model": strconv.Quote(f.apps), "name": strconv.Quote(name), "port": strconv.Itoa(httpPort + shift)},
			map[string]string{"host": strconv.Quote(name + "-0." + name + "-endpoints." + f.apps + ".svc.cluster.local"), "ip": `"10.40.0.1"`}
	}
	listeners := fmt.Sprintf(`{"port":%d,"protocol":"HTTP"}`, httpPort)
	grpc := ""
	endpoint = "istio-ingress-route"
	if i%4 == 3 {
		endpoint = "istio-ingress-route-unauthenticated"
		listeners += fmt.Sprintf(`,{"port":%d,"protocol":"GRPC"}`, grpcPort)
		grpc = fmt.Sprintf(`{"name":"grpc","listener":{"port":%d,"protocol":"GRPC"},"backends":[{"service":%q,"port":%d,"weight":null}],`+
			`"hostnames":null,"matches":[{"headers":null,"method":{"service":"bench.Requirer%d","method":null}}]}`, grpcPort, name, grpcPort+shift, i)
	}
	config := fmt.Sprintf(`{"model":%q,"listeners":[%s],"http_routes":[{"name":"http","listener":{"port":%d,"protocol":"HTTP"},`+
		`"backends":[{"service":%q,"port":%d,"weight":null}],"hostnames":null,`+
		`"matches":[{"headers":null,"path":{"type":"PathPrefix","value":"/%s"},"method":null}]}],"grpc_routes":[%s]}`,
		f.apps, listeners, httpPort, name, httpPort+shift, name, grpc)
	return endpoint, map[string]string{"config": config}, map[string]string{}
}

// changeEverything changes every requirer's request, then
// external_hostname, and returns the leader's config-changed hook: every
// route and policy the charm applied and every URL it published must
// change. The requests are edited in the model file, outside the hook.
func (f *fixture) changeEverything(b *testing.B) jujusim.HookRun {
	b.Helper()
	f.changes++
	path := filepath.Join(f.m.Dir(), simstate.ModelFile)
	md, err := simstate.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	for i, id := range f.rels {
		name := fmt.Sprintf("req-%d", i)
		_, appBag, _ := f.requirer(i, name, f.changes%2)
		md.Relations[id].Bags[name] = appBag
	}
	if err := md.Save(path); err != nil {
		b.Fatal(err)
	}
	runs := f.m.ConfigSet(app, map[string]any{"external_hostname": f.hostname()})
	if len(runs) != 1 {
		b.Fatalf("the config change ran %d hooks, want the leader's config-changed only", len(runs))
	}
	return runs[0]
}

// hostname is the external_hostname the last change set.
func (f *fixture) hostname() string { return hostnames[(f.changes+1)%2] }

// rewrites is how many objects a changed hook must re-apply at least: an
// HTTPRoute per requirer, a GRPCRoute per gRPC one (i%4 == 3) and an L4
// policy per backend Service (one per requirer). The Gateway is re-applied
// too but not counted; the gRPC DestinationRules depend only on the
// backend Service's name, so a port change leaves them as they are.
func (f *fixture) rewrites() int {
	return f.n + (f.n+1)/4 + f.n
}

// checkRewritten fails unless the last changed hook wrote at least every
// route and policy and published the new hostname to every requirer: the
// "changed" case must measure a hook that changed everything.
func (f *fixture) checkRewritten(b *testing.B, k kubeCounts) {
	b.Helper()
	if want := f.rewrites(); k.Writes < want {
		b.Fatalf("the changed hook made %d Kubernetes writes, want at least %d (every route and policy)", k.Writes, want)
	}
	f.checkPublished(b, f.hostname())
}

// checkPublished fails unless every requirer holds address: the benchmark
// must measure a charm that works.
func (f *fixture) checkPublished(b *testing.B, address string) {
	b.Helper()
	md := f.m.Snapshot() // one load: RelationData loads the model per call
	for i, rel := range f.rels {
		name := fmt.Sprintf("req-%d", i)
		var bag map[string]string
		if r, ok := md.Relations[rel]; ok {
			bag = r.Bags[app]
		}
		if i%2 == 0 {
			url, err := ingress.ReadURL(bag)
			scheme := "http"
			if f.ca != nil {
				scheme = "https"
			}
			if want := ingress.URL(scheme, address, f.apps, name); err != nil || url != want {
				b.Fatalf("%s: URL %q (%v), want %q", name, url, err, want)
			}
		} else if bag["external_host"] != address {
			b.Fatalf("%s: external_host %q, want %q", name, bag["external_host"], address)
		}
	}
}

// measure runs hook once per iteration and reports its costs per hook;
// check (if any) runs after each hook with the hook's Kubernetes requests,
// the timer stopped.
func (f *fixture) measure(b *testing.B, hook func() jujusim.HookRun, check func(*testing.B, kubeCounts)) {
	var runs []jujusim.HookRun
	var k kubeCounts
	// One hook first, not measured: the first after the fixture's set-up
	// hooks meets cold caches (the kernel's, the API server's), which is
	// not the steady state a deployed charm runs in.
	f.proxy.take()
	if run := hook(); !run.OK() {
		b.Fatalf("%s\n%s", run, run.Stderr)
	}
	if c := f.proxy.take(); check != nil {
		check(b, c)
	}
	for b.Loop() {
		run := hook()
		if !run.OK() {
			b.Fatalf("%s\n%s", run, run.Stderr)
		}
		c := f.proxy.take()
		if check != nil {
			b.StopTimer()
			check(b, c)
			b.StartTimer()
		}
		runs = append(runs, run)
		k.Reads += c.Reads
		k.Writes += c.Writes
		k.Discovery += c.Discovery
		k.WriteLog = append(k.WriteLog, c.WriteLog...)
	}
	var wall, tools time.Duration
	var calls int
	for _, run := range runs {
		wall += run.Wall
		tools += toolTime(b, run)
		calls += len(run.ToolCalls)
	}
	per := func(v float64) float64 { return v / float64(len(runs)) }
	b.ReportMetric(per(ms(wall)), "hook-ms/op")
	b.ReportMetric(per(ms(max(wall-tools, 0))), "charm-ms/op")
	b.ReportMetric(per(ms(tools)), "tool-ms/op")
	b.ReportMetric(per(float64(calls)), "tool-calls/op")
	b.ReportMetric(per(float64(k.Reads)), "k8s-reads/op")
	b.ReportMetric(per(float64(k.Writes)), "k8s-writes/op")
	b.ReportMetric(per(float64(k.Discovery)), "k8s-discovery/op")
	own, tree := f.peakRSS(b, hook, check)
	b.ReportMetric(float64(own)/1024, "peak-rss-MB")
	b.ReportMetric(float64(tree)/1024, "tree-rss-MB")
	if len(k.WriteLog) > 0 && len(k.WriteLog) <= 10 {
		b.Logf("writes: %s", strings.Join(k.WriteLog, ", "))
	}
}

// toolTime is how long the charm waited for hook tools during run, from
// the line it writes at the end of every hook ("Hook tools: N calls in D
// of T"): each call timed from its start to its exit as the charm sees it,
// fork and reaping included. The call count must match the simulator's.
func toolTime(b *testing.B, run jujusim.HookRun) time.Duration {
	b.Helper()
	m := hookToolsLine.FindStringSubmatch(run.Stderr)
	if m == nil {
		b.Fatalf("%s: no hook-tools line in its output:\n%s", run, run.Stderr)
	}
	calls, err := strconv.Atoi(m[1])
	if err != nil || calls != len(run.ToolCalls) {
		b.Fatalf("%s: the charm counted %s hook-tool calls, the simulator %d", run, m[1], len(run.ToolCalls))
	}
	d, err := time.ParseDuration(m[2])
	if err != nil {
		b.Fatalf("%s: hook-tools line %q: %v", run, m[0], err)
	}
	return d
}

var hookToolsLine = regexp.MustCompile(`(?m)^DEBUG Hook tools: (\d+) calls in (\S+) of \S+$`)

// peakRSS runs hook once more with dispatch under the maxrss probe and
// returns, in kilobytes, the charm process's own peak RSS (its VmHWM,
// polled until it exits) and its process tree's (wait4: the charm or the
// largest hook tool it ran). It is a separate run so the probe does not
// count in the timings; check (if any) runs after it as after every hook.
func (f *fixture) peakRSS(b *testing.B, hook func() jujusim.HookRun, check func(*testing.B, kubeCounts)) (own, tree int64) {
	b.Helper()
	charmDir := filepath.Join(f.m.Dir(), "units", strings.ReplaceAll(f.leader, "/", "-"), "charm")
	dispatch := filepath.Join(charmDir, "dispatch")
	measured := dispatch + ".measured"
	out := filepath.Join(b.TempDir(), "maxrss")
	if err := os.Rename(dispatch, measured); err != nil {
		b.Fatalf("the unit's dispatch is not where it was expected: %v", err)
	}
	defer func() {
		if err := os.Rename(measured, dispatch); err != nil {
			b.Fatal(err)
		}
	}()
	// exec keeps the pid: maxrss watches dispatch, which execs the charm.
	script := fmt.Sprintf("#!/bin/sh\nMAXRSS_OUT=%q exec %q %q \"$@\"\n", out, f.maxrss, measured)
	if err := os.WriteFile(dispatch, []byte(script), 0o755); err != nil {
		b.Fatal(err)
	}
	run := hook()
	if !run.OK() {
		b.Fatalf("%s\n%s", run, run.Stderr)
	}
	c := f.proxy.take()
	if check != nil {
		check(b, c)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		b.Fatalf("maxrss wrote nothing: %v", err)
	}
	if _, err := fmt.Sscan(string(raw), &own, &tree); err != nil {
		b.Fatalf("maxrss output %q: %v", raw, err)
	}
	return own, tree
}

// build builds one of this package's commands (cmd/...).
func build(b *testing.B, name string) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), name)
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "github.com/canonical/istio-ingress-k8s-go/tests/bench/cmd/"+name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if o, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", name, err, o)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// relateTracing relates the leader's charm-tracing endpoint to a provider
// "tempo" whose otlp_http receiver is url, written straight into the model
// as addRequirers does, and returns the relation id.
func (f *fixture) relateTracing(b *testing.B, url string) int {
	b.Helper()
	path := filepath.Join(f.m.Dir(), simstate.ModelFile)
	md, err := simstate.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	const name, unit = "tempo", "tempo/0"
	md.Apps[name] = &simstate.App{Name: name, Status: simstate.Status{Status: "active"}, NextUnit: 1}
	md.Units[unit] = &simstate.Unit{Name: unit, App: name, Status: simstate.Status{Status: "active"}, Address: "10.40.250.1"}
	id := md.NextRelationID
	md.NextRelationID++
	md.Relations[id] = &simstate.Relation{
		ID:    id,
		Sides: []simstate.RelationEndpoint{{App: app, Endpoint: "charm-tracing"}, {App: name, Endpoint: "tracing"}},
		Seen:  map[string][]string{f.leader: {unit}},
		Bags:  map[string]map[string]string{name: tracingBag(url), unit: {}},
	}
	if err := md.Save(path); err != nil {
		b.Fatal(err)
	}
	return id
}

// setTracingReceiver changes the receiver the tracing provider names.
func (f *fixture) setTracingReceiver(b *testing.B, rel int, url string) {
	b.Helper()
	path := filepath.Join(f.m.Dir(), simstate.ModelFile)
	md, err := simstate.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	md.Relations[rel].Bags["tempo"] = tracingBag(url)
	if err := md.Save(path); err != nil {
		b.Fatal(err)
	}
}

// tracingBag is a tracing provider's app bag naming url as its otlp_http
// receiver, as tempo-k8s writes it.
func tracingBag(url string) map[string]string {
	return map[string]string{"receivers": `[{"protocol": {"name": "otlp_http", "type": "http"}, "url": "` + url + `"}]`}
}

// checkTraced fails unless each hook sent recv one export: the traced
// case must measure a hook that really exported its trace.
func (f *fixture) checkTraced(recv *otlptest.Receiver) func(*testing.B, kubeCounts) {
	seen := recv.Requests()
	return func(b *testing.B, _ kubeCounts) {
		b.Helper()
		n := recv.Requests()
		if n != seen+1 {
			b.Fatalf("the hook sent %d trace exports, want 1 (rejected: %v)", n-seen, recv.Rejected())
		}
		seen = n
	}
}
