package e2e

import (
	"testing"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/charm"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
)

// BenchmarkHookLatency measures a whole update-status hook of the leader
// serving one ingress requirer: dispatch, hook tools, reconcile against the
// API server. It reports hook-tool calls and the time spent in them.
func BenchmarkHookLatency(b *testing.B) {
	ctx := b.Context()
	ns := "e2e-bench"
	if err := env.CreateGatewayWorkload(ctx, ns, app, 1, 1, "10.0.0.2"); err != nil {
		b.Fatal(err)
	}
	if err := env.CreateNamespace(ctx, "bench-web"); err != nil {
		b.Fatal(err)
	}
	m := jujusim.NewModel(b, jujusim.WithModelName(ns),
		jujusim.WithHookEnv(map[string]string{"KUBECONFIG": env.KubeconfigPath()}))
	jujusim.RequireOK(b, m.Deploy(app, charm.Packed(b), 1))
	webApp, err := ingress.AppData{Request: ingress.Request{Model: "bench-web", Name: "web", Port: 8080}}.Bag()
	if err != nil {
		b.Fatal(err)
	}
	_, runs := m.Relate(app, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: webApp})
	jujusim.RequireOK(b, runs)

	var calls, toolNs int64
	for b.Loop() {
		run := m.RunHook(app+"/0", "update-status")
		if !run.OK() {
			b.Fatalf("%s\n%s", run, run.Stderr)
		}
		calls += int64(len(run.ToolCalls))
		toolNs += run.ToolTime.Nanoseconds()
	}
	b.ReportMetric(float64(calls)/float64(b.N), "tool-calls/op")
	b.ReportMetric(float64(toolNs)/float64(b.N), "tool-ns/op")
}
