package hooks_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/hooks"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
	"github.com/canonical/istio-ingress-k8s-go/workload"
)

// noCluster fails the test if the hook connects to Kubernetes.
func noCluster(t *testing.T) hooks.ClusterFactory {
	return func(app, model string) (hooks.Cluster, error) {
		t.Errorf("the hook connected to Kubernetes as %s in %s", app, model)
		return nil, assert.AnError
	}
}

// Failures of the hook tools become a status and a log line, never a failed
// hook (which would block every later hook of the unit).
func TestDispatchToolFailuresExitZero(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		leader     bool
		breakTool  func(*jujutest.Runner)
		wantStatus []string // nil: status-set itself fails
		wantStderr string
		// The leader connects to Kubernetes before reading Juju, so the
		// cluster reads overlap the hook tools; its error must not mask theirs.
		leaderConnects bool
	}{
		{
			name:      "is-leader fails",
			breakTool: func(r *jujutest.Runner) { r.Fail("is-leader", 1, "ERROR connection is shut down\n") },
			wantStatus: unitStatus(juju.StatusBlocked,
				"Reconcile failed (see juju debug-log): checking leadership: is-leader --format=json: exit status 1: ERROR connection is shut down"),
			wantStderr: "ERROR Reconcile failed",
		},
		{
			name:           "relation-ids fails",
			leader:         true,
			breakTool:      func(r *jujutest.Runner) { r.Fail("relation-ids", 2, "ERROR no such endpoint\n") },
			leaderConnects: true,
			wantStatus: unitStatus(juju.StatusBlocked,
				"Reconcile failed (see juju debug-log): listing ingress relations: relation-ids ingress --format=json: exit status 2: ERROR no such endpoint"),
			wantStderr: "listing ingress relations",
		},
		{
			name:           "config-get fails",
			leader:         true,
			breakTool:      func(r *jujutest.Runner) { r.Fail("config-get", 1, "ERROR connection is shut down\n") },
			leaderConnects: true,
			wantStatus: unitStatus(juju.StatusBlocked,
				"Reconcile failed (see juju debug-log): reading config: config-get --format=json: exit status 1: ERROR connection is shut down"),
			wantStderr: "reading config",
		},
		{
			name: "a panic in the reconcile",
			breakTool: func(r *jujutest.Runner) {
				r.Handle("is-leader", func([]string, []byte) ([]byte, error) { panic("boom") })
			},
			wantStatus: unitStatus(juju.StatusBlocked, "Reconcile failed (see juju debug-log): internal error: boom"),
			wantStderr: "goroutine", // the stack goes to the log, not the status
		},
		{
			name:           "juju-log fails",
			leader:         true,
			breakTool:      func(r *jujutest.Runner) { r.Fail("juju-log", 1, "ERROR cannot log\n") },
			leaderConnects: true,
			wantStatus: unitStatus(juju.StatusBlocked,
				"Reconcile failed (see juju debug-log): connecting to Kubernetes: "+assert.AnError.Error()),
			wantStderr: "juju-log failed",
		},
		{
			name:       "status-set fails",
			breakTool:  func(r *jujutest.Runner) { r.Fail("status-set", 1, "ERROR status not set\n") },
			wantStderr: "Setting status",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fj := jujutest.NewModel("istio-ingress-k8s", "cos", t.TempDir())
			fj.SetLeader(tc.leader)
			// An ingress relation, so the relations are listed at all.
			fj.Relate("ingress", "blog", nil)
			r := fj.Runner()
			tc.breakTool(r)
			var stderr bytes.Buffer
			cluster := noCluster(t)
			if tc.leaderConnects {
				cluster = func(string, string) (hooks.Cluster, error) { return nil, assert.AnError }
			}
			code := hooks.Dispatch(context.Background(), hooks.Deps{
				Getenv: fj.Env("update-status", nil), Runner: r, Stderr: &stderr, Cluster: cluster, Pebble: (&fakePebble{}).factory(),
			})
			assert.Equal(t, 0, code)
			assert.Contains(t, stderr.String(), tc.wantStderr)
			assert.NotContains(t, stderr.String(), "Saving the state file", "the state file was saved fine")
			if tc.wantStatus != nil {
				assert.Equal(t, [][]string{tc.wantStatus}, statusSets(r))
			}
		})
	}
}

// A status-set that failed is retried on the next hook: the cache must not
// remember a status the unit never got.
func TestDispatchRetriesAFailedStatus(t *testing.T) {
	t.Parallel()
	fj := jujutest.NewModel("istio-ingress-k8s", "cos", t.TempDir())
	fj.SetLeader(false)
	deps := func(r *jujutest.Runner) hooks.Deps {
		return hooks.Deps{Getenv: fj.Env("update-status", nil), Runner: r, Cluster: noCluster(t), Pebble: (&fakePebble{}).factory()}
	}
	broken := fj.Runner().Fail("status-set", 1, "ERROR status not set\n")
	require.Equal(t, 0, hooks.Dispatch(context.Background(), deps(broken)))
	require.Len(t, broken.CallsTo("status-set"), 1)

	r := fj.Runner()
	require.Equal(t, 0, hooks.Dispatch(context.Background(), deps(r)))
	assert.Equal(t, [][]string{unitStatus(juju.StatusActive, "Backup unit; standing by for leader takeover")}, statusSets(r))

	again := fj.Runner()
	require.Equal(t, 0, hooks.Dispatch(context.Background(), deps(again)))
	assert.Empty(t, statusSets(again), "an unchanged status is not set again")
}

// A state file that cannot be written costs only the cache: the hook still
// succeeds and says why.
func TestDispatchSurvivesAnUnwritableStateFile(t *testing.T) {
	t.Parallel()
	fj := jujutest.NewModel("istio-ingress-k8s", "cos", filepath.Join(t.TempDir(), "no-such-dir"))
	fj.SetLeader(false)
	r := fj.Runner()
	var stderr bytes.Buffer
	require.Equal(t, 0, hooks.Dispatch(context.Background(), hooks.Deps{
		Getenv: fj.Env("update-status", nil), Runner: r, Stderr: &stderr, Cluster: noCluster(t), Pebble: (&fakePebble{}).factory(),
	}))
	assert.Equal(t, [][]string{unitStatus(juju.StatusActive, msgStandby)}, statusSets(r))
	assert.Contains(t, stderr.String(), "WARNING Saving the state file: ")
	assert.Contains(t, stderr.String(), "no-such-dir")
}

func TestDispatchLogsTheEvent(t *testing.T) {
	t.Parallel()
	fj := jujutest.NewModel("istio-ingress-k8s", "cos", t.TempDir())
	fj.SetLeader(false)
	rel := fj.Relate("istio-ingress-route", "api", nil)
	r := fj.Runner()
	layer, err := workload.LayerYAML(workload.Spec{Model: "cos", App: "istio-ingress-k8s"})
	require.NoError(t, err)
	var stderr bytes.Buffer
	require.Equal(t, 0, hooks.Dispatch(context.Background(), hooks.Deps{
		Getenv: fj.Env("istio-ingress-route-relation-changed", &rel), Runner: r, Stderr: &stderr, Cluster: noCluster(t),
		Pebble: (&fakePebble{plan: layer}).factory(), // in place: nothing to log
	}))

	// Juju keeps a hook's output in its debug log; a juju-log call per hook
	// would only cost time.
	assert.Contains(t, stderr.String(), "DEBUG Handling istio-ingress-route-relation-changed (istio-ingress-route:1)")
	assert.Empty(t, r.CallsTo("juju-log"))
}

func TestDispatchFailsUnknownActions(t *testing.T) {
	t.Parallel()
	fj := jujutest.NewModel("istio-ingress-k8s", "cos", t.TempDir())
	r := fj.Runner()
	env := func(k string) string {
		return map[string]string{
			"JUJU_UNIT_NAME": "istio-ingress-k8s/0", "JUJU_DISPATCH_PATH": "actions/frobnicate",
			"JUJU_ACTION_NAME": "frobnicate", "JUJU_ACTION_UUID": "1",
		}[k]
	}
	require.Equal(t, 0, hooks.Dispatch(context.Background(), hooks.Deps{Getenv: env, Runner: r, Cluster: noCluster(t), Pebble: (&fakePebble{}).factory()}))
	fails := r.CallsTo("action-fail")
	require.Len(t, fails, 1)
	assert.Equal(t, []string{"--", `unknown action "frobnicate"`}, fails[0].Args)
	assert.Empty(t, r.CallsTo("status-set"), "an action does not change the unit status")
	assert.Empty(t, r.CallsTo("relation-set"))
}

func TestDispatchWithoutRunner(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	fj := jujutest.NewModel("istio-ingress-k8s", "cos", t.TempDir())
	assert.Equal(t, 1, hooks.Dispatch(context.Background(), hooks.Deps{Getenv: fj.Env("install", nil), Stderr: &stderr}))
	assert.Contains(t, stderr.String(), "no hook-tool runner")
}

func TestDispatchShortensLongErrorsInStatus(t *testing.T) {
	t.Parallel()
	fj := jujutest.NewModel("istio-ingress-k8s", "cos", t.TempDir())
	r := fj.Runner().Fail("is-leader", 1, "ERROR "+strings.Repeat("x", 500)+"\nsecond line\n")
	require.Equal(t, 0, hooks.Dispatch(context.Background(), hooks.Deps{
		Getenv: fj.Env("update-status", nil), Runner: r, Cluster: noCluster(t), Pebble: (&fakePebble{}).factory(),
	}))
	st := lastStatus(t, r)
	assert.Equal(t, juju.StatusBlocked, st.Name)
	assert.LessOrEqual(t, len([]rune(st.Message)), len("Reconcile failed (see juju debug-log): ")+200)
	assert.NotContains(t, st.Message, "second line")
}

// Every hook ends with where its time went: the hook-tool calls and the
// time spent waiting for them (the hook benchmark reads this line).
func TestDispatchReportsHookToolTime(t *testing.T) {
	t.Parallel()
	fj := jujutest.NewModel("istio-ingress-k8s", "cos", t.TempDir())
	fj.SetLeader(false)
	r := fj.Runner()
	var stderr bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tick := func() time.Time { clock = clock.Add(time.Millisecond); return clock } // 1 ms per reading
	require.Equal(t, 0, hooks.Dispatch(context.Background(), hooks.Deps{
		Getenv: fj.Env("update-status", nil), Runner: r, Stderr: &stderr, Cluster: noCluster(t), Pebble: (&fakePebble{}).factory(), Now: tick,
	}))
	n := len(r.Calls())
	require.NotZero(t, n)
	// Each call reads the clock twice; the hook once before and once after.
	assert.Contains(t, stderr.String(), fmt.Sprintf("DEBUG Hook tools: %d calls in %v of %v\n",
		n, time.Duration(n)*time.Millisecond, time.Duration(2*n+1)*time.Millisecond))
}
