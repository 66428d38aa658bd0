package hooks

import (
	"context"
	"errors"
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/gatewaymetadata"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
)

// publisher writes each relation's result to this application's bag,
// skipping writes the cache says are already in place.
type publisher struct {
	leader *juju.Leader
	cache  *cache
	log    logger
}

// served is what every relation is told about the gateway this hook.
type served struct {
	plan gateway.Plan
	// address is where the gateway serves; "" until it can serve there.
	address string
	tls     bool
	hook    juju.Context
	desired snapshot.Desired
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
	}
}

// publishAll runs every publication; one's failure neither stops nor hides
// the others': all are attempted and the failures returned together.
func (p publisher) publishAll(ctx context.Context, s served) error {
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
			bag, err := ingress.ServedBag(ingress.JoinURL(res.Scheme, s.address, res.PathPrefix))
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
