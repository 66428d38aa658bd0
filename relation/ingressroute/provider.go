package ingressroute

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// Request is what one related application asks for over one relation.
// Requests are keyed by relation, never by endpoint or application name: an
// application may be related several times.
type Request struct {
	Relation juju.RelationID
	App      string // remote application; empty if Juju no longer names one
	// HasConfig is the library's "ready": the remote app bag holds a config.
	HasConfig bool
	// Config is the decoded config; nil when absent or invalid.
	Config *Config
	// Err says why a present config was rejected (wraps ErrInvalidConfig).
	// It does not repeat Relation and App: callers report it next to them.
	Err error
}

// Authenticated reports whether the request came over the authenticated
// endpoint; routes from the other endpoint bypass external authorisation.
func (r Request) Authenticated() bool { return r.Relation.Endpoint == EndpointAuthenticated }

// Valid reports whether the request carries a config that decoded.
func (r Request) Valid() bool { return r.Config != nil }

// RequestFromBag builds the Request of one relation from the remote app bag
// the caller has already read. It does no I/O.
func RequestFromBag(rel juju.RelationID, app string, bag map[string]string) Request {
	req := Request{Relation: rel, App: app}
	raw, ok := bag[KeyConfig]
	if !ok || raw == "" || app == "" {
		return req
	}
	req.HasConfig = true
	req.Config, req.Err = ParseConfig([]byte(raw))
	return req
}

// Provider is the gateway's side of istio_ingress_route on both endpoints.
type Provider struct {
	r    RelationReader
	hook juju.Context
}

// NewProvider reads relations through r (a *juju.Client). hook is the
// running hook's context: during relation-broken the broken relation is
// left out of everything the Provider reads.
func NewProvider(r RelationReader, hook juju.Context) *Provider {
	return &Provider{r: r, hook: hook}
}

// Endpoints lists the provider endpoints, authenticated first.
func Endpoints() []string { return []string{EndpointAuthenticated, EndpointUnauthenticated} }

// Requests reads every live relation on both endpoints, ordered by relation
// id (oldest first), so callers can resolve conflicts in favour of the
// older relation. A relation that disappears while being read is skipped; a
// bad config is reported in its Request, never as the error.
func (p *Provider) Requests(ctx context.Context) ([]Request, error) {
	var out []Request
	for _, ep := range Endpoints() {
		ids, err := liveRelations(ctx, p.r, p.hook, ep)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			app, bag, ok, err := remoteAppBag(ctx, p.r, id)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, RequestFromBag(id, app, bag))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Relation.ID < out[j].Relation.ID })
	return out, nil
}

// Event classifies the running hook if it is a relation hook of either
// provider endpoint. On EventBroken the relation's routes must be removed
// (its data is gone); the holistic reconcile does that by reading Requests.
func (p *Provider) Event() (Event, bool) {
	return hookEvent(p.hook, Endpoints()...)
}

// Publish tells the requirer on rel where the gateway is and whether it
// terminates TLS: the real current TLS state, whatever the event. Only the
// leader can (w is a *juju.Leader).
func Publish(ctx context.Context, w AppBagWriter, rel juju.RelationID, ing Ingress) error {
	if err := w.RelationSetApp(ctx, rel, ing.Bag()); err != nil {
		return fmt.Errorf("publishing ingress on %s: %w", rel, err)
	}
	return nil
}

// Wipe withdraws ingress from the requirer on rel (both keys deleted), e.g.
// when its routes conflict with an older relation's. A relation that is
// already gone is not an error.
func Wipe(ctx context.Context, w AppBagWriter, rel juju.RelationID) error {
	err := w.RelationSetApp(ctx, rel, WipedBag())
	if err != nil && !errors.Is(err, juju.ErrRelationNotFound) {
		return fmt.Errorf("wiping ingress on %s: %w", rel, err)
	}
	return nil
}
