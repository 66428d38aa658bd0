package gateway

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// A requirer names the namespace and Service its routes and policies are
// written for: without tenancy rules any bag could reach kube-system or
// istio-system with the charm's cluster-wide rights.
func TestTenancyKeepsRequirersOutOfNamespacesTheyMayNotUse(t *testing.T) {
	t.Parallel()
	dns := IngressRequest{Relation: rel("dns-grab", "ingress", 2), Request: ingressReq("kube-dns", 2, "kube-system", 53, false).Request}
	istiod := RouteRequest{Relation: rel("istiod-grab", "istio-ingress-route", 3), Config: &ir.Config{
		Model:      "istio-system",
		Listeners:  []ir.Listener{{Port: 15012, Protocol: ir.ProtocolHTTP}},
		HTTPRoutes: []ir.HTTPRoute{{Name: "xds", Listener: ir.Listener{Port: 15012, Protocol: ir.ProtocolHTTP}, Backends: []ir.BackendRef{{Service: "istiod", Port: 15012}}}},
	}}
	web := ingressReq("web", 4, "shop", 8080, false)
	liar := ingressReq("liar", 5, "shop", 8080, false)
	liar.Request.Name = "liar"
	own := ingressReq("own", 6, "gw-model", 8080, false)

	tests := []struct {
		name    string
		tenancy Tenancy
		served  []string
		denied  map[string]string
	}{
		{
			name:    "system namespaces are denied by default",
			tenancy: Tenancy{ModelUUID: "uuid-gw", RequirerModels: map[juju.RelationID]string{liar.ID: "uuid-gw", own.ID: "uuid-gw"}},
			served:  []string{"web", "own"},
			denied: map[string]string{
				"dns-grab":    `namespace "kube-system" is a system namespace`,
				"istiod-grab": `namespace "istio-system" is a system namespace`,
				"liar":        `namespace "shop" is not this model's ("gw-model")`,
			},
		},
		{
			name:    "the operator's list is the only one served, with this model",
			tenancy: Tenancy{Allowed: []string{"kube-system"}},
			served:  []string{"dns-grab", "own"},
			denied: map[string]string{
				"istiod-grab": `namespace "istio-system" is not in allowed-namespaces`,
				"web":         `namespace "shop" is not in allowed-namespaces`,
				"liar":        `namespace "shop" is not in allowed-namespaces`,
			},
		},
		{
			// Juju marks a model's namespace with the model's UUID: a
			// requirer from another model gets neither it nor this one's.
			name: "a Juju model's namespace is served to its own requirers only",
			tenancy: Tenancy{
				NamespaceModels: map[string]string{"shop": "uuid-shop", "gw-model": "uuid-gw"},
				RequirerModels:  map[juju.RelationID]string{web.ID: "uuid-shop", liar.ID: "uuid-other", own.ID: "uuid-other"},
			},
			served: []string{"web"},
			denied: map[string]string{
				"dns-grab":    `namespace "kube-system" is a system namespace`,
				"istiod-grab": `namespace "istio-system" is a system namespace`,
				"liar":        `namespace "shop" belongs to another Juju model than the requirer's`,
				"own":         `namespace "gw-model" belongs to another Juju model than the requirer's`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base("gw", "gw-model")
			in.Tenancy = tt.tenancy
			in.Ingresses = []IngressRequest{dns, web, liar, own}
			in.Routes = []RouteRequest{istiod}
			plan := Build(in)

			var served []string
			denied := map[string]string{}
			for _, r := range plan.Results {
				switch r.State {
				case StateServed:
					served = append(served, r.App)
				case StateRefused:
					denied[r.App] = r.Reason
				}
			}
			assert.ElementsMatch(t, tt.served, served)
			require.Len(t, denied, len(tt.denied))
			for app, why := range tt.denied {
				assert.Contains(t, denied[app], why, app)
			}
			assert.Len(t, plan.Status.Denied, len(tt.denied))
			assert.Contains(t, plan.Status.Message(), "namespace not allowed for: ")
			// Nothing may land in a denied requirer's namespace.
			home := map[string]string{"dns-grab": "kube-system", "istiod-grab": "istio-system"}
			for _, obj := range plan.Objects {
				for app, ns := range home {
					if _, isDenied := tt.denied[app]; isDenied {
						assert.NotEqual(t, ns, obj.GetNamespace(), "%s %s/%s written for denied %s", obj.GetKind(), obj.GetNamespace(), obj.GetName(), app)
					}
				}
			}
		})
	}
}
