package hooks

import (
	"context"
	"errors"
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// Endpoints the reconcile reads.
const (
	endpointIngress                = "ingress"
	endpointIngressUnauthenticated = "ingress-unauthenticated"
	endpointGatewayMetadata        = "gateway-metadata"
)

// config is the charm's configuration as the reconcile uses it.
type config struct {
	ExternalHostname     string `json:"external_hostname"`
	ExternalTrafficCIDRs string `json:"external-traffic-policy-cidrs"`
}

// defaultCIDRs is the default of external-traffic-policy-cidrs, used when
// config-get leaves the option out.
const defaultCIDRs = "0.0.0.0/0"

// snapshot is everything the reconcile reads from Juju.
type snapshot struct {
	config    config
	units     int
	routes    []gateway.RouteRequest
	ingresses []gateway.IngressRequest
	metadata  []juju.RelationID
}

// reader reads a snapshot with as few hook-tool calls as it can: one
// relation-ids per endpoint and one relation-get per relation. Unit bags are
// never read: nothing in them changes what the charm renders.
type reader struct {
	client *juju.Client
	hook   juju.Context
	ev     Event
	cache  *cache
	live   map[string]bool
}

func readSnapshot(ctx context.Context, client *juju.Client, hook juju.Context, ev Event, c *cache) (snapshot, error) {
	r := reader{client: client, hook: hook, ev: ev, cache: c, live: map[string]bool{}}
	var s snapshot
	var err error
	s.config = config{ExternalTrafficCIDRs: defaultCIDRs}
	if err := client.ConfigGetInto(ctx, &s.config); err != nil {
		return s, fmt.Errorf("reading config: %w", err)
	}
	gs, err := client.GoalState(ctx)
	if err != nil {
		return s, fmt.Errorf("reading goal state: %w", err)
	}
	s.units = gs.PlannedUnits()

	for _, endpoint := range []string{endpointIngress, endpointIngressUnauthenticated} {
		err := r.each(ctx, endpoint, true, func(rel juju.RelationID, app string, bag map[string]string) {
			s.ingresses = append(s.ingresses, gateway.IngressRequestFrom(gateway.Relation{App: app, ID: rel}, bag))
		})
		if err != nil {
			return s, err
		}
	}
	for _, endpoint := range []string{ingressroute.EndpointAuthenticated, ingressroute.EndpointUnauthenticated} {
		err := r.each(ctx, endpoint, true, func(rel juju.RelationID, app string, bag map[string]string) {
			s.routes = append(s.routes, gateway.RouteRequestFrom(ingressroute.RequestFromBag(rel, app, bag)))
		})
		if err != nil {
			return s, err
		}
	}
	err = r.each(ctx, endpointGatewayMetadata, false, func(rel juju.RelationID, _ string, _ map[string]string) {
		s.metadata = append(s.metadata, rel)
	})
	if err != nil {
		return s, err
	}
	c.prune(r.live)
	return s, nil
}

// each calls fn for every live relation of endpoint with its remote app and,
// when withBag is set, the remote app's bag. A relation that disappears while
// being read is skipped: it is going away and its broken hook follows.
func (r *reader) each(ctx context.Context, endpoint string, withBag bool, fn func(juju.RelationID, string, map[string]string)) error {
	ids, err := r.client.RelationIDs(ctx, endpoint)
	if err != nil {
		return fmt.Errorf("listing %s relations: %w", endpoint, err)
	}
	for _, rel := range ids {
		if r.ev.Kind == RelationBroken && r.ev.Relation != nil && *r.ev.Relation == rel {
			continue // Juju still lists the relation being broken
		}
		r.live[rel.String()] = true
		if !withBag {
			fn(rel, "", nil)
			continue
		}
		app, err := r.remoteApp(ctx, rel)
		if errors.Is(err, juju.ErrRelationNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("finding the application on %s: %w", rel, err)
		}
		if app == "" {
			continue // no remote application yet: nothing to read
		}
		bag, err := r.client.RelationGetApp(ctx, rel, app)
		if errors.Is(err, juju.ErrRelationNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading %s's data on %s: %w", app, rel, err)
		}
		fn(rel, app, bag)
	}
	return nil
}

// remoteApp names the application on the other side of rel, asking Juju
// only the first time.
func (r *reader) remoteApp(ctx context.Context, rel juju.RelationID) (string, error) {
	key := rel.String()
	if app, ok := r.cache.Apps[key]; ok {
		return app, nil
	}
	app := ""
	if r.hook.Relation != nil && *r.hook.Relation == rel {
		app = r.hook.RemoteApp
	}
	if app == "" {
		var err error
		if app, err = r.client.RelationApp(ctx, rel); err != nil {
			return "", err
		}
	}
	if app != "" {
		r.cache.Apps[key] = app
	}
	return app, nil
}
