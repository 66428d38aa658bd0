package gateway

import (
	"fmt"
	"testing"

	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// manyApps is n related apps with five HTTP routes each on a shared listener.
func manyApps(n int) Input {
	in := base("istio-ingress-k8s", "istio-system")
	in.TLS.Enabled = true
	in.Address = "ingress.example.com"
	l := ir.Listener{Port: 8080, Protocol: ir.ProtocolHTTP}
	for i := range n {
		app := fmt.Sprintf("app-%d", i)
		cfg := &ir.Config{Model: "m", Listeners: []ir.Listener{l}}
		for j := range 5 {
			cfg.HTTPRoutes = append(cfg.HTTPRoutes, ir.HTTPRoute{
				Name: fmt.Sprintf("r%d", j), Listener: l,
				Backends: []ir.BackendRef{{Service: app, Port: 8000 + j}},
				Matches:  []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: fmt.Sprintf("/%s/r%d", app, j)}}},
			})
		}
		in.Routes = append(in.Routes, RouteRequest{Relation: rel(app, "istio-ingress-route", i+1), Config: cfg})
	}
	return in
}

// BenchmarkPlanAndRender1000Apps plans and renders to YAML 1,000 related
// apps with five routes each.
func BenchmarkPlanAndRender1000Apps(b *testing.B) {
	in := manyApps(1000)
	b.ReportAllocs()
	for b.Loop() {
		plan := Build(in)
		if _, err := MarshalYAML(plan.Objects); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlan1000Apps plans 1,000 related apps with five routes each.
func BenchmarkPlan1000Apps(b *testing.B) {
	in := manyApps(1000)
	b.ReportAllocs()
	for b.Loop() {
		Build(in)
	}
}
