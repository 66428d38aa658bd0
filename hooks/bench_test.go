package hooks_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/hooktrace/otlptest"
	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// BenchmarkReconcile measures one hook (update-status) of a leader related to
// n ingress v2 applications, against the real API server:
//
//   - unchanged: nothing changed since the last hook, the common case;
//   - unchanged-traced: the same with charm-tracing related to an OTLP/HTTP
//     receiver that takes every hook's trace;
//   - unchanged-silent-receiver: the same with a receiver that never
//     answers, so every export gives up at its bound;
//   - changed: the worst case, where the load balancer address and every
//     application's port changed, so every route is re-applied and every URL
//     re-published.
//
// Besides time it reports hook-tool calls, Kubernetes reads (GET) and writes
// (everything else) per hook.
func BenchmarkReconcile(b *testing.B) {
	for _, n := range []int{1, 10, 100, 500} {
		for _, mode := range []string{"unchanged", "changed", "unchanged-traced", "unchanged-silent-receiver"} {
			changed := mode == "changed"
			b.Run(fmt.Sprintf("apps=%d/%s", n, mode), func(b *testing.B) {
				h := newHarness(b, fmt.Sprintf("bench-%d-%s", n, mode))
				addrs := []string{"10.20.0.1", "10.20.0.2"}
				h.serveGateway(addrs[0])
				rels := make([]juju.RelationID, n)
				for i := range rels {
					rels[i] = h.relateIngress("ingress", fmt.Sprintf("app-%d", i), 8080, false)
				}
				var recv *otlptest.Receiver
				if mode == "unchanged-traced" {
					recv = otlptest.Start()
					defer recv.Close()
					h.juju.Relate("charm-tracing", "tempo", map[string]string{
						"receivers": `[{"protocol": {"name": "otlp_http", "type": "http"}, "url": "` + recv.URL + `"}]`,
					})
				}
				if mode == "unchanged-silent-receiver" {
					h.juju.Relate("charm-tracing", "tempo", map[string]string{
						"receivers": `[{"protocol": {"name": "otlp_http", "type": "http"}, "url": "` + silentURL(b) + `"}]`,
					})
				}
				h.dispatch("update-status")

				var calls, reads, writes int
				b.ResetTimer()
				for i := range b.N {
					if changed {
						b.StopTimer()
						require.NoError(b, h.env.SetLoadBalancerIngress(h.ctx, h.ns, h.app+"-istio", addrs[(i+1)%2]))
						for j, rel := range rels {
							h.juju.SetRemote(rel, pythonIngressBag(h.apps, fmt.Sprintf("app-%d", j), 8081-(i%2), false))
						}
						b.StartTimer()
					}
					r := h.dispatch("update-status")
					calls += len(r.Calls())
					rd, wr, _ := h.kube.take()
					reads += rd
					writes += wr
				}
				b.StopTimer()
				b.ReportMetric(float64(calls)/float64(b.N), "hook-tool-calls/op")
				b.ReportMetric(float64(reads)/float64(b.N), "k8s-reads/op")
				b.ReportMetric(float64(writes)/float64(b.N), "k8s-writes/op")
				if changed {
					require.Equal(b, fmt.Sprintf("http://%s/%s-app-0", addrs[b.N%2], h.apps), ingressURL(b, h.juju.Local(rels[0])))
				}
				if recv != nil {
					require.Equal(b, b.N+1, recv.Requests(), "one trace export per hook")
				}
			})
		}
	}
}

// silentURL is the URL of a receiver that never answers.
func silentURL(b *testing.B) string {
	url, _ := otlptest.Silent(b)
	return url
}
