package e2e

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/hooktrace/otlptest"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
)

// TestMetricsEndpointAsPrometheusReadsIt relates a Prometheus-like
// consumer to the packed charm and reads both sides of every bag as the
// Python prometheus_scrape consumer does: the leader's scrape job, Juju
// topology and alert rules, and each unit's address, standby units and a
// unit added later included. The targets it would scrape are every unit's
// metrics proxy.
func TestMetricsEndpointAsPrometheusReadsIt(t *testing.T) {
	const (
		model = "e2e-metrics"
		lb    = "10.0.9.1"
	)
	s := newScenario(t, model)
	s.provision(t, lb)
	s.deploy(t, 2)
	rel := s.relate(t, "metrics-endpoint", jujusim.Remote{App: "prometheus", Units: 1})

	bag := s.RelationData(rel, app)
	var jobs []struct {
		StaticConfigs []struct {
			Targets []string `json:"targets"`
		} `json:"static_configs"`
	}
	require.NoError(t, json.Unmarshal([]byte(bag["scrape_jobs"]), &jobs), bag["scrape_jobs"])
	require.Len(t, jobs, 1)
	require.Len(t, jobs[0].StaticConfigs, 1)
	assert.Equal(t, []string{"*:15090"}, jobs[0].StaticConfigs[0].Targets, "every unit's metrics proxy")

	var meta map[string]string
	require.NoError(t, json.Unmarshal([]byte(bag["scrape_metadata"]), &meta), bag["scrape_metadata"])
	uuid := s.Snapshot().UUID
	assert.Equal(t, map[string]string{"model": model, "model_uuid": uuid, "application": app,
		"unit": s.leader, "charm_name": app}, meta)

	var rules struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Alert  string            `json:"alert"`
				Expr   string            `json:"expr"`
				Labels map[string]string `json:"labels"`
			} `json:"rules"`
		} `json:"groups"`
	}
	require.NoError(t, json.Unmarshal([]byte(bag["alert_rules"]), &rules), bag["alert_rules"])
	require.NotEmpty(t, rules.Groups)
	var alerts []string
	prefix := strings.ReplaceAll(model, "-", "_") + "_" + uuid[:8] + "_" + strings.ReplaceAll(app, "-", "_") + "_"
	for _, g := range rules.Groups {
		assert.True(t, strings.HasPrefix(g.Name, prefix), "group %q is not named after the topology %q", g.Name, prefix)
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			assert.Equal(t, app, r.Labels["juju_application"], r.Alert)
			assert.Equal(t, model, r.Labels["juju_model"], r.Alert)
			assert.Equal(t, uuid, r.Labels["juju_model_uuid"], r.Alert)
			assert.Contains(t, r.Expr, `juju_application="`+app+`"`, "%s selects only this application's metrics", r.Alert)
			assert.NotContains(t, r.Expr, "%%juju_topology%%", r.Alert)
		}
	}
	assert.Contains(t, alerts, "NoSuccessfulScrapes")

	// The unit bags: every unit says where it is, so the consumer turns
	// "*:15090" into one target per unit.
	s.ok(t, func() []jujusim.HookRun { _, runs := s.AddUnit(app); return runs }()...)
	units := s.Units(app)
	require.Len(t, units, 3)
	md := s.Snapshot()
	var targets []string
	for _, u := range units {
		ub := s.RelationData(rel, u)
		assert.Equal(t, u, ub["prometheus_scrape_unit_name"], u)
		assert.Equal(t, md.Units[u].Address, ub["prometheus_scrape_unit_address"], u)
		assert.NotEmpty(t, ub["prometheus_scrape_unit_fqdn"], u)
		targets = append(targets, strings.Replace(jobs[0].StaticConfigs[0].Targets[0], "*", ub["prometheus_scrape_unit_address"], 1))
	}
	assert.Len(t, targets, 3)
	assert.NotContains(t, targets, "*:15090", "a unit without an address")
	assert.Equal(t, servingAt(lb), s.status())
	s.assertNoErrorLogs(t)
}

// tracingProvider is a tracing provider's app bag naming url as its
// otlp_http receiver, next to a gRPC one the charm must not pick.
func tracingProvider(url string) map[string]string {
	return map[string]string{"receivers": `[{"protocol": {"name": "otlp_grpc", "type": "grpc"}, "url": "tempo:4317"}, ` +
		`{"protocol": {"name": "otlp_http", "type": "http"}, "url": "` + url + `"}]`}
}

// traces groups spans by trace id.
func traces(spans []otlptest.Span) map[string][]otlptest.Span {
	out := map[string][]otlptest.Span{}
	for _, s := range spans {
		id := string(s.TraceId)
		out[id] = append(out[id], s)
	}
	return out
}

// TestCharmTracingSendsOneTracePerHook relates a tracing provider whose
// otlp_http receiver is run by the test: the packed charm asks for
// otlp_http, and every hook, the leader's and a standby's, arrives as one
// trace with the hook as root. Once the relation goes, nothing is sent.
func TestCharmTracingSendsOneTracePerHook(t *testing.T) {
	const (
		model = "e2e-tracing"
		lb    = "10.0.9.2"
	)
	recv := otlptest.Start()
	t.Cleanup(recv.Close)
	s := newScenario(t, model)
	s.provision(t, lb)
	s.deploy(t, 2)
	rel := s.relate(t, "charm-tracing", jujusim.Remote{App: "tempo", Endpoint: "tracing", Units: 1, AppData: tracingProvider(recv.URL)})
	assert.Equal(t, map[string]string{"receivers": `["otlp_http"]`}, s.RelationData(rel, app), "what the Python provider reads")

	// One hook, one trace: the hook as the root, the reconcile's steps as
	// its children.
	hook := func(unit, name string) []otlptest.Span {
		t.Helper()
		before := len(recv.Spans())
		s.ok(t, s.RunHook(unit, name))
		got := traces(recv.Spans()[before:])
		require.Len(t, got, 1, "traces of one %s on %s", name, unit)
		for _, spans := range got {
			return spans
		}
		return nil
	}
	spans := hook(s.leader, "update-status")
	byName := map[string]otlptest.Span{}
	for _, sp := range spans {
		byName[sp.Name] = sp
	}
	root := byName["update-status"]
	require.NotNil(t, root.Span, "spans: %v", spans)
	assert.Empty(t, root.ParentSpanId, "the hook is the root")
	assert.Equal(t, s.leader, root.Attr("juju.unit"))
	assert.Equal(t, "active", root.Attr("juju.status"))
	assert.Equal(t, app, root.Resource["service.name"])
	for _, name := range []string{"snapshot", "plan", "apply", "publish"} {
		sp := byName[name]
		require.NotNil(t, sp.Span, "no %s span in %v", name, spans)
		assert.Equal(t, root.SpanId, sp.ParentSpanId, name)
	}
	assert.Equal(t, "1", byName["snapshot"].Attr("relations.charm-tracing"))

	// A standby unit traces its own hooks too.
	standby := spans[:0]
	for _, sp := range hook(app+"/1", "update-status") {
		if len(sp.ParentSpanId) == 0 {
			standby = append(standby, sp)
		}
	}
	require.Len(t, standby, 1)
	assert.Equal(t, "update-status", standby[0].Name)
	assert.Equal(t, app+"/1", standby[0].Attr("juju.unit"))

	// Another hook kind, same shape.
	spans = hook(s.leader, "config-changed")
	assert.Contains(t, names(spans), "config-changed")
	assert.Empty(t, recv.Rejected(), "every request was an OTLP/HTTP trace export")

	// No relation, no export.
	s.ok(t, s.Unrelate(rel)...)
	before := len(recv.Spans())
	s.ok(t, s.RunHook(s.leader, "update-status"))
	assert.Len(t, recv.Spans(), before, "nothing sent without a receiver")
	assert.Equal(t, servingAt(lb), s.status())
}

func names(spans []otlptest.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

// TestDeadTracingReceiverNeverFailsAHook points charm-tracing at a
// receiver that accepts the connection and never answers, then at a port
// nobody listens on: every hook still exits 0 and serves, the export was
// tried and given up, and the debug log says why. (What the bound costs in
// time is measured by the hook benchmark, not asserted here.)
func TestDeadTracingReceiverNeverFailsAHook(t *testing.T) {
	const (
		model = "e2e-tracing-dead"
		lb    = "10.0.9.3"
	)
	silentURL, tried := otlptest.Silent(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())

	s := newScenario(t, model)
	s.provision(t, lb)
	s.deploy(t, 1)
	rel := s.relate(t, "charm-tracing", jujusim.Remote{App: "tempo", Endpoint: "tracing", Units: 1, AppData: tracingProvider(silentURL)})

	run := s.RunHook(s.leader, "update-status")
	s.ok(t, run)
	assert.NotZero(t, tried(), "the export reached the receiver")
	assert.Contains(t, run.Stderr, "DEBUG Trace not exported: ", "the export gave up")
	assert.Contains(t, run.Stderr, silentURL)
	assert.Contains(t, run.Stderr, "context deadline exceeded", "given up at the bound, not answered")
	assert.Equal(t, servingAt(lb), s.status())

	s.ok(t, s.SetRemoteData(rel, "tempo", tracingProvider(closed))...)
	run = s.RunHook(s.leader, "update-status")
	s.ok(t, run)
	assert.Contains(t, run.Stderr, "DEBUG Trace not exported: ")
	assert.Contains(t, run.Stderr, "connection refused")
	assert.Equal(t, servingAt(lb), s.status())
	for _, l := range s.Logs() {
		assert.NotContains(t, l.Message, "Trace not exported", "a failed export stays out of juju-log (%s)", l.Level)
	}
	s.assertNoErrorLogs(t)
}
