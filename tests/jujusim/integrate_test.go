package jujusim

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fatalRecorder stands in for the test while a simulator call is expected
// to fail it: Fatalf records the message and ends the calling goroutine,
// as testing.T does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, a ...any) {
	r.msg = fmt.Sprintf(format, a...)
	runtime.Goexit()
}

// expectFatal runs fn against m and returns the message it failed the test
// with ("" if it did not).
func expectFatal(t *testing.T, m *Model, fn func()) string {
	t.Helper()
	rec := &fatalRecorder{TB: t}
	saved := m.t
	m.t = rec
	defer func() { m.t = saved }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
	return rec.msg
}

// twoCharms deploys the test charm twice: "left" provides db, "right"
// requires it as source.
func twoCharms(t *testing.T, tools string, left, right int, opts ...Option) *sim {
	t.Helper()
	s := newSim(t, tools, opts...)
	RequireOK(t, s.Deploy("left", s.charm, left))
	RequireOK(t, s.Deploy("right", s.charm, right))
	return s
}

// Scripts of a request/reply exchange: right's leader asks, left's leader
// answers, and right records every answer it sees.
const (
	askOnCreated = `if [ "$(is-leader)" = True ]; then relation-set --app request=hello; fi`
	answer       = `if [ "$(is-leader)" = True ]; then
  req=$(relation-get --app request "$JUJU_REMOTE_APP")
  if [ -n "$req" ]; then relation-set --app reply="$req back"; fi
fi`
)

func recordReply(s *sim) string {
	return `echo "$JUJU_UNIT_NAME from=${JUJU_REMOTE_UNIT:-$JUJU_REMOTE_APP} reply=$(relation-get --app reply "$JUJU_REMOTE_APP")" >> "` + s.out("replies") + `"`
}

func TestRelateApps(t *testing.T) {
	tools := BuildTools(t)

	t.Run("created on both sides, then joined and changed per unit on each side", func(t *testing.T) {
		t.Parallel()
		s := twoCharms(t, tools, 2, 1)

		id, runs := s.RelateApps("left", "db", "right", "source")

		RequireOK(t, runs)
		assert.Equal(t, 2, id, "each charm's peer relation took an id first")
		require.Equal(t, []step{
			{"left/0", "db-relation-created"}, {"left/1", "db-relation-created"}, {"right/0", "source-relation-created"},
			{"left/0", "db-relation-joined"}, {"left/0", "db-relation-changed"}, {"left/0", "db-relation-changed"},
			{"left/1", "db-relation-joined"}, {"left/1", "db-relation-changed"}, {"left/1", "db-relation-changed"},
			{"right/0", "source-relation-joined"}, {"right/0", "source-relation-changed"},
			{"right/0", "source-relation-joined"}, {"right/0", "source-relation-changed"},
			{"right/0", "source-relation-changed"},
		}, steps(runs), "nothing was written, so nothing more runs")
		created := s.env(runs[2])
		assert.Equal(t, "source", created["JUJU_RELATION"])
		assert.Equal(t, "source:2", created["JUJU_RELATION_ID"])
		assert.Equal(t, "left", created["JUJU_REMOTE_APP"])
		joined := s.env(runs[11])
		assert.Equal(t, "left/1", joined["JUJU_REMOTE_UNIT"])
		assert.Equal(t, "db:2", s.env(runs[3])["JUJU_RELATION_ID"])
		assert.Equal(t, []int{2}, s.RelationIDs("left", "db"))
		assert.Equal(t, []int{2}, s.RelationIDs("right", "source"))
	})

	t.Run("each side reacts to the data the other commits until quiescent", func(t *testing.T) {
		t.Parallel()
		s := twoCharms(t, tools, 1, 1)
		s.onHook("source-relation-created", askOnCreated)
		s.onHook("db-relation-changed", answer)
		s.onHook("source-relation-changed", recordReply(s))

		id, runs := s.RelateApps("left", "db", "right", "source")

		RequireOK(t, runs)
		require.Equal(t, []step{
			{"left/0", "db-relation-created"}, {"right/0", "source-relation-created"},
			{"left/0", "db-relation-joined"}, {"left/0", "db-relation-changed"}, {"left/0", "db-relation-changed"},
			{"right/0", "source-relation-joined"}, {"right/0", "source-relation-changed"}, {"right/0", "source-relation-changed"},
		}, steps(runs), "changes made before the other side read them owe no extra hook")
		assert.Equal(t, map[string]string{"request": "hello"}, s.RelationData(id, "right"))
		assert.Equal(t, map[string]string{"reply": "hello back"}, s.RelationData(id, "left"))
		assert.Equal(t, "right/0 from=left/0 reply=hello back\nright/0 from=left reply=hello back\n", s.output("replies"))

		// A config change makes right ask again: left answers, right sees it.
		s.onHook("config-changed", `case "$JUJU_UNIT_NAME" in right/*)
  relation-set -r "$(relation-ids source)" --app request="$(config-get greeting)";; esac`)
		runs = s.ConfigSet("right", map[string]any{"greeting": "hola"})

		RequireOK(t, runs)
		require.Equal(t, []step{
			{"right/0", "config-changed"}, {"left/0", "db-relation-changed"}, {"right/0", "source-relation-changed"},
		}, steps(runs))
		changed := s.env(runs[1])
		assert.Equal(t, "", changed["JUJU_REMOTE_UNIT"], "an application bag changed")
		assert.Equal(t, "right", changed["JUJU_REMOTE_APP"])
		assert.Equal(t, "db:2", changed["JUJU_RELATION_ID"])
		assert.Equal(t, map[string]string{"reply": "hola back"}, s.RelationData(id, "left"))
		assert.True(t, strings.HasSuffix(s.output("replies"), "right/0 from=left reply=hola back\n"), s.output("replies"))
	})

	t.Run("a unit bag change reaches the remote units that see the unit", func(t *testing.T) {
		t.Parallel()
		s := twoCharms(t, tools, 2, 2)
		id, runs := s.RelateApps("left", "db", "right", "source")
		RequireOK(t, runs)
		s.onHook("update-status", `relation-set -r "$(relation-ids db)" address=10.0.0.7`)

		run := s.RunHook("left/1", "update-status")
		require.True(t, run.OK(), run.Stderr)
		runs = s.Settle()

		RequireOK(t, runs)
		require.Equal(t, []step{{"right/0", "source-relation-changed"}, {"right/1", "source-relation-changed"}}, steps(runs))
		assert.Equal(t, "left/1", s.env(runs[0])["JUJU_REMOTE_UNIT"])
		assert.Equal(t, map[string]string{"address": "10.0.0.7"}, s.RelationData(id, "left/1"))

		require.True(t, s.RunHook("left/1", "update-status").OK())
		assert.Empty(t, s.Settle(), "rewriting the same value changes nothing")
		assert.Empty(t, s.Settle(), "nothing stays owed")
	})

	t.Run("a failed hook commits nothing and owes nothing", func(t *testing.T) {
		t.Parallel()
		s := twoCharms(t, tools, 1, 1)
		_, runs := s.RelateApps("left", "db", "right", "source")
		RequireOK(t, runs)
		s.onHook("update-status", `relation-set -r "$(relation-ids db)" --app k=v; exit 1`)

		assert.Equal(t, 1, s.RunHook("left/0", "update-status").ExitCode)
		assert.Empty(t, s.Settle())
	})

	t.Run("two charms rewriting each other's data fail the test", func(t *testing.T) {
		t.Parallel()
		s := twoCharms(t, tools, 1, 1, WithSettleLimit(10))
		s.onHook("db-relation-changed", `n=$(relation-get --app n "$JUJU_REMOTE_APP"); relation-set --app m=$(( ${n:-0} + 1 ))`)
		s.onHook("source-relation-changed", `m=$(relation-get --app m "$JUJU_REMOTE_APP"); relation-set --app n=$(( ${m:-0} + 1 ))`)

		msg := expectFatal(t, s.Model, func() { s.RelateApps("left", "db", "right", "source") })

		assert.Contains(t, msg, "relation data did not settle after 10 relation-changed hooks")
		assert.Contains(t, msg, "source-relation-changed on right/0")
	})

	t.Run("unrelate: departed and broken on both sides", func(t *testing.T) {
		t.Parallel()
		s := twoCharms(t, tools, 1, 1)
		id, runs := s.RelateApps("left", "db", "right", "source")
		RequireOK(t, runs)
		s.onHook("db-relation-broken", `relation-set --app gone=yes; relation-ids db > "`+s.out("left-broken-ids")+`"`)

		runs = s.Unrelate(id)

		RequireOK(t, runs)
		require.Equal(t, []step{
			{"left/0", "db-relation-departed"}, {"left/0", "db-relation-broken"},
			{"right/0", "source-relation-departed"}, {"right/0", "source-relation-broken"},
		}, steps(runs), "a write on a dying relation tells nobody")
		assert.Equal(t, "right/0", s.env(runs[0])["JUJU_REMOTE_UNIT"])
		assert.Equal(t, "left/0", s.env(runs[2])["JUJU_DEPARTING_UNIT"])
		assert.Equal(t, "db:2\n", s.output("left-broken-ids"))
		assert.Empty(t, s.RelationIDs("left", "db"))
		assert.Empty(t, s.RelationIDs("right", "source"))
		assert.Contains(t, s.Snapshot().Apps, "right", "unrelating removes no application")
	})

	t.Run("scaling one side: the other sees units join and depart", func(t *testing.T) {
		t.Parallel()
		s := twoCharms(t, tools, 1, 1)
		_, runs := s.RelateApps("left", "db", "right", "source")
		RequireOK(t, runs)

		unit, runs := s.AddUnit("right")

		RequireOK(t, runs)
		assert.Equal(t, "right/1", unit)
		require.Equal(t, []step{
			{"right/1", "install"}, {"right/1", "replicas-relation-created"}, {"right/1", "leader-settings-changed"},
			{"right/1", "config-changed"}, {"right/1", "start"}, {"right/1", "workload-pebble-ready"},
			{"right/1", "source-relation-created"},
			{"right/1", "source-relation-joined"}, {"right/1", "source-relation-changed"}, {"right/1", "source-relation-changed"},
			{"left/0", "db-relation-joined"}, {"left/0", "db-relation-changed"},
			{"right/0", "replicas-relation-joined"}, {"right/0", "replicas-relation-changed"},
			{"right/1", "replicas-relation-joined"}, {"right/1", "replicas-relation-changed"},
		}, steps(runs))
		assert.Equal(t, "right/1", s.env(runs[10])["JUJU_REMOTE_UNIT"])

		runs = s.RemoveUnit("right/1")

		RequireOK(t, runs)
		require.Equal(t, []step{
			{"right/0", "replicas-relation-departed"},
			{"right/1", "replicas-relation-departed"}, {"right/1", "replicas-relation-broken"},
			{"left/0", "db-relation-departed"},
			{"right/1", "source-relation-departed"}, {"right/1", "source-relation-broken"},
			{"right/1", "stop"}, {"right/1", "remove"},
		}, steps(runs))
		assert.Equal(t, "right/1", s.env(runs[3])["JUJU_DEPARTING_UNIT"])
	})

	t.Run("removing one side breaks the relation on the other", func(t *testing.T) {
		t.Parallel()
		s := twoCharms(t, tools, 1, 1)
		_, runs := s.RelateApps("left", "db", "right", "source")
		RequireOK(t, runs)

		runs = s.RemoveApp("right")

		RequireOK(t, runs)
		require.Equal(t, []step{
			{"right/0", "replicas-relation-broken"},
			{"left/0", "db-relation-departed"},
			{"right/0", "source-relation-departed"}, {"right/0", "source-relation-broken"},
			{"right/0", "stop"}, {"right/0", "remove"},
			{"left/0", "db-relation-broken"},
		}, steps(runs))
		assert.Empty(t, s.RelationIDs("left", "db"))
		assert.Equal(t, []string{"left/0"}, s.Units("left"))
	})
}

func TestRelateAppsRefuses(t *testing.T) {
	s := twoCharms(t, BuildTools(t), 1, 1)
	_, runs := s.Relate("left", "backend", Remote{App: "fake", Units: 1})
	RequireOK(t, runs)
	tests := []struct {
		name       string
		a, aEP     string
		b, bEP     string
		wantFailed string
	}{
		{"different interfaces", "left", "db", "right", "backend", "have different interfaces"},
		{"two providers", "left", "db", "right", "db", "(provides) cannot be related to right:db (provides)"},
		{"itself", "left", "db", "left", "source", "cannot be related to itself"},
		{"unknown endpoint", "left", "nope", "right", "source", `left has no endpoint "nope"`},
		{"peer endpoint", "left", "replicas", "right", "replicas", `left has no endpoint "replicas"`},
		{"a simulated remote", "left", "db", "fake", "db", `"fake" is not a deployed charm`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := expectFatal(t, s.Model, func() { s.RelateApps(tt.a, tt.aEP, tt.b, tt.bEP) })
			assert.Contains(t, msg, tt.wantFailed)
		})
	}
	assert.Empty(t, s.RelationIDs("left", "db"), "a refused relation leaves no trace")

	_, runs = s.RelateApps("left", "db", "right", "source")
	RequireOK(t, runs)
	assert.Contains(t, expectFatal(t, s.Model, func() { s.RelateApps("left", "db", "right", "source") }), "already related")
	assert.Contains(t, expectFatal(t, s.Model, func() { s.Relate("left", "db", Remote{App: "right"}) }), "relate it with RelateApps")
}
