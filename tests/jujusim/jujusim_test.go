package jujusim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
	"github.com/canonical/istio-ingress-k8s-go/tools/charmarchive"
)

// The test charm's dispatch records each hook's environment and sources the
// script the test left for that hook, if any.
const testDispatch = `#!/bin/sh
hook="${JUJU_DISPATCH_PATH##*/}"
ctx=$(echo "$JUJU_CONTEXT_ID" | tr '/' '_')
mkdir -p "$SIM_TEST_DIR/env"
{ env | grep -E '^(JUJU_|CHARM_DIR=)' | sort; echo "PWD=$(pwd)"; } > "$SIM_TEST_DIR/env/$ctx"
script="$SIM_TEST_DIR/hooks/$hook"
if [ -f "$script" ]; then . "$script"; fi
exit 0
`

const testMetadata = `name: simtest
containers:
  workload:
    resource: workload-image
resources:
  workload-image:
    type: oci-image
peers:
  replicas:
    interface: simtest_peers
provides:
  db:
    interface: db
requires:
  backend:
    interface: backend
    limit: 1
  source:
    interface: db
`

const testConfig = `options:
  greeting:
    type: string
    default: hi
  count:
    type: int
    default: 3
  extra:
    type: string
`

// sim is a model running the shell test charm.
type sim struct {
	*Model
	t       *testing.T
	testDir string
	charm   string
}

func newSim(t *testing.T, tools string, opts ...Option) *sim {
	t.Helper()
	src := t.TempDir()
	for name, content := range map[string]string{"dispatch": testDispatch, "metadata.yaml": testMetadata, "config.yaml": testConfig} {
		require.NoError(t, os.WriteFile(filepath.Join(src, name), []byte(content), 0o755))
	}
	archive := filepath.Join(t.TempDir(), "simtest.charm")
	require.NoError(t, charmarchive.Pack(charmarchive.Options{
		SourceDir: src, Binary: filepath.Join(src, "dispatch"), Out: archive, StartedAt: time.Unix(0, 0),
	}))
	testDir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(testDir, "hooks"), 0o755))
	opts = append([]Option{WithTools(tools), WithModelName("sim"), WithHookEnv(map[string]string{"SIM_TEST_DIR": testDir})}, opts...)
	m := NewModel(t, opts...)
	return &sim{Model: m, t: t, testDir: testDir, charm: archive}
}

// onHook makes the charm run script (sh) in hook.
func (s *sim) onHook(hook, script string) {
	s.t.Helper()
	require.NoError(s.t, os.WriteFile(filepath.Join(s.testDir, "hooks", hook), []byte(script), 0o644))
}

// env returns the environment a hook run saw.
func (s *sim) env(r HookRun) map[string]string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.testDir, "env", strings.ReplaceAll(r.ContextID, "/", "_")))
	require.NoError(s.t, err)
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		out[k] = v
	}
	return out
}

// output reads a file a hook script wrote into the test dir.
func (s *sim) output(name string) string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.testDir, name))
	require.NoError(s.t, err)
	return string(b)
}

func (s *sim) out(name string) string { return filepath.Join(s.testDir, name) }

type step struct{ unit, hook string }

func steps(runs []HookRun) []step {
	out := make([]step, len(runs))
	for i, r := range runs {
		out[i] = step{r.Unit, r.Hook}
	}
	return out
}

func TestSimulator(t *testing.T) {
	tools := BuildTools(t)

	t.Run("deploy runs Juju's sequence with Juju's environment", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)

		runs := s.Deploy("simtest", s.charm, 2)

		RequireOK(t, runs)
		assert.Equal(t, []step{
			{"simtest/0", "install"}, {"simtest/0", "replicas-relation-created"}, {"simtest/0", "leader-elected"},
			{"simtest/0", "config-changed"}, {"simtest/0", "start"}, {"simtest/0", "workload-pebble-ready"},
			{"simtest/1", "install"}, {"simtest/1", "replicas-relation-created"}, {"simtest/1", "leader-settings-changed"},
			{"simtest/1", "config-changed"}, {"simtest/1", "start"}, {"simtest/1", "workload-pebble-ready"},
			{"simtest/0", "replicas-relation-joined"}, {"simtest/0", "replicas-relation-changed"},
			{"simtest/1", "replicas-relation-joined"}, {"simtest/1", "replicas-relation-changed"},
		}, steps(runs))

		install := s.env(runs[0])
		assert.Equal(t, "hooks/install", install["JUJU_DISPATCH_PATH"])
		assert.Equal(t, "install", install["JUJU_HOOK_NAME"])
		assert.Equal(t, "simtest/0", install["JUJU_UNIT_NAME"])
		assert.Equal(t, "sim", install["JUJU_MODEL_NAME"])
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, install["JUJU_MODEL_UUID"])
		assert.Equal(t, DefaultJujuVersion, install["JUJU_VERSION"])
		assert.Equal(t, runs[0].ContextID, install["JUJU_CONTEXT_ID"])
		assert.Equal(t, install["JUJU_CHARM_DIR"], install["CHARM_DIR"])
		assert.Equal(t, install["JUJU_CHARM_DIR"], install["PWD"], "hooks run in the charm dir")
		assert.NotContains(t, install, "JUJU_RELATION")

		assert.Equal(t, "workload", s.env(runs[5])["JUJU_WORKLOAD_NAME"])
		joined := s.env(runs[12])
		assert.Equal(t, "replicas", joined["JUJU_RELATION"])
		assert.Equal(t, "replicas:0", joined["JUJU_RELATION_ID"])
		assert.Equal(t, "simtest/1", joined["JUJU_REMOTE_UNIT"])
		assert.Equal(t, "simtest", joined["JUJU_REMOTE_APP"])
		assert.NotEqual(t, s.env(runs[0])["JUJU_CHARM_DIR"], s.env(runs[6])["JUJU_CHARM_DIR"], "each unit has its own charm dir")
	})

	t.Run("relate, remote data changes and unrelate", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)
		RequireOK(t, s.Deploy("simtest", s.charm, 1))
		s.onHook("db-relation-changed", `
if [ -n "$JUJU_REMOTE_UNIT" ]; then relation-get --format=json - "$JUJU_REMOTE_UNIT"
else relation-get --format=json --app - "$JUJU_REMOTE_APP"; fi >> "`+s.out("seen")+`"`)
		s.onHook("db-relation-broken", `relation-ids db --format=json > "`+s.out("broken-ids")+`"; relation-list --format=json > "`+s.out("broken-units")+`"`)

		id, runs := s.Relate("simtest", "db", Remote{
			App: "web", Units: 2, AppData: map[string]string{"name": "web"},
			UnitData: map[string]map[string]string{"web/1": {"host": "w1"}},
		})

		RequireOK(t, runs)
		assert.Equal(t, 1, id, "the peer relation took id 0")
		assert.Equal(t, []step{
			{"simtest/0", "db-relation-created"},
			{"simtest/0", "db-relation-joined"}, {"simtest/0", "db-relation-changed"},
			{"simtest/0", "db-relation-joined"}, {"simtest/0", "db-relation-changed"},
			{"simtest/0", "db-relation-changed"},
		}, steps(runs))
		assert.Equal(t, "web/1", s.env(runs[3])["JUJU_REMOTE_UNIT"])
		assert.Equal(t, "", s.env(runs[5])["JUJU_REMOTE_UNIT"], "app-level change")
		assert.Equal(t, "{}\n{\"host\":\"w1\"}\n{\"name\":\"web\"}\n", s.output("seen"))

		runs = s.SetRemoteData(id, "web", map[string]string{"name": "", "url": "http://web"})
		RequireOK(t, runs)
		assert.Equal(t, []step{{"simtest/0", "db-relation-changed"}}, steps(runs))
		assert.Equal(t, map[string]string{"url": "http://web"}, s.RelationData(id, "web"))

		runs = s.Unrelate(id)
		RequireOK(t, runs)
		assert.Equal(t, []step{
			{"simtest/0", "db-relation-departed"}, {"simtest/0", "db-relation-departed"}, {"simtest/0", "db-relation-broken"},
		}, steps(runs))
		departed := s.env(runs[0])
		assert.Equal(t, "web/0", departed["JUJU_REMOTE_UNIT"])
		assert.Equal(t, "web/0", departed["JUJU_DEPARTING_UNIT"])
		assert.Equal(t, "[\"db:1\"]\n", s.output("broken-ids"), "the dying relation is still listed during relation-broken")
		assert.Equal(t, "[]\n", s.output("broken-units"))
		assert.Empty(t, s.RelationIDs("simtest", "db"))

		again, runs := s.Relate("simtest", "db", Remote{App: "web2", Units: 1})
		RequireOK(t, runs)
		assert.Equal(t, 2, again, "relation ids are never reused")
	})

	t.Run("remote units join and depart after the relation is made", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)
		RequireOK(t, s.Deploy("simtest", s.charm, 2))
		id, runs := s.Relate("simtest", "db", Remote{App: "web", Units: 1})
		RequireOK(t, runs)
		s.onHook("db-relation-changed", `echo "$JUJU_UNIT_NAME $(relation-get --format=json - "$JUJU_REMOTE_UNIT")" >> "`+s.out("seen")+`"`)
		s.onHook("db-relation-departed", `echo "$JUJU_UNIT_NAME $(relation-list --format=json)" >> "`+s.out("listed")+`"`)

		unit, runs := s.AddRemoteUnit("web", map[string]string{"host": "w1"})
		RequireOK(t, runs)
		assert.Equal(t, "web/1", unit)
		assert.Equal(t, []step{
			{"simtest/0", "db-relation-joined"}, {"simtest/0", "db-relation-changed"},
			{"simtest/1", "db-relation-joined"}, {"simtest/1", "db-relation-changed"},
		}, steps(runs))
		assert.Equal(t, "web/1", s.env(runs[1])["JUJU_REMOTE_UNIT"])
		assert.Equal(t, "simtest/0 {\"host\":\"w1\"}\nsimtest/1 {\"host\":\"w1\"}\n", s.output("seen"))

		runs = s.RemoveRemoteUnit("web/0")
		RequireOK(t, runs)
		assert.Equal(t, []step{{"simtest/0", "db-relation-departed"}, {"simtest/1", "db-relation-departed"}}, steps(runs))
		departed := s.env(runs[0])
		assert.Equal(t, "web/0", departed["JUJU_REMOTE_UNIT"])
		assert.Equal(t, "web/0", departed["JUJU_DEPARTING_UNIT"])
		assert.Equal(t, "simtest/0 [\"web/1\"]\nsimtest/1 [\"web/1\"]\n", s.output("listed"), "the departing unit is no longer listed")
		assert.Equal(t, []string{"web/1"}, s.Units("web"))
		assert.Empty(t, s.RelationData(id, "web/0"), "its bag went with it")
		assert.Equal(t, map[string]string{"host": "w1"}, s.RelationData(id, "web/1"))
	})

	t.Run("changes are committed only when the hook exits 0", func(t *testing.T) {
		t.Parallel()
		for _, exit := range []int{0, 1} {
			s := newSim(t, tools)
			RequireOK(t, s.Deploy("simtest", s.charm, 1))
			id, runs := s.Relate("simtest", "db", Remote{App: "web", Units: 1})
			RequireOK(t, runs)
			s.onHook("update-status", `
relation-set -r db:1 unit-key=u
relation-set -r db:1 --app app-key=a
state-set key=value
secret-add --owner unit token=abcdef >/dev/null
open-port 8080
status-set maintenance -- "working"
relation-get --format=json -r db:1 unit-key simtest/0 > "`+s.out("read-own-write")+`"
exit `+string(rune('0'+exit)))

			run := s.RunHook("simtest/0", "update-status")

			assert.Equal(t, exit, run.ExitCode)
			assert.Equal(t, "\"u\"\n", s.output("read-own-write"), "a hook reads its own writes")
			assert.Equal(t, simstate.Status{Status: "maintenance", Message: "working"}, s.UnitStatus("simtest/0"), "status-set is not transactional")
			snap := s.Snapshot()
			if exit == 0 {
				assert.Equal(t, map[string]string{"unit-key": "u"}, s.RelationData(id, "simtest/0"))
				assert.Equal(t, map[string]string{"app-key": "a"}, s.RelationData(id, "simtest"))
				assert.Equal(t, map[string]string{"key": "value"}, s.UnitState("simtest/0"))
				assert.Len(t, snap.Secrets, 1)
				assert.Equal(t, []string{"8080/tcp"}, snap.Units["simtest/0"].Ports)
			} else {
				assert.Empty(t, s.RelationData(id, "simtest/0"))
				assert.Empty(t, s.RelationData(id, "simtest"))
				assert.Empty(t, s.UnitState("simtest/0"))
				assert.Empty(t, snap.Secrets)
				assert.Empty(t, snap.Units["simtest/0"].Ports)
			}
			pending, err := os.ReadDir(filepath.Join(s.Dir(), simstate.PendingDir))
			require.NoError(t, err)
			assert.Empty(t, pending, "pending changes are dropped after the hook")
		}
	})

	t.Run("only the leader writes the application bag", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)
		RequireOK(t, s.Deploy("simtest", s.charm, 2))
		id, runs := s.Relate("simtest", "db", Remote{App: "web", Units: 1})
		RequireOK(t, runs)
		s.onHook("update-status", `relation-set -r db:1 --app who="$JUJU_UNIT_NAME" 2> "`+s.testDir+`/err-$(echo $JUJU_UNIT_NAME | tr / -)"; exit $?`)

		follower := s.RunHook("simtest/1", "update-status")
		assert.Equal(t, 1, follower.ExitCode)
		assert.Equal(t, "ERROR cannot write relation settings\n", s.output("err-simtest-1"))
		assert.Empty(t, s.RelationData(id, "simtest"))

		leader := s.RunHook("simtest/0", "update-status")
		require.True(t, leader.OK(), leader.Stderr)
		assert.Equal(t, map[string]string{"who": "simtest/0"}, s.RelationData(id, "simtest"))

		RequireOK(t, s.SetLeader("simtest/1"))
		assert.Equal(t, 1, s.RunHook("simtest/0", "update-status").ExitCode, "the old leader lost the right")
		require.True(t, s.RunHook("simtest/1", "update-status").OK())
		assert.Equal(t, map[string]string{"who": "simtest/1"}, s.RelationData(id, "simtest"))
	})

	t.Run("an empty value deletes a key", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)
		RequireOK(t, s.Deploy("simtest", s.charm, 1))
		id, runs := s.Relate("simtest", "db", Remote{App: "web", Units: 1})
		RequireOK(t, runs)
		s.onHook("update-status", `relation-set -r db:1 a=1 b=2`)
		require.True(t, s.RunHook("simtest/0", "update-status").OK())
		s.onHook("update-status", `echo '{"a": ""}' | relation-set -r db:1 --file -`)
		require.True(t, s.RunHook("simtest/0", "update-status").OK())
		assert.Equal(t, map[string]string{"b": "2"}, s.RelationData(id, "simtest/0"))
	})

	t.Run("scaling and leader loss", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)
		RequireOK(t, s.Deploy("simtest", s.charm, 2))
		_, runs := s.Relate("simtest", "db", Remote{App: "web", Units: 1})
		RequireOK(t, runs)

		unit, runs := s.AddUnit("simtest")
		RequireOK(t, runs)
		assert.Equal(t, "simtest/2", unit)
		assert.Equal(t, []step{
			{"simtest/2", "install"}, {"simtest/2", "replicas-relation-created"}, {"simtest/2", "leader-settings-changed"},
			{"simtest/2", "config-changed"}, {"simtest/2", "start"}, {"simtest/2", "workload-pebble-ready"},
			{"simtest/2", "db-relation-created"}, {"simtest/2", "db-relation-joined"}, {"simtest/2", "db-relation-changed"}, {"simtest/2", "db-relation-changed"},
			{"simtest/0", "replicas-relation-joined"}, {"simtest/0", "replicas-relation-changed"},
			{"simtest/2", "replicas-relation-joined"}, {"simtest/2", "replicas-relation-changed"},
			{"simtest/1", "replicas-relation-joined"}, {"simtest/1", "replicas-relation-changed"},
			{"simtest/2", "replicas-relation-joined"}, {"simtest/2", "replicas-relation-changed"},
		}, steps(runs))

		runs = s.RemoveUnit("simtest/0")
		RequireOK(t, runs)
		assert.Equal(t, []step{
			{"simtest/1", "replicas-relation-departed"}, {"simtest/2", "replicas-relation-departed"},
			{"simtest/0", "replicas-relation-departed"}, {"simtest/0", "replicas-relation-departed"}, {"simtest/0", "replicas-relation-broken"},
			{"simtest/0", "db-relation-departed"}, {"simtest/0", "db-relation-broken"},
			{"simtest/0", "stop"}, {"simtest/0", "remove"},
			{"simtest/1", "leader-elected"},
		}, steps(runs))
		assert.Equal(t, "simtest/0", s.env(runs[0])["JUJU_DEPARTING_UNIT"])
		assert.Equal(t, "simtest/0", s.env(runs[5])["JUJU_DEPARTING_UNIT"], "the removed unit departs itself")
		assert.Equal(t, "simtest/1", s.Leader("simtest"))
		assert.Equal(t, []string{"simtest/1", "simtest/2"}, s.Units("simtest"))

		unit, runs = s.AddUnit("simtest")
		RequireOK(t, runs)
		assert.Equal(t, "simtest/3", unit, "unit numbers are never reused")
	})

	t.Run("config changes", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)
		RequireOK(t, s.Deploy("simtest", s.charm, 1))
		s.onHook("config-changed", `config-get --format=json > "`+s.out("config")+`"`)

		RequireOK(t, s.ConfigSet("simtest", map[string]any{"greeting": "hello", "count": 5}))
		assert.JSONEq(t, `{"greeting":"hello","count":5}`, s.output("config"))

		RequireOK(t, s.ConfigSet("simtest", map[string]any{"greeting": nil, "extra": "x"}))
		assert.JSONEq(t, `{"greeting":"hi","count":5,"extra":"x"}`, s.output("config"))
	})

	t.Run("remove app shows dying units and leaves nothing behind", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)
		RequireOK(t, s.Deploy("simtest", s.charm, 2))
		_, runs := s.Relate("simtest", "db", Remote{App: "web", Units: 1})
		RequireOK(t, runs)
		s.onHook("remove", `goal-state --format=json > "`+s.testDir+`/goal-$(echo $JUJU_UNIT_NAME | tr / -)"`)

		runs = s.RemoveApp("simtest")

		RequireOK(t, runs)
		assert.Equal(t, []step{
			{"simtest/1", "replicas-relation-departed"},
			{"simtest/0", "replicas-relation-departed"}, {"simtest/0", "replicas-relation-broken"},
			{"simtest/0", "db-relation-departed"}, {"simtest/0", "db-relation-broken"},
			{"simtest/0", "stop"}, {"simtest/0", "remove"},
			{"simtest/1", "replicas-relation-broken"},
			{"simtest/1", "db-relation-departed"}, {"simtest/1", "db-relation-broken"},
			{"simtest/1", "stop"}, {"simtest/1", "remove"},
		}, steps(runs))
		assert.Contains(t, s.output("goal-simtest-0"), `"simtest/0":{"status":"dying"`)
		assert.Contains(t, s.output("goal-simtest-0"), `"simtest/1":{"status":"dying"`)
		snap := s.Snapshot()
		assert.Empty(t, snap.Apps)
		assert.Empty(t, snap.Units)
		assert.Empty(t, snap.Relations)
	})

	t.Run("hook runs count tool calls", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)
		RequireOK(t, s.Deploy("simtest", s.charm, 1))
		s.onHook("update-status", `is-leader --format=json >/dev/null; config-get --format=json >/dev/null; status-set bogus 2>/dev/null; exit 0`)

		run := s.RunHook("simtest/0", "update-status")

		require.True(t, run.OK())
		require.Len(t, run.ToolCalls, 3)
		assert.Equal(t, []string{"is-leader", "config-get", "status-set"},
			[]string{run.ToolCalls[0].Tool, run.ToolCalls[1].Tool, run.ToolCalls[2].Tool})
		assert.Equal(t, 2, run.ToolCalls[2].ExitCode)
		assert.Positive(t, run.ToolTime)
		assert.LessOrEqual(t, run.ToolTime, run.Wall)
	})

	t.Run("actions", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, tools)
		RequireOK(t, s.Deploy("simtest", s.charm, 1))
		s.onHook("greet", `action-set greeting="hello $(action-get name)"`)

		run, act := s.RunAction("simtest/0", "greet", map[string]any{"name": "bob"})

		require.True(t, run.OK(), run.Stderr)
		assert.Equal(t, "actions/greet", run.DispatchPath)
		assert.Equal(t, "", s.env(run)["JUJU_HOOK_NAME"])
		assert.Equal(t, "greet", s.env(run)["JUJU_ACTION_NAME"])
		assert.Equal(t, map[string]string{"greeting": "hello bob"}, act.Results)
		assert.False(t, act.Failed)
	})
}

func TestUnitContextDrivesTheJujuClient(t *testing.T) {
	s := newSim(t, BuildTools(t))
	RequireOK(t, s.Deploy("simtest", s.charm, 2))
	id, runs := s.Relate("simtest", "db", Remote{App: "web", Units: 1, AppData: map[string]string{"name": "web"}})
	RequireOK(t, runs)
	rel := juju.RelationID{Endpoint: "db", ID: id}

	follower := s.OpenContext("simtest/1")
	client := juju.NewClient(follower)
	_, err := client.Leader(t.Context())
	require.ErrorIs(t, err, juju.ErrNotLeader)
	bag, err := client.RelationGetApp(t.Context(), rel, "web")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"name": "web"}, bag)
	_, err = client.RelationGetApp(t.Context(), rel, "simtest")
	var te *juju.ToolError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "ERROR permission denied\n", te.Stderr)
	_, err = client.RelationIDs(t.Context(), "db")
	require.NoError(t, err)
	_, err = client.RelationGet(t.Context(), juju.RelationID{Endpoint: "db", ID: 42}, "web/0")
	require.ErrorIs(t, err, juju.ErrRelationNotFound)
	follower.Close(true)

	leader := s.OpenContext("simtest/0")
	l, err := juju.NewClient(leader).Leader(t.Context())
	require.NoError(t, err)
	require.NoError(t, l.RelationSetApp(t.Context(), rel, map[string]string{"k": "v"}))
	assert.Empty(t, s.RelationData(id, "simtest"), "nothing is committed before the context closes")
	leader.Close(true)
	assert.Equal(t, map[string]string{"k": "v"}, s.RelationData(id, "simtest"))

	discarded := s.OpenContext("simtest/0")
	l, err = juju.NewClient(discarded).Leader(t.Context())
	require.NoError(t, err)
	require.NoError(t, l.RelationSetApp(t.Context(), rel, map[string]string{"k": ""}))
	discarded.Close(false)
	assert.Equal(t, map[string]string{"k": "v"}, s.RelationData(id, "simtest"))
}
