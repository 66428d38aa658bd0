package hooks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"

	"go.opentelemetry.io/otel/attribute"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/hooktrace"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/forwardauth"
	"github.com/canonical/istio-ingress-k8s-go/relation/gatewaymetadata"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressconfig"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
)

// publisher writes each relation's result to this application's bag,
// skipping writes the cache says are already in place.
type publisher struct {
	client *juju.Client
	leader *juju.Leader
	cache  *cache
	log    logger
	// writes counts the bags written, for the hook's trace.
	writes *int
	// rand draws keys and request identifiers.
	rand io.Reader
}

// served is what every relation is told about the gateway this hook.
type served struct {
	plan gateway.Plan
	// address is where requirers are served (the gateway's own address,
	// or the outer ingress's host and path); "" until they can be.
	address string
	// scheme overrides the plan's scheme for ingress v2 URLs when the
	// gateway sits behind an outer ingress ("" otherwise).
	scheme  string
	tls     bool
	localIP string
	hook    juju.Context
	desired snapshot.Desired
	// cert is the certificates relation (nil: none).
	cert *certState
}

// publication is one relation interface's publishing: a feature that tells
// its relations something adds one.
type publication struct {
	name string
	run  func(context.Context, publisher, served) error
}

// publications lists what every hook publishes, in order.
func publications() []publication {
	return []publication{
		{"results", publishResults},
		{"gateway metadata", publishMetadata},
		{"the upstream ingress request", publishUpstreamRequest},
		{"the ingress app names to forward-auth", publishForwardAuth},
		{"the ext-authz provider to istio-ingress-config", publishIngressConfig},
		{"the metrics endpoint", publishMetrics},
		{"the tracing request", publishTracingRequest},
		{"the certificate request", publishCertificateRequest},
	}
}

// publishAll runs every publication; one's failure neither stops nor hides
// the others': all are attempted and the failures returned together.
func (p publisher) publishAll(ctx context.Context, s served) error {
	_, span := hooktrace.Start(ctx, "publish")
	defer func() {
		if p.writes != nil {
			span.SetAttributes(attribute.Int("bag.writes", *p.writes))
		}
		span.End()
	}()
	var errs []error
	for _, pub := range publications() {
		if err := pub.run(ctx, p, s); err != nil {
			errs = append(errs, fmt.Errorf("publishing %s: %w", pub.name, err))
		}
	}
	return errors.Join(errs...)
}

func (p publisher) set(ctx context.Context, rel juju.RelationID, want map[string]string) error {
	held, known := p.cache.Held[rel.String()]
	delta := wire.Changes(held, known, want)
	if len(delta) == 0 {
		return nil
	}
	err := p.leader.RelationSetApp(ctx, rel, delta)
	if errors.Is(err, juju.ErrRelationNotFound) {
		return nil // the relation went away meanwhile
	}
	if err != nil {
		return fmt.Errorf("publishing to %s: %w", rel, err)
	}
	p.cache.Held[rel.String()] = wire.Apply(held, delta)
	if p.writes != nil {
		*p.writes++
	}
	return nil
}

// publishResults gives each requirer its URL (served, once the address is
// known) or wipes it (refused, invalid, pending). A served relation is left
// alone while the address is unknown: its last URL is the best the
// requirer can have.
func publishResults(ctx context.Context, p publisher, s served) error {
	var errs []error
	for _, res := range s.plan.Results {
		isServed := res.State == gateway.StateServed
		if isServed && s.address == "" {
			continue
		}
		var want map[string]string
		switch {
		case snapshot.IsIngressV2(res.ID.Endpoint) && isServed:
			bag, err := ingress.ServedBag(ingress.JoinURL(cmp.Or(s.scheme, res.Scheme), s.address, res.PathPrefix))
			if err != nil {
				// ServedBag returns the wipe bag with the error: a URL
				// the requirer cannot parse is worse than none.
				p.log.printf(ctx, juju.LogError, "Not publishing a URL to %s: %v", res.Relation, err)
			}
			want = bag
		case snapshot.IsIngressV2(res.ID.Endpoint):
			want = ingress.WipedBag()
		case isServed:
			want = ingressroute.Ingress{ExternalHost: s.address, TLSEnabled: s.tls}.Bag()
		default:
			want = ingressroute.WipedBag()
		}
		if err := p.set(ctx, res.ID, want); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// publishMetadata tells gateway-metadata requirers which gateway serves
// them, once it can serve.
func publishMetadata(ctx context.Context, p publisher, s served) error {
	if s.address == "" {
		return nil
	}
	managed := gateway.ManagedName(s.hook.App)
	bag := gatewaymetadata.Metadata{
		Namespace: s.hook.ModelName, GatewayName: s.hook.App, DeploymentName: managed, ServiceAccount: managed,
	}.Bag()
	var errs []error
	for _, rel := range s.desired.Metadata {
		if err := p.set(ctx, rel, bag); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// publishUpstreamRequest asks the outer ingress, if any, to route to this
// gateway: the application bag and this (the leader's) unit bag.
func publishUpstreamRequest(ctx context.Context, p publisher, s served) error {
	u := s.desired.Upstream
	if u == nil {
		return nil
	}
	app, _, err := s.desired.UpstreamRequest(s.localIP)
	if err != nil {
		return err
	}
	if err := p.set(ctx, u.ID, app); err != nil {
		return err
	}
	return publishUnitRequest(ctx, p.client, p.cache, s.desired, s.localIP)
}

// publishUnitRequest writes this unit's bag on the upstream-ingress
// relation: every unit says where it is reached, leader or not.
func publishUnitRequest(ctx context.Context, client *juju.Client, c *cache, d snapshot.Desired, localIP string) error {
	if d.Upstream == nil {
		return nil
	}
	_, want, err := d.UpstreamRequest(localIP)
	if err != nil || want == nil {
		return err // nil: no address to give yet
	}
	if err := setUnitBag(ctx, client, c, d.Upstream.ID, want); err != nil {
		return fmt.Errorf("publishing this unit's address to %s: %w", d.Upstream.ID, err)
	}
	return nil
}

// setUnitBag makes this unit's bag on rel hold want, writing only what
// differs from what the cache says it holds; a relation gone meanwhile is
// no error.
func setUnitBag(ctx context.Context, client *juju.Client, c *cache, rel juju.RelationID, want map[string]string) error {
	held, known := c.Unit[rel.String()]
	delta := wire.Changes(held, known, want)
	if len(delta) == 0 {
		return nil
	}
	if err := client.RelationSet(ctx, rel, delta); err != nil && !errors.Is(err, juju.ErrRelationNotFound) {
		return err
	}
	c.Unit[rel.String()] = wire.Apply(held, delta)
	return nil
}

// publishForwardAuth tells the identity-aware proxy which applications the
// gateway routes for.
func publishForwardAuth(ctx context.Context, p publisher, s served) error {
	f := s.desired.Input.Auth.ForwardAuth
	if f == nil {
		return nil
	}
	return p.set(ctx, f.ID, forwardauth.RequirerBag(s.desired.AuthenticatedApps()))
}

// publishIngressConfig asks istio-k8s to register the proxy as the
// ext-authz provider, or withdraws it (in the form istio-k8s recognises)
// while there is no usable proxy.
func publishIngressConfig(ctx context.Context, p publisher, s served) error {
	c := s.desired.Input.Auth.IngressConfig
	if c == nil {
		return nil
	}
	bag := ingressconfig.ClearBag()
	if e, err := s.desired.Input.Auth.ExtAuthz(); err == nil {
		bag = ingressconfig.ProviderBag(e)
	}
	return p.set(ctx, c.ID, bag)
}
