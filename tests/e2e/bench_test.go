package e2e

import (
	"testing"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
)

// BenchmarkHookLatency measures a whole update-status hook of the leader
// serving one ingress requirer: dispatch, hook tools, reconcile against the
// API server. It reports hook-tool calls and the time spent in them.
func BenchmarkHookLatency(b *testing.B) {
	s := newScenario(b, "e2e-bench", "bench-web")
	s.provision(b, "10.0.0.2")
	s.deploy(b, 1)
	s.relate(b, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: ingressApp("bench-web", "web", 8080)})

	var calls, toolNs int64
	for b.Loop() {
		run := s.RunHook(s.leader, "update-status")
		if !run.OK() {
			b.Fatalf("%s\n%s", run, run.Stderr)
		}
		calls += int64(len(run.ToolCalls))
		toolNs += run.ToolTime.Nanoseconds()
	}
	b.ReportMetric(float64(calls)/float64(b.N), "tool-calls/op")
	b.ReportMetric(float64(toolNs)/float64(b.N), "tool-ns/op")
}
