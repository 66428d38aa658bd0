package snapshot

import (
	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// Endpoint names, as in metadata.yaml.
const (
	EndpointIngress                = "ingress"
	EndpointIngressUnauthenticated = "ingress-unauthenticated"
	EndpointRoute                  = ingressroute.EndpointAuthenticated
	EndpointRouteUnauthenticated   = ingressroute.EndpointUnauthenticated
	EndpointGatewayMetadata        = "gateway-metadata"
)

// IsIngressV2 reports whether endpoint speaks ingress v2.
func IsIngressV2(endpoint string) bool {
	return endpoint == EndpointIngress || endpoint == EndpointIngressUnauthenticated
}

func addIngress(d *Desired, rel Relation) {
	d.Input.Ingresses = append(d.Input.Ingresses, gateway.IngressRequestFrom(rel.Relation, rel.Bag))
}

func addRoute(d *Desired, rel Relation) {
	d.Input.Routes = append(d.Input.Routes, gateway.RouteRequestFrom(ingressroute.RequestFromBag(rel.ID, rel.App, rel.Bag)))
}

func addMetadata(d *Desired, rel Relation) {
	d.Metadata = append(d.Metadata, rel.ID)
}
