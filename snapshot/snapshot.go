// Package snapshot is what one reconcile knows of the charm's situation
// (configuration, planned units, the gateway's address and every relation
// with its remote application's bag, as Juju stores them) and the one
// function that turns it into the planner's input; it does no I/O and may
// import gateway, juju and the relation packages. The hook builds a
// Snapshot from Juju and `charm render` from a file, so what render prints
// is what the charm applies.
package snapshot

import (
	"slices"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"github.com/canonical/istio-ingress-k8s-go/tlscert"
)

// Config option names (as in config.yaml) and defaults the reconcile uses.
const (
	OptionExternalHostname  = "external_hostname"
	OptionCIDRs             = "external-traffic-policy-cidrs"
	OptionAllowedNamespaces = "allowed-namespaces"
	DefaultCIDRs            = "0.0.0.0/0"
)

// Config is the charm's configuration as the reconcile uses it.
type Config struct {
	ExternalHostname     string `json:"external_hostname"`
	ExternalTrafficCIDRs string `json:"external-traffic-policy-cidrs"`
	AllowedNamespaces    string `json:"allowed-namespaces"`
}

// DefaultConfig is the configuration before config-get fills it in.
func DefaultConfig() Config { return Config{ExternalTrafficCIDRs: DefaultCIDRs} }

// Snapshot is everything one reconcile reads.
type Snapshot struct {
	App       string // this application: the Gateway's name
	Model     string // this model: the Gateway's namespace
	ModelUUID string // this model's UUID
	Config
	// Units is the number of units Juju plans for this application.
	Units int
	// LBAddress is the gateway load balancer's address ("" while none).
	LBAddress string
	// NamespaceModels maps each namespace that belongs to a Juju model to
	// that model's UUID, as the cluster shows it (gateway.NamespaceModelKey).
	NamespaceModels map[string]string
	// TLS says whether the gateway serves HTTPS with a certificate the
	// snapshot does not hold (charm render's "tls": true).
	TLS bool
	// Certificate is the pair the gateway serves; nil when it has none.
	Certificate *tlscert.Pair
	// Relations are the live relations of every endpoint the charm reads,
	// with the remote application's bag where the endpoint needs it.
	Relations []Relation
	// Related are the endpoints Juju lists relations on (goal-state),
	// which is how relations on endpoints the charm does not read are seen.
	Related []string
}

// Relation is one live relation and its remote application's bag.
type Relation struct {
	gateway.Relation
	Bag map[string]string
	// RemoteModelUUID is the model the remote application lives in, read
	// for endpoints whose requirers ask for namespaces ("" if not read).
	RemoteModelUUID string
}

// Desired is what a snapshot asks of the gateway.
type Desired struct {
	// Input is the planner's input.
	Input gateway.Input
	// BadHostname is external_hostname when it is set but not a valid
	// hostname: the charm then advertises no address and is blocked.
	BadHostname string
	// Address is the gateway's own address: a valid external_hostname, else
	// the load balancer's ("" while unknown or when the hostname is bad).
	Address string
	// Metadata are the gateway-metadata relations.
	Metadata []juju.RelationID
	// Ignored are relations on endpoints that do not change the objects.
	Ignored []gateway.Relation
	// Upstream is the upstream-ingress relation, nil when there is none.
	Upstream *Upstream
	// Metrics are the metrics-endpoint relations.
	Metrics []juju.RelationID
	// Tracing is the charm-tracing relation, nil when there is none.
	Tracing *Tracing
	// Unserved are related endpoints whose feature the charm does not
	// serve yet (see UnservedEndpoints), in that list's order.
	Unserved []string
	// Keep holds the objects of those features: never deleted meanwhile.
	Keep []resource.Hold
}

// Desired turns the snapshot into the planner's input: the one place the
// charm's rules for hostnames, defaults and who asks for what live.
func (s Snapshot) Desired() Desired {
	d := Desired{Address: s.LBAddress}
	switch h := strings.TrimSpace(s.ExternalHostname); {
	case h == "":
	case gateway.IsValidHostname(h):
		d.Address = h
	default:
		d.Address, d.BadHostname = "", h
	}
	d.Input = gateway.Input{
		App: s.App, Model: s.Model, Address: d.Address,
		TLS: s.tlsInput(), Units: s.Units, ExternalTrafficCIDRs: s.ExternalTrafficCIDRs,
		Tenancy: gateway.Tenancy{
			Allowed:   gateway.ParseNamespaces(s.AllowedNamespaces),
			ModelUUID: s.ModelUUID, RequirerModels: map[juju.RelationID]string{},
			NamespaceModels: s.NamespaceModels,
		},
	}
	related := slices.Clone(s.Related)
	for _, rel := range s.Relations {
		related = append(related, rel.ID.Endpoint)
		ep, ok := endpointNamed(rel.ID.Endpoint)
		if !ok {
			d.Ignored = append(d.Ignored, rel.Relation)
			continue
		}
		d.Input.Tenancy.RequirerModels[rel.ID] = rel.RemoteModelUUID // "" when not read
		if ep.add != nil {
			ep.add(&d, rel)
		}
	}
	d.addUnserved(related, UnservedEndpoints())
	return d
}

// Endpoint is one endpoint the reconcile reads and what it adds to the
// desired state. A feature's endpoint is one more entry in Endpoints.
type Endpoint struct {
	Name string
	// WithBag says whether the remote application's bag is read.
	WithBag bool
	// Tenant says whether the requirer asks for namespaces, so the model
	// it lives in is read too (see gateway.Tenancy).
	Tenant bool
	// FailClosed says a relation counts before its remote application is
	// known (with an empty bag): it can only close routes, never open them.
	FailClosed bool
	add        func(*Desired, Relation)
}

// Endpoints lists every endpoint the reconcile reads, in reading order.
func Endpoints() []Endpoint {
	return []Endpoint{
		{Name: EndpointIngress, WithBag: true, Tenant: true, add: addIngress},
		{Name: EndpointIngressUnauthenticated, WithBag: true, Tenant: true, add: addIngress},
		{Name: EndpointRoute, WithBag: true, Tenant: true, add: addRoute},
		{Name: EndpointRouteUnauthenticated, WithBag: true, Tenant: true, add: addRoute},
		{Name: EndpointGatewayMetadata, add: addMetadata},
		{Name: EndpointUpstream, WithBag: true, add: addUpstream},
		{Name: EndpointForwardAuth, WithBag: true, FailClosed: true, add: addForwardAuth},
		{Name: EndpointIngressConfig, WithBag: true, add: addIngressConfig},
		{Name: EndpointRequestAuth, WithBag: true, FailClosed: true, add: addRequestAuth},
		{Name: EndpointMetrics, add: addMetrics},
		{Name: EndpointTracing, WithBag: true, add: addTracing},
		// Read before planning, by the step that picks the certificate
		// served (Snapshot.Certificate): nothing for Desired to add.
		{Name: EndpointCertificates, WithBag: true},
	}
}

func endpointNamed(name string) (Endpoint, bool) {
	eps := Endpoints()
	i := slices.IndexFunc(eps, func(e Endpoint) bool { return e.Name == name })
	if i < 0 {
		return Endpoint{}, false
	}
	return eps[i], true
}
