package workload_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/canonical/pebble/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/tests/pebbleenv"
	"github.com/canonical/istio-ingress-k8s-go/workload"
)

// counting counts the calls that change Pebble.
type counting struct {
	workload.Pebble
	addLayer, replan int
}

func (c *counting) AddLayer(o *client.AddLayerOptions) error {
	c.addLayer++
	return c.Pebble.AddLayer(o)
}

func (c *counting) Replan(o *client.ServiceOptions) (string, error) {
	c.replan++
	return c.Pebble.Replan(o)
}

// gatewayHealth stands in for the gateway's /healthz/ready.
func gatewayHealth(t *testing.T) (url string, ready *atomic.Bool) {
	ready = &atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz/ready" || !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/healthz/ready", ready
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url) //nolint:noctx // loopback, test only
	require.NoError(t, err, "the metrics-proxy Pebble started must serve")
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

// started is a real Pebble, the charm's client on its socket, and a
// gateway health endpoint, not ready until the test says so.
type started struct {
	env   *pebbleenv.Env
	c     *client.Client
	spec  workload.Spec
	ready *atomic.Bool
}

func start(t *testing.T, model, app string) started {
	t.Helper()
	env := pebbleenv.Start(t)
	healthURL, ready := gatewayHealth(t)
	c, err := workload.Connect(env.Socket)
	require.NoError(t, err)
	return started{env: env, c: c, spec: workload.Spec{Model: model, App: app, HealthURL: healthURL}, ready: ready}
}

func TestEnsureStartsTheProxyOnceAndLeavesAnUnchangedLayerAlone(t *testing.T) {
	t.Parallel()
	s := start(t, "cos", "ingress")
	env, c, spec := s.env, s.c, s.spec

	rep, err := workload.Ensure(c, spec)
	require.NoError(t, err, env.Output())
	assert.True(t, rep.Replanned)
	first := scrape(t, env.MetricsURL)
	assert.Contains(t, first, `pod_label_selector="charms.canonical.com/cos.ingress.telemetry=aggregated"`)

	before, err := c.Changes(&client.ChangesOptions{Selector: client.ChangesAll})
	require.NoError(t, err)
	pc := &counting{Pebble: c}
	rep, err = workload.Ensure(pc, spec)
	require.NoError(t, err)
	assert.False(t, rep.Replanned)
	assert.Zero(t, pc.addLayer, "an unchanged hook must not rewrite the layer")
	assert.Zero(t, pc.replan, "an unchanged hook must not replan")
	after, err := c.Changes(&client.ChangesOptions{Selector: client.ChangesAll})
	require.NoError(t, err)
	assert.Len(t, after, len(before), "no new Pebble change")
	assert.Equal(t, first, scrape(t, env.MetricsURL), "the same proxy process keeps serving")

	// Another model means another selector: the layer is rewritten and the
	// service restarted with it.
	rep, err = workload.Ensure(c, workload.Spec{Model: "prod", App: "ingress", HealthURL: spec.HealthURL})
	require.NoError(t, err)
	assert.True(t, rep.Replanned)
	assert.Contains(t, scrape(t, env.MetricsURL), `charms.canonical.com/prod.ingress.telemetry=aggregated`)
}

func TestEnsureRestartsAStoppedProxy(t *testing.T) {
	t.Parallel()
	s := start(t, "m", "a")
	env, c, spec := s.env, s.c, s.spec
	_, err := workload.Ensure(c, spec)
	require.NoError(t, err)

	id, err := c.Stop(&client.ServiceOptions{Names: []string{workload.Service}})
	require.NoError(t, err)
	_, err = c.WaitChange(id, nil)
	require.NoError(t, err)

	rep, err := workload.Ensure(c, spec)
	require.NoError(t, err)
	assert.True(t, rep.Replanned)
	scrape(t, env.MetricsURL)
}

func TestCheckFollowsTheGatewayFailingAndRecovering(t *testing.T) {
	t.Parallel()
	s := start(t, "m", "a")
	c, spec, ready, healthURL := s.c, s.spec, s.ready, s.spec.HealthURL

	rep, err := workload.Ensure(c, spec)
	require.NoError(t, err)
	assert.False(t, rep.Gateway.Known, "no verdict before the check has run")

	// Probe now rather than waiting out the check's period: the probes and
	// Pebble's threshold are real.
	probe := func() {
		t.Helper()
		_, err := c.RefreshCheck(&client.RefreshCheckOptions{Name: workload.Check})
		require.NoError(t, err)
	}
	for range 3 {
		probe()
	}
	rep, err = workload.Ensure(c, spec)
	require.NoError(t, err)
	// Three probes of ours at least; a slow machine lets a periodic one in.
	assert.True(t, rep.Gateway.Known)
	assert.False(t, rep.Gateway.Ready)
	assert.Regexp(t, "^"+regexp.QuoteMeta(healthURL)+` failed [3-9] checks in a row$`, rep.Gateway.Reason)

	ready.Store(true)
	probe()
	rep, err = workload.Ensure(c, spec)
	require.NoError(t, err)
	assert.Equal(t, workload.Readiness{Known: true, Ready: true}, rep.Gateway)
	assert.False(t, rep.Replanned)

	ready.Store(false)
	for range 3 {
		probe()
	}
	rep, err = workload.Ensure(c, spec)
	require.NoError(t, err)
	assert.False(t, rep.Gateway.Ready)
	assert.True(t, rep.Gateway.Known)
}

func TestConnectSaysPebbleIsNotUpAtOnce(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "nopebble")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	stale := filepath.Join(dir, "pebble.socket")
	require.NoError(t, os.WriteFile(stale, nil, 0o600)) // left by a dead Pebble

	for _, socket := range []string{filepath.Join(dir, "missing.socket"), stale} {
		start := time.Now()
		_, err := workload.Connect(socket)
		var notUp *workload.NotUpError
		require.True(t, errors.As(err, &notUp), "%v", err)
		assert.Less(t, time.Since(start), 4*time.Second, "no five-second retry loop in the hook")
	}
}

// BenchmarkEnsureUnchanged is what the Pebble step costs a hook when the
// layer is in place: connect, plan, services and checks.
func BenchmarkEnsureUnchanged(b *testing.B) {
	env := pebbleenv.Start(b)
	spec := workload.Spec{Model: "m", App: "a", HealthURL: "http://127.0.0.1:1/healthz/ready"}
	c, err := workload.Connect(env.Socket)
	require.NoError(b, err)
	_, err = workload.Ensure(c, spec)
	require.NoError(b, err)
	b.ResetTimer()
	for b.Loop() {
		c, err := workload.Connect(env.Socket)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := workload.Ensure(c, spec)
		if err != nil || rep.Replanned {
			b.Fatalf("%v %v", rep, err)
		}
		c.CloseIdleConnections()
	}
}
