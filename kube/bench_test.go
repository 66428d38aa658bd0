package kube_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

// BenchmarkApply500 measures a reconcile of a 500-object plan (a Gateway and
// 499 HTTPRoutes) when nothing changed and when every route changed.
//
//	go test -run '^$' -bench Apply500 ./kube/
func BenchmarkApply500(b *testing.B) {
	ctx := kubeenv.TestContext(b)
	c := charm{instance: "bench-istio-ingress", app: "istio-ingress", model: "bench", backend: "bench-apps"}
	require.NoError(b, env.CreateNamespace(ctx, c.model))
	require.NoError(b, env.CreateNamespace(ctx, c.backend))
	plans := [2][]*unstructured.Unstructured{largePlan(c, 500, "/v1"), largePlan(c, 500, "/v2")}
	a, counter := newApplier(b, env, c.instance)
	_, err := a.Apply(ctx, plans[0])
	require.NoError(b, err)

	for _, bc := range []struct {
		name   string
		plan   func(i int) []*unstructured.Unstructured
		writes int
	}{
		{"unchanged", func(int) []*unstructured.Unstructured { return plans[0] }, 0},
		// Alternate plans so every iteration rewrites all 499 routes.
		{"changed", func(i int) []*unstructured.Unstructured { return plans[(i+1)%2] }, 499},
	} {
		b.Run(bc.name, func(b *testing.B) {
			_, err := a.Apply(ctx, plans[0]) // known starting point
			require.NoError(b, err)
			counter.snapshot()
			b.ResetTimer()
			for i := range b.N {
				res, err := a.Apply(ctx, bc.plan(i))
				if err != nil {
					b.Fatal(err)
				}
				if res.Applied != bc.writes {
					b.Fatalf("applied %d, want %d", res.Applied, bc.writes)
				}
			}
			b.StopTimer()
			counts := counter.snapshot()
			b.ReportMetric(float64(counts[http.MethodGet])/float64(b.N), "reads/op")
			b.ReportMetric(float64(counts[http.MethodPatch])/float64(b.N), "writes/op")
		})
	}
}
