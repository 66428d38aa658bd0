package hooks

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/canonical/istio-ingress-k8s-go/hooktrace"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/state"
	"github.com/canonical/istio-ingress-k8s-go/workload"
)

// Deps is everything Dispatch talks to; tests substitute each.
type Deps struct {
	// Getenv reads the hook environment (os.Getenv in production).
	Getenv func(string) string
	// Runner executes hook tools (juju.ExecRunner{} in production).
	Runner juju.Runner
	// Stderr receives a copy of every log line; Juju records a hook's
	// output in the unit log at debug level.
	Stderr io.Writer
	// Cluster connects to Kubernetes (default: KUBECONFIG when set, else
	// the pod's service account).
	Cluster ClusterFactory
	// Now reads the clock (default time.Now); it times the hook tools.
	Now func() time.Time
	// KubeBudget bounds the time a hook spends on Kubernetes requests
	// (default DefaultKubeBudget).
	KubeBudget time.Duration
	// TraceBudget bounds the export of the hook's trace to the
	// charm-tracing receiver (default hooktrace.DefaultBudget).
	TraceBudget time.Duration
	// Pebble connects to the metrics-proxy container's Pebble on a socket
	// (default workload.Connect).
	Pebble PebbleFactory
	// Rand draws private keys and request identifiers (default
	// crypto/rand.Reader).
	Rand io.Reader
}

// PebbleFactory connects to the Pebble listening on socket.
type PebbleFactory func(socket string) (workload.Pebble, error)

// Environment variables that point the charm elsewhere than Juju's paths,
// for tests: the metrics-proxy Pebble socket and the gateway readiness URL
// its check probes.
const (
	PebbleSocketEnv = "ISTIO_INGRESS_PEBBLE_SOCKET"
	HealthURLEnv    = "ISTIO_INGRESS_GATEWAY_HEALTH_URL"
)

// DefaultKubeBudget is long enough to apply thousands of objects and short
// enough that a hung API server does not stall the unit for long: the
// reconcile fails, says so in the status, and the next hook tries again.
const DefaultKubeBudget = 90 * time.Second

// Dispatch handles one hook or action and returns the process exit code.
//
// Every hook exits 0: a problem is logged and shown as the unit status
// rather than failing the hook, because a failed hook blocks every later
// hook of the unit (and Juju would discard its relation writes) until an
// operator intervenes. Only a missing Runner, a programming error that
// leaves no way to report anything, returns non-zero.
func Dispatch(ctx context.Context, d Deps) int {
	stderr := d.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	if d.Runner == nil {
		fmt.Fprintln(stderr, "ERROR hooks.Dispatch: no hook-tool runner")
		return 1
	}
	getenv := d.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	tools := &meteredRunner{Runner: d.Runner, now: now}
	start := now()
	client := juju.NewClient(tools)
	log := logger{client: client, stderr: stderr}
	// Where a hook's time goes, for the debug log and the hook benchmark.
	defer func() {
		calls, spent := tools.totals()
		log.debugf("Hook tools: %d calls in %v of %v", calls, spent, now().Sub(start))
	}()

	jctx, err := juju.ContextFromEnv(getenv)
	if err != nil {
		log.printf(ctx, juju.LogWarning, "Incomplete hook environment: %v", err)
	}
	ev, err := ParseEvent(jctx)
	if err != nil {
		// The reconcile does not depend on the event, so it still runs.
		log.printf(ctx, juju.LogWarning, "Cannot tell which event this is (%v); reconciling anyway", err)
	} else {
		log.debugf("Handling %s", ev)
	}

	if ev.Kind == Action {
		// The charm defines no actions; say so instead of silently succeeding.
		if err := client.ActionFail(ctx, fmt.Sprintf("unknown action %q", ev.Action)); err != nil {
			log.printf(ctx, juju.LogError, "Failing unknown action %q: %v", ev.Action, err)
		}
		return 0
	}
	cluster := d.Cluster
	if cluster == nil {
		cluster = kubeCluster(getenv)
	}
	budget := d.KubeBudget
	if budget <= 0 {
		budget = DefaultKubeBudget
	}
	random := d.Rand
	if random == nil {
		random = rand.Reader
	}
	pebble := d.Pebble
	if pebble == nil {
		pebble = func(socket string) (workload.Pebble, error) { return workload.Connect(socket) }
	}
	socket := getenv(PebbleSocketEnv)
	if socket == "" {
		socket = workload.DefaultSocket
	}
	r := &run{client: client, hook: jctx, ev: ev, cluster: cluster, log: log, kubeBudget: budget, now: now,
		pebble: func() (workload.Pebble, error) { return pebble(socket) }, healthURL: getenv(HealthURLEnv), rand: random}
	if ev.Kind == Remove {
		if err := r.remove(ctx); err != nil {
			// A failed hook is retried by Juju: the unit must not go while
			// the gateway it leaves behind still serves.
			log.printf(ctx, juju.LogError, "Cleaning up: %v", err)
			return 1
		}
		return 0
	}

	st, warning, err := state.Load(statePath(jctx))
	if err != nil {
		// Run without a cache (and write none): every relation is simply
		// read and written once, which is always correct.
		log.printf(ctx, juju.LogWarning, "Reading the state file: %v; running without it", err)
		st = nil
	} else if warning != nil {
		log.printf(ctx, juju.LogWarning, "%v", warning)
	}
	if r.cache, err = loadCache(st); err != nil {
		log.printf(ctx, juju.LogWarning, "Ignoring the cached reconcile state: %v", err)
	}

	// The hook's trace: kept in memory, exported at the end if the
	// reconcile finds a charm-tracing receiver.
	rec := hooktrace.New(resourceAttrs(jctx)...)
	ctx, root := rec.Start(ctx, cmp.Or(ev.Name, "dispatch"), attribute.String("juju.hook", ev.Name),
		attribute.String("juju.unit", jctx.Unit))
	if ev.Kind == UpgradeCharm {
		if err := r.dropUnitRequest(ctx); err != nil {
			log.printf(ctx, juju.LogWarning, "%v", err)
		}
	}
	status, err := safeReconcile(ctx, r)
	if err != nil {
		log.printf(ctx, juju.LogError, "Reconcile failed: %v", err)
		status = juju.Status{Name: juju.StatusBlocked, Message: "Reconcile failed (see juju debug-log): " + brief(err)}
		if kube.Unavailable(err) {
			// Nothing for the operator to do: the next hook tries again.
			status = juju.Status{Name: juju.StatusWaiting, Message: "Kubernetes unavailable, retrying at the next hook: " + brief(err)}
		}
	}
	if r.cache.Status == nil || *r.cache.Status != status {
		if err := client.StatusSet(ctx, status); err != nil {
			log.printf(ctx, juju.LogError, "Setting status %q: %v", status, err)
			r.cache.Status = nil
		} else {
			r.cache.Status = &status
			log.debugf("Status: %s", status)
		}
	}
	if err := saveCache(st, r.cache); err != nil {
		log.printf(ctx, juju.LogWarning, "Saving the state file: %v", err)
	}
	root.SetAttributes(attribute.String("juju.status", string(status.Name)), attribute.String("juju.status.message", status.Message))
	endSpan(root, err)
	if r.traceTo != "" {
		// Bounded and never fatal: a receiver that is gone costs the
		// budget at most and is only mentioned in the debug log.
		if err := rec.Export(ctx, r.traceTo, d.TraceBudget); err != nil {
			log.debugf("Trace not exported: %v", err)
		}
	}
	return 0
}

func saveCache(st *state.State, c *cache) error {
	if st == nil {
		return nil
	}
	if err := st.Put(cacheKey, c); err != nil {
		return err
	}
	return st.Save()
}

// safeReconcile turns a panic into an error, so a bug shows up as a status
// instead of a failed hook that blocks the unit.
func safeReconcile(ctx context.Context, r *run) (st juju.Status, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.log.printf(ctx, juju.LogError, "Internal error: %v\n%s", p, debug.Stack())
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return r.reconcile(ctx)
}

// brief shortens an error to a status message: its first line, at most
// maxStatusError characters. The full text is in the log.
func brief(err error) string {
	const maxStatusError = 200
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if r := []rune(msg); len(r) > maxStatusError {
		msg = string(r[:maxStatusError-1]) + "…"
	}
	return msg
}

// logger writes each line to juju-log and to stderr, so it survives even
// when the hook tools do not work.
type logger struct {
	client *juju.Client
	stderr io.Writer
}

// debugf writes to stderr only, which Juju keeps in its debug log with
// the hook's name: lines every hook would write cost no hook-tool call.
func (l logger) debugf(format string, args ...any) {
	fmt.Fprintf(l.stderr, "%s %s\n", juju.LogDebug, fmt.Sprintf(format, args...))
}

func (l logger) printf(ctx context.Context, level juju.LogLevel, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(l.stderr, "%s %s\n", level, msg)
	if err := l.client.Log(ctx, level, msg); err != nil {
		fmt.Fprintf(l.stderr, "%s juju-log failed: %v\n", juju.LogWarning, err)
	}
}

// meteredRunner counts the hook-tool calls and the time spent waiting for
// them, from start to exit as the charm sees it.
type meteredRunner struct {
	juju.Runner
	now func() time.Time

	mu    sync.Mutex
	calls int
	spent time.Duration
}

func (m *meteredRunner) Run(ctx context.Context, stdin []byte, tool string, args ...string) ([]byte, error) {
	start := m.now()
	out, err := m.Runner.Run(ctx, stdin, tool, args...)
	d := m.now().Sub(start)
	m.mu.Lock()
	m.calls++
	m.spent += d
	m.mu.Unlock()
	return out, err
}

func (m *meteredRunner) totals() (int, time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls, m.spent
}
