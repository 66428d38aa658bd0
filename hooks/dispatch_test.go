package hooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/hooks"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
)

// hookEnv is the environment Juju sets for a hook of unit istio-ingress-k8s/0.
func hookEnv(hook string, extra ...string) func(string) string {
	env := map[string]string{
		"JUJU_UNIT_NAME":     "istio-ingress-k8s/0",
		"JUJU_MODEL_NAME":    "cos",
		"JUJU_CHARM_DIR":     "/var/lib/juju/agents/unit-istio-ingress-k8s-0/charm",
		"JUJU_VERSION":       "3.6.4",
		"JUJU_DISPATCH_PATH": "hooks/" + hook,
		"JUJU_HOOK_NAME":     hook,
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return func(k string) string { return env[k] }
}

// model is the part of the Juju model the fake tools answer from.
type model struct {
	leader    bool
	relations map[string][]string // endpoint → relation ids
}

func (m model) runner() *jujutest.Runner {
	return jujutest.NewRunner().
		Reply("is-leader", fmt.Sprint(m.leader)).
		Handle("relation-ids", func(args []string, _ []byte) ([]byte, error) {
			ids := m.relations[args[0]]
			if ids == nil {
				ids = []string{}
			}
			return json.Marshal(ids)
		}).
		Accept("juju-log", "status-set", "action-fail")
}

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

func TestDispatchSetsTruthfulStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   func(string) string
		model model
		want  []string
	}{
		{
			name:  "non-leader stands by",
			env:   hookEnv("config-changed"),
			model: model{leader: false, relations: map[string][]string{"ingress": {"ingress:1"}}},
			want:  unitStatus(juju.StatusActive, "Backup unit; standing by for leader takeover"),
		},
		{
			name:  "leader without route relations waits",
			env:   hookEnv("install"),
			model: model{leader: true, relations: map[string][]string{"certificates": {"certificates:2"}}},
			want:  unitStatus(juju.StatusWaiting, "Waiting for ingress or istio-ingress-route relations"),
		},
		{
			name:  "leader with an ingress relation is ready",
			env:   hookEnv("leader-elected"),
			model: model{leader: true, relations: map[string][]string{"ingress": {"ingress:1"}}},
			want:  unitStatus(juju.StatusActive, "Ready"),
		},
		{
			name:  "any of the four route endpoints counts",
			env:   hookEnv("update-status"),
			model: model{leader: true, relations: map[string][]string{"istio-ingress-route-unauthenticated": {"istio-ingress-route-unauthenticated:7"}}},
			want:  unitStatus(juju.StatusActive, "Ready"),
		},
		{
			name: "the relation being broken no longer counts",
			env: hookEnv("ingress-relation-broken",
				"JUJU_RELATION", "ingress", "JUJU_RELATION_ID", "ingress:1", "JUJU_REMOTE_APP", "blog"),
			model: model{leader: true, relations: map[string][]string{"ingress": {"ingress:1"}}},
			want:  unitStatus(juju.StatusWaiting, "Waiting for ingress or istio-ingress-route relations"),
		},
		{
			name: "another relation survives a broken one",
			env: hookEnv("ingress-relation-broken",
				"JUJU_RELATION", "ingress", "JUJU_RELATION_ID", "ingress:1", "JUJU_REMOTE_APP", "blog"),
			model: model{leader: true, relations: map[string][]string{"ingress": {"ingress:1"}, "istio-ingress-route": {"istio-ingress-route:4"}}},
			want:  unitStatus(juju.StatusActive, "Ready"),
		},
		{
			name: "a relation that is only departing still counts",
			env: hookEnv("ingress-relation-departed",
				"JUJU_RELATION", "ingress", "JUJU_RELATION_ID", "ingress:1", "JUJU_REMOTE_UNIT", "blog/0", "JUJU_DEPARTING_UNIT", "blog/0"),
			model: model{leader: true, relations: map[string][]string{"ingress": {"ingress:1"}}},
			want:  unitStatus(juju.StatusActive, "Ready"),
		},
		{
			name:  "unreadable environment still reconciles",
			env:   func(string) string { return "" },
			model: model{leader: true},
			want:  unitStatus(juju.StatusWaiting, "Waiting for ingress or istio-ingress-route relations"),
		},
		{
			name:  "pebble-ready reconciles like any hook",
			env:   hookEnv("metrics-proxy-pebble-ready", "JUJU_WORKLOAD_NAME", "metrics-proxy"),
			model: model{leader: false},
			want:  unitStatus(juju.StatusActive, "Backup unit; standing by for leader takeover"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tc.model.runner()
			code := hooks.Dispatch(context.Background(), hooks.Deps{Getenv: tc.env, Runner: r})
			assert.Equal(t, 0, code)
			assert.Equal(t, [][]string{tc.want}, statusSets(r))
		})
	}
}

func TestDispatchLogsTheEvent(t *testing.T) {
	t.Parallel()
	r := model{leader: true}.runner()
	var stderr bytes.Buffer
	env := hookEnv("istio-ingress-route-relation-changed",
		"JUJU_RELATION", "istio-ingress-route", "JUJU_RELATION_ID", "istio-ingress-route:5", "JUJU_REMOTE_APP", "api")
	require.Equal(t, 0, hooks.Dispatch(context.Background(), hooks.Deps{Getenv: env, Runner: r, Stderr: &stderr}))

	logs := r.CallsTo("juju-log")
	require.NotEmpty(t, logs)
	assert.Equal(t, []string{"--log-level", "INFO", "--", "Handling istio-ingress-route-relation-changed (istio-ingress-route:5)"}, logs[0].Args)
	assert.Contains(t, stderr.String(), "INFO Handling istio-ingress-route-relation-changed (istio-ingress-route:5)")
}

// Failures become a status and a log line, never a failed hook.
func TestDispatchFailuresExitZero(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		runner     func() *jujutest.Runner
		wantStatus []string // nil: status-set itself fails
		wantStderr string
	}{
		{
			name: "is-leader fails",
			runner: func() *jujutest.Runner {
				return model{}.runner().Fail("is-leader", 1, "ERROR connection is shut down\n")
			},
			wantStatus: []string{"--application=False", "blocked", "--",
				"Reconcile failed (see juju debug-log): checking leadership: is-leader --format=json: exit status 1: ERROR connection is shut down"},
			wantStderr: "ERROR Reconcile failed",
		},
		{
			name: "relation-ids fails",
			runner: func() *jujutest.Runner {
				return model{leader: true}.runner().Fail("relation-ids", 2, "ERROR no such endpoint\n")
			},
			wantStatus: []string{"--application=False", "blocked", "--",
				"Reconcile failed (see juju debug-log): listing ingress relations: relation-ids ingress --format=json: exit status 2: ERROR no such endpoint"},
			wantStderr: "listing ingress relations",
		},
		{
			name: "a panic in the reconcile",
			runner: func() *jujutest.Runner {
				return model{}.runner().Handle("is-leader", func([]string, []byte) ([]byte, error) { panic("boom") })
			},
			wantStatus: []string{"--application=False", "blocked", "--", "Reconcile failed (see juju debug-log): internal error: boom"},
			wantStderr: "goroutine", // the stack goes to the log, not the status
		},
		{
			name: "juju-log fails",
			runner: func() *jujutest.Runner {
				return model{leader: false}.runner().Fail("juju-log", 1, "ERROR cannot log\n")
			},
			wantStatus: unitStatus(juju.StatusActive, "Backup unit; standing by for leader takeover"),
			wantStderr: "juju-log failed",
		},
		{
			name: "status-set fails",
			runner: func() *jujutest.Runner {
				return model{leader: false}.runner().Fail("status-set", 1, "ERROR status not set\n")
			},
			wantStderr: "Setting status",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tc.runner()
			var stderr bytes.Buffer
			code := hooks.Dispatch(context.Background(), hooks.Deps{Getenv: hookEnv("update-status"), Runner: r, Stderr: &stderr})
			assert.Equal(t, 0, code)
			assert.Contains(t, stderr.String(), tc.wantStderr)
			if tc.wantStatus != nil {
				assert.Equal(t, [][]string{tc.wantStatus}, statusSets(r))
			}
		})
	}
}

func TestDispatchRemoveDoesNothing(t *testing.T) {
	t.Parallel()
	r := model{leader: true}.runner()
	require.Equal(t, 0, hooks.Dispatch(context.Background(), hooks.Deps{Getenv: hookEnv("remove"), Runner: r}))
	for _, c := range r.Calls() {
		assert.Equal(t, "juju-log", c.Tool, "remove must not touch anything but the log: %v", c.Argv())
	}
}

func TestDispatchFailsUnknownActions(t *testing.T) {
	t.Parallel()
	r := model{leader: true}.runner()
	env := func(k string) string {
		return map[string]string{
			"JUJU_UNIT_NAME": "istio-ingress-k8s/0", "JUJU_DISPATCH_PATH": "actions/frobnicate",
			"JUJU_ACTION_NAME": "frobnicate", "JUJU_ACTION_UUID": "1",
		}[k]
	}
	require.Equal(t, 0, hooks.Dispatch(context.Background(), hooks.Deps{Getenv: env, Runner: r}))
	fails := r.CallsTo("action-fail")
	require.Len(t, fails, 1)
	assert.Equal(t, []string{"--", `unknown action "frobnicate"`}, fails[0].Args)
	assert.Empty(t, r.CallsTo("status-set"), "an action does not change the unit status")
}

func TestDispatchWithoutRunner(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	assert.Equal(t, 1, hooks.Dispatch(context.Background(), hooks.Deps{Getenv: hookEnv("install"), Stderr: &stderr}))
	assert.Contains(t, stderr.String(), "no hook-tool runner")
}

func TestDispatchShortensLongErrorsInStatus(t *testing.T) {
	t.Parallel()
	r := model{}.runner().Fail("is-leader", 1, "ERROR "+strings.Repeat("x", 500)+"\nsecond line\n")
	require.Equal(t, 0, hooks.Dispatch(context.Background(), hooks.Deps{Getenv: hookEnv("update-status"), Runner: r}))
	sets := statusSets(r)
	require.Len(t, sets, 1)
	msg := sets[0][3]
	assert.LessOrEqual(t, len([]rune(msg)), len("Reconcile failed (see juju debug-log): ")+200)
	assert.NotContains(t, msg, "second line")
}
