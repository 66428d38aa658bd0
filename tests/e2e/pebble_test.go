package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/canonical/pebble/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/hooks"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
	"github.com/canonical/istio-ingress-k8s-go/tests/pebbleenv"
	"github.com/canonical/istio-ingress-k8s-go/workload"
)

// workloads gives every unit of a scenario its own real Pebble, as each
// pod has its metrics-proxy container, and plays the gateway's
// /healthz/ready, which the layer's check probes: ready once Istio has
// provisioned the gateway.
type workloads struct {
	t      testing.TB
	health *httptest.Server
	ready  atomic.Bool

	mu      sync.Mutex
	pebbles map[string]*pebbleenv.Env
}

func newWorkloads(t testing.TB) *workloads {
	w := &workloads{t: t, pebbles: map[string]*pebbleenv.Env{}}
	w.health = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz/ready" || !w.ready.Load() {
			rw.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(w.health.Close)
	return w
}

// hookEnv is what every hook of the model sees: the check's URL.
func (w *workloads) hookEnv() map[string]string {
	return map[string]string{hooks.HealthURLEnv: w.health.URL + "/healthz/ready"}
}

// unitEnv starts the unit's Pebble at its first hook and points the charm
// at its socket.
func (w *workloads) unitEnv(unit string) map[string]string {
	return map[string]string{hooks.PebbleSocketEnv: w.pebble(unit).Socket}
}

func (w *workloads) pebble(unit string) *pebbleenv.Env {
	w.mu.Lock()
	defer w.mu.Unlock()
	e, ok := w.pebbles[unit]
	if !ok {
		e = pebbleenv.Start(w.t)
		w.pebbles[unit] = e
	}
	return e
}

// client is a Pebble client on unit's socket, as the test's own.
func (w *workloads) client(t testing.TB, unit string) *client.Client {
	c, err := client.New(&client.Config{Socket: w.pebble(unit).Socket})
	require.NoError(t, err)
	return c
}

// setReady makes the gateway answer ready (or not) and has every unit's
// check probe it now, as its next period would: the check's state is then
// what Juju's check hooks report.
func (w *workloads) setReady(t testing.TB, ready bool) {
	w.ready.Store(ready)
	w.mu.Lock()
	units := make([]string, 0, len(w.pebbles))
	for u := range w.pebbles {
		units = append(units, u)
	}
	w.mu.Unlock()
	for _, u := range units {
		c := w.client(t, u)
		if checks, err := c.Checks(&client.ChecksOptions{Names: []string{workload.Check}}); err != nil || len(checks) == 0 {
			continue // the unit has not added its layer yet
		}
		probes := 1
		if !ready {
			probes = 3 // the check's threshold
		}
		for range probes {
			_, err := c.RefreshCheck(&client.RefreshCheckOptions{Name: workload.Check})
			require.NoError(t, err)
		}
	}
}

// replans counts the replans unit's Pebble has run.
func (w *workloads) replans(t testing.TB, unit string) int {
	changes, err := w.client(t, unit).Changes(&client.ChangesOptions{Selector: client.ChangesAll})
	require.NoError(t, err)
	n := 0
	for _, c := range changes {
		if c.Kind == "replan" {
			n++
		}
	}
	return n
}

// restart stops unit's Pebble, as a container restart does; its next hook
// finds a new one with an empty plan.
func (w *workloads) restart(t testing.TB, unit string) {
	w.mu.Lock()
	e := w.pebbles[unit]
	delete(w.pebbles, unit)
	w.mu.Unlock()
	e.Stop()
	assert.Empty(t, scrape(t, e), "the old proxy went with its Pebble")
}

// scrape reads what the unit's metrics-proxy serves: "" when nothing does.
func scrape(t testing.TB, e *pebbleenv.Env) string {
	t.Helper()
	resp, err := http.Get(e.MetricsURL) //nolint:noctx // loopback, test only
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

// The packed charm through dispatch, with a real Pebble per unit: every
// unit runs metrics-proxy, and the gateway-ready check's hooks withdraw and
// restore what the leader serves without waiting for update-status.
func TestMetricsProxyAndReadinessThroughPebble(t *testing.T) {
	const ns = "e2e-pebble"
	s := newScenario(t, ns, "pebble-apps")
	m := s.Model
	leader, follower := app+"/0", app+"/1"
	s.deploy(t, 2)
	selector := fmt.Sprintf("pod_label_selector=%q", gateway.TelemetryLabelKey(ns, app)+"="+gateway.TelemetryLabelValue)
	for _, u := range []string{leader, follower} {
		assert.Contains(t, scrape(t, s.work.pebble(u)), selector, "%s runs metrics-proxy", u)
	}
	assert.Equal(t, simstate.Status{Status: "active", Message: standby}, m.UnitStatus(follower))

	webApp, err := ingress.AppData{Request: ingress.Request{Model: "pebble-apps", Name: "web", Port: 8080}}.Bag()
	require.NoError(t, err)
	rel := s.relate(t, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: webApp, Model: "pebble-apps"})

	// The gateway's readiness endpoint fails: Juju reports the check.
	s.work.setReady(t, false)
	s.ok(t, m.PebbleCheck(leader, workload.Container, workload.Check, true))
	st := m.UnitStatus(leader)
	assert.Equal(t, "waiting", st.Status)
	assert.Regexp(t, `/healthz/ready failed \d+ checks in a row`, st.Message)
	assert.Empty(t, m.RelationData(rel, app), "no URL while the gateway is not ready")

	// Istio has the gateway up: the recovered check publishes at once.
	s.provision(t, "10.0.0.7")
	s.ok(t, m.PebbleCheck(leader, workload.Container, workload.Check, false))
	assert.Equal(t, servingAt("10.0.0.7"), m.UnitStatus(leader))
	url, err := ingress.ReadURL(m.RelationData(rel, app))
	require.NoError(t, err)
	assert.Equal(t, ingress.URL("http", "10.0.0.7", "pebble-apps", "web"), url)

	// It stops answering while the Deployment still says ready: the check
	// is what withdraws "Serving". The requirer keeps its URL, the best it
	// can have meanwhile.
	s.work.setReady(t, false)
	s.ok(t, m.PebbleCheck(leader, workload.Container, workload.Check, true))
	assert.Equal(t, "waiting", m.UnitStatus(leader).Status)
	assert.Equal(t, map[string]string{"ingress": `{"url": "http://10.0.0.7/pebble-apps-web"}`}, m.RelationData(rel, app))
	s.work.setReady(t, true)
	s.ok(t, m.PebbleCheck(leader, workload.Container, workload.Check, false))
	assert.Equal(t, servingAt("10.0.0.7"), m.UnitStatus(leader))

	// An unchanged hook leaves the layer and the running proxy alone.
	before := scrape(t, s.work.pebble(leader))
	replans := s.work.replans(t, leader)
	s.ok(t, m.RunHook(leader, "update-status"))
	assert.Equal(t, replans, s.work.replans(t, leader), "no replan")
	assert.Equal(t, before, scrape(t, s.work.pebble(leader)), "the same proxy process")

	// The container restarts with an empty plan: pebble-ready puts the
	// layer back and the proxy runs again.
	s.work.restart(t, follower)
	s.ok(t, m.PebbleReady(follower, workload.Container))
	assert.Contains(t, scrape(t, s.work.pebble(follower)), selector)
	assert.Equal(t, simstate.Status{Status: "active", Message: standby}, m.UnitStatus(follower))
}
