package gateway

import (
	"errors"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// Input is everything the planner needs; it is a snapshot read by the caller.
type Input struct {
	App   string // this application: the Gateway's name
	Model string // this model: the Gateway's namespace
	// Address is the gateway's external hostname or IP ("" while unknown).
	// It becomes the listeners' hostname only when it is a valid hostname.
	Address string
	TLS     TLS
	// Units is the number of units Juju plans for this application; the
	// gateway Deployment is scaled to match (no autoscaler when 0).
	Units int
	// ExternalTrafficCIDRs is the external-traffic-policy-cidrs option:
	// comma-separated CIDRs allowed to reach the gateway.
	ExternalTrafficCIDRs string
	// Routes are the istio-ingress-route (and -unauthenticated) relations.
	Routes []RouteRequest
	// Ingresses are the ingress v2 (and ingress-unauthenticated) relations.
	Ingresses []IngressRequest
	// Tenancy says which namespaces requirers may be served in.
	Tenancy Tenancy
	// Auth is what the authentication relations say (see auth.go).
	Auth Auth
	// Rejected are relations whose objects the cluster refused to store
	// (a namespace that does not exist, an object of that name owned by
	// someone else), with the reason. Nothing of them is rendered, so the
	// rest of the plan can be applied.
	Rejected map[juju.RelationID]string
}

// TLS is the gateway's certificate state.
type TLS struct {
	Enabled bool
	// SecretName is the Secret holding the certificate; empty means
	// TLSSecretName(App).
	SecretName string
	// Certificate (the leaf, then its intermediates) and Key (PEM) are
	// what that Secret holds. When Certificate is empty the Secret is not
	// rendered (someone else provides it).
	Certificate, Key string
}

// TLSSecretName is the name of the kubernetes.io/tls Secret holding the
// gateway certificate. It is not the Python charm's name
// (LegacyTLSSecretName): a Secret's type cannot change in place, so the
// charm writes a new Secret, points the listeners at it and only then
// deletes the old one, and HTTPS never stops during a refresh.
func TLSSecretName(app string) string { return app + "-gateway-tls" }

// LegacyTLSSecretName is the Opaque Secret the Python charm served its
// certificate from.
func LegacyTLSSecretName(app string) string { return app + "-tls-certificate" }

// Relation identifies one relation with a remote application.
type Relation struct {
	App string          // remote application name
	ID  juju.RelationID // local endpoint and Juju relation id
}

// String is "app (endpoint:id)".
func (r Relation) String() string { return r.App + " (" + r.ID.String() + ")" }

// RouteRequest is one istio-ingress-route relation. Config is nil while the
// requirer has not asked for anything; Err is set when its databag could not
// be decoded.
type RouteRequest struct {
	Relation
	Config *ingressroute.Config
	Err    error
}

// RouteRequestFrom adapts the istio-ingress-route provider's view of one
// relation.
func RouteRequestFrom(r ingressroute.Request) RouteRequest {
	return RouteRequest{Relation: Relation{App: r.App, ID: r.Relation}, Config: r.Config, Err: r.Err}
}

// IngressRequest is one ingress v2 relation. Request is nil while the
// requirer has not asked for anything; Err is set when its databag could not
// be decoded.
type IngressRequest struct {
	Relation
	Request *ingress.Request
	Err     error
}

// IngressRequestFrom decodes one ingress v2 relation from the remote
// application's bag, as the charm reads it. A bag holding none of model,
// name and port has not asked for anything yet (pending, not invalid). Unit
// bags are not read: nothing in them changes what the charm renders.
func IngressRequestFrom(rel Relation, bag map[string]string) IngressRequest {
	out := IngressRequest{Relation: rel}
	out.Request, out.Err = ingress.ParseAppData(bag)
	if errors.Is(out.Err, ingress.ErrMissing) && !hasAny(bag, ingress.KeyModel, ingress.KeyName, ingress.KeyPort) {
		out.Err = nil
	}
	return out
}

func hasAny(bag map[string]string, keys ...string) bool {
	for _, k := range keys {
		if strings.TrimSpace(bag[k]) != "" {
			return true
		}
	}
	return false
}
