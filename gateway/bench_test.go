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

// atTheCaps is n related apps each asking as much as one relation may:
// ir.MaxRoutes routes over ir.MaxListeners ports, ir.MaxMatches matches
// with methods and headers, ir.MaxHostnamesPerRoute hostnames (one a
// wildcard) and ir.MaxBackendsPerRoute backends per route. Every app is
// served: its paths and hostnames are its own.
func atTheCaps(n int) Input {
	in := base("istio-ingress-k8s", "istio-system")
	in.Address = "10.0.0.1"
	perRoute := ir.MaxMatches / ir.MaxRoutes
	for i := range n {
		app := fmt.Sprintf("app-%d", i)
		cfg := &ir.Config{Model: "m"}
		for p := range ir.MaxListeners {
			cfg.Listeners = append(cfg.Listeners, ir.Listener{Port: 8000 + p, Protocol: ir.ProtocolHTTP})
		}
		for j := range ir.MaxRoutes {
			l := cfg.Listeners[j%ir.MaxListeners]
			r := ir.HTTPRoute{Name: fmt.Sprintf("r%d", j), Listener: l}
			for h := range ir.MaxHostnamesPerRoute - 1 {
				r.Hostnames = append(r.Hostnames, fmt.Sprintf("h%d.%s.example.com", h, app))
			}
			r.Hostnames = append(r.Hostnames, fmt.Sprintf("*.w.%s.example.com", app))
			for k := range ir.MaxBackendsPerRoute {
				r.Backends = append(r.Backends, ir.BackendRef{Service: fmt.Sprintf("%s-%d", app, k), Port: 8000 + k})
			}
			for m := range perRoute {
				r.Matches = append(r.Matches, ir.HTTPRouteMatch{
					Path:    &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: fmt.Sprintf("/%s/r%d/m%d", app, j, m)},
					Method:  methodPtr(ir.MethodGet),
					Headers: ir.Headers{{Name: "x-tenant", Value: app}},
				})
			}
			cfg.HTTPRoutes = append(cfg.HTTPRoutes, r)
		}
		in.Routes = append(in.Routes, RouteRequest{Relation: rel(app, "istio-ingress-route", i+1), Config: cfg})
	}
	return in
}

// BenchmarkBuild plans 1,000 and 2,000 apps with five routes each (the
// time per op should double, not quadruple), and 20 and 40 apps at the
// per-relation caps.
func BenchmarkBuild(b *testing.B) {
	cases := []struct {
		name string
		in   Input
	}{
		{"apps=1000/routes=5", manyApps(1000)},
		{"apps=2000/routes=5", manyApps(2000)},
		{"caps/apps=20", atTheCaps(20)},
		{"caps/apps=40", atTheCaps(40)},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				plan := Build(tc.in)
				if !plan.Status.OK() {
					b.Fatal(plan.Status.Message())
				}
			}
		})
	}
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
