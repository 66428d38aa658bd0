package snapshot

import (
	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/relation/forwardauth"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressconfig"
	"github.com/canonical/istio-ingress-k8s-go/relation/requestauth"
)

// Authentication endpoints, as in metadata.yaml.
const (
	EndpointForwardAuth   = "forward-auth"
	EndpointIngressConfig = "istio-ingress-config"
	EndpointRequestAuth   = "istio-request-auth"
)

// addForwardAuth reads the identity-aware proxy's answer. The endpoint has
// a limit of 1: should Juju ever hold two, the older relation is used.
func addForwardAuth(d *Desired, rel Relation) {
	if d.Input.Auth.ForwardAuth != nil {
		d.Ignored = append(d.Ignored, rel.Relation)
		return
	}
	f := &gateway.ForwardAuth{Relation: rel.Relation}
	f.Config, f.Err = forwardauth.Decode(rel.Bag)
	d.Input.Auth.ForwardAuth = f
}

func addIngressConfig(d *Desired, rel Relation) {
	if d.Input.Auth.IngressConfig != nil {
		d.Ignored = append(d.Ignored, rel.Relation)
		return
	}
	d.Input.Auth.IngressConfig = &gateway.IngressConfig{Relation: rel.Relation, ProviderName: ingressconfig.ProviderName(rel.Bag)}
}

func addRequestAuth(d *Desired, rel Relation) {
	r := gateway.RequestAuthRequest{Relation: rel.Relation}
	r.Rules, r.Err = requestauth.Decode(rel.Bag)
	d.Input.Auth.RequestAuth = append(d.Input.Auth.RequestAuth, r)
}

// AuthenticatedApps are the applications the gateway routes for, which a
// forward-auth provider is told (ingress_app_names).
func (d Desired) AuthenticatedApps() []string {
	var apps []string
	for _, r := range d.Input.Ingresses {
		apps = append(apps, r.App)
	}
	for _, r := range d.Input.Routes {
		apps = append(apps, r.App)
	}
	return apps
}
