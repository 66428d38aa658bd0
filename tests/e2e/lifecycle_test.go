package e2e

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

var env *kubeenv.Env

func TestMain(m *testing.M) { kubeenv.Main(m, &env) }

const app = "istio-ingress-k8s"

var (
	gatewaysGVR   = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}
	httpRoutesGVR = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}
)

const standby = "Backup unit; standing by for leader takeover"

// TestLifecycle deploys two units, serves an ingress requirer, removes the
// relation, moves leadership and removes the application. Every hook must
// exit 0 without logging an error, and the statuses and cluster objects must
// follow.
func TestLifecycle(t *testing.T) {
	ctx := t.Context()
	ns := "e2e-lifecycle"
	s := newScenario(t, ns, "web-model")
	m := s.Model
	leader, follower := app+"/0", app+"/1"

	// Deploy: no Istio gateway workload yet, so the leader waits for it.
	s.deploy(t, 2)
	require.Equal(t, leader, m.Leader(app))
	assert.Equal(t, "waiting", m.UnitStatus(leader).Status)
	assert.Contains(t, m.UnitStatus(leader).Message, "Waiting for the gateway")
	assert.Equal(t, simstate.Status{Status: "active", Message: standby}, m.UnitStatus(follower))
	_, err := env.Dynamic().Resource(gatewaysGVR).Namespace(ns).Get(ctx, app, metav1.GetOptions{})
	require.NoError(t, err, "the leader applied the Gateway")

	// Istio provisions the gateway; the next hook notices.
	s.provision(t, "10.0.0.1")
	s.ok(t, m.RunHook(leader, "update-status"))
	assert.Equal(t, simstate.Status{Status: "active", Message: "Serving at 10.0.0.1"}, m.UnitStatus(leader))

	// Relate an ingress requirer from another model: the leader routes it
	// (the routes live in the requirer's namespace) and publishes its URL.
	webApp, err := ingress.AppData{Request: ingress.Request{Model: "web-model", Name: "web", Port: 8080}}.Bag()
	require.NoError(t, err)
	webUnit, err := ingress.UnitData{Host: "web-0.web-endpoints.web-model.svc.cluster.local"}.Bag()
	require.NoError(t, err)
	relID, runs := m.Relate(app, "ingress", jujusim.Remote{
		App: "web", Units: 1, AppData: webApp, UnitData: map[string]map[string]string{"web/0": webUnit}, Model: "web-model",
	})
	s.ok(t, runs...)
	url, err := ingress.ReadURL(m.RelationData(relID, app))
	require.NoError(t, err)
	assert.Equal(t, ingress.URL("http", "10.0.0.1", "web-model", "web"), url)
	assert.Len(t, httpRoutes(t, "web-model"), 1)
	assert.Equal(t, simstate.Status{Status: "active", Message: "Serving at 10.0.0.1"}, m.UnitStatus(leader))
	assert.Equal(t, simstate.Status{Status: "active", Message: standby}, m.UnitStatus(follower))

	t.Run("a non-leader cannot write application data", func(t *testing.T) {
		before := m.RelationData(relID, app)
		uc := m.OpenContext(follower)
		defer uc.Close(true)
		rel := juju.RelationID{Endpoint: "ingress", ID: relID}

		_, err := juju.NewClient(uc).Leader(ctx)
		require.ErrorIs(t, err, juju.ErrNotLeader, "the client hands out no Leader to a non-leader")
		var forged juju.Leader
		require.ErrorIs(t, forged.RelationSetApp(ctx, rel, map[string]string{"ingress": "x"}), juju.ErrNotLeader,
			"a Leader not obtained from Client.Leader writes nothing")

		_, err = uc.Run(ctx, []byte(`{"ingress":"x"}`), "relation-set", "-r", rel.String(), "--app", "--file", "-")
		var te *juju.ToolError
		require.ErrorAs(t, err, &te, "Juju itself refuses the write")
		assert.Equal(t, 1, te.ExitCode)
		assert.Equal(t, "ERROR cannot write relation settings\n", te.Stderr)
		assert.Equal(t, before, m.RelationData(relID, app))
	})

	// Unrelate: the route goes, the gateway keeps serving.
	s.ok(t, m.Unrelate(relID)...)
	assert.Empty(t, httpRoutes(t, "web-model"))
	assert.Equal(t, simstate.Status{Status: "active", Message: "Serving at 10.0.0.1"}, m.UnitStatus(leader))

	// Leader change: the new leader takes over, the old one stands by.
	s.ok(t, m.SetLeader(follower)...)
	assert.Equal(t, simstate.Status{Status: "active", Message: "Serving at 10.0.0.1"}, m.UnitStatus(follower))
	s.ok(t, m.RunHook(leader, "update-status"))
	assert.Equal(t, simstate.Status{Status: "active", Message: standby}, m.UnitStatus(leader))
	relID, runs = m.Relate(app, "ingress", jujusim.Remote{
		App: "web", Units: 1, AppData: webApp, UnitData: map[string]map[string]string{"web/0": webUnit}, Model: "web-model",
	})
	s.ok(t, runs...)
	url, err = ingress.ReadURL(m.RelationData(relID, app))
	require.NoError(t, err)
	assert.Equal(t, ingress.URL("http", "10.0.0.1", "web-model", "web"), url, "the new leader publishes")

	// Remove: the last unit deletes everything the charm created.
	s.ok(t, m.RemoveApp(app)...)
	_, err = env.Dynamic().Resource(gatewaysGVR).Namespace(ns).Get(ctx, app, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "Gateway deleted, got %v", err)
	assert.Empty(t, httpRoutes(t, "web-model"))

	s.assertNoErrorLogs(t)
}

func httpRoutes(t *testing.T, ns string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	list, err := env.Dynamic().Resource(httpRoutesGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	var names []string
	for _, item := range list.Items {
		names = append(names, item.GetName())
	}
	return names
}

// logHookCosts reports what the hooks cost, for reading, not asserting.
func logHookCosts(t testing.TB, runs []jujusim.HookRun) {
	if len(runs) == 0 || os.Getenv("E2E_QUIET") != "" {
		return
	}
	var wall, tools time.Duration
	calls := 0
	for _, r := range runs {
		wall += r.Wall
		tools += r.ToolTime
		calls += len(r.ToolCalls)
	}
	n := time.Duration(len(runs))
	t.Logf("%d hooks: mean wall %v, mean %.1f tool calls taking %v", len(runs), wall/n, float64(calls)/float64(len(runs)), tools/n)
}
