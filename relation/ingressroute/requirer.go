package ingressroute

import (
	"context"
	"errors"
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// ErrNoRelation is returned by SubmitConfig when the requirer endpoint has
// no relation yet (the Python library logs a warning and writes nothing).
var ErrNoRelation = errors.New("istio_ingress_route: endpoint has no relation")

// Requirer is a Go charm's side of istio_ingress_route: it asks the gateway
// for routes and reads back where it is served.
type Requirer struct {
	r        RelationReader
	hook     juju.Context
	endpoint string
}

// NewRequirer works on the charm's endpoint (the Python library's default
// name is "ingress"), reading through r (a *juju.Client). hook is the running
// hook's context: during relation-broken the broken relation is ignored.
func NewRequirer(r RelationReader, hook juju.Context, endpoint string) *Requirer {
	return &Requirer{r: r, hook: hook, endpoint: endpoint}
}

// Endpoint is the requirer endpoint name.
func (q *Requirer) Endpoint() string { return q.endpoint }

// Relations lists the live relations of the endpoint.
func (q *Requirer) Relations(ctx context.Context) ([]juju.RelationID, error) {
	return juju.Relations{Reader: q.r, Hook: q.hook}.Live(ctx, q.endpoint)
}

// IsRelated reports whether there is a relation to submit a config to (the
// library's is_ready).
func (q *Requirer) IsRelated(ctx context.Context) (bool, error) {
	ids, err := q.Relations(ctx)
	return len(ids) > 0, err
}

// SubmitConfig validates cfg and writes it, encoded exactly as the Python
// library would, under "config" in this application's bag of every relation
// of the endpoint. Only the leader can: w is the *juju.Leader. It returns
// ErrNoRelation when there is nothing to write to.
func (q *Requirer) SubmitConfig(ctx context.Context, w AppBagWriter, cfg *Config) error {
	data, err := cfg.Encode()
	if err != nil {
		return err
	}
	ids, err := q.Relations(ctx)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("%w: %s", ErrNoRelation, q.endpoint)
	}
	for _, id := range ids {
		err := w.RelationSetApp(ctx, id, map[string]string{KeyConfig: string(data)})
		if errors.Is(err, juju.ErrRelationNotFound) {
			continue // went away meanwhile; nothing left to configure
		}
		if err != nil {
			return fmt.Errorf("submitting config on %s: %w", id, err)
		}
	}
	return nil
}

// SubmitConfigAsLeader is SubmitConfig for code holding only a client: it
// asks src (a *juju.Client) for leadership first and returns an error
// wrapping ErrNotLeader on other units, writing nothing.
func (q *Requirer) SubmitConfigAsLeader(ctx context.Context, src LeaderSource, cfg *Config) error {
	leader, err := src.Leader(ctx)
	if err != nil {
		return fmt.Errorf("submitting istio_ingress_route config: %w", err)
	}
	return q.SubmitConfig(ctx, leader, cfg)
}

// Ingress returns what the provider published on the first relation that
// has an external host (a zero, not-Ready Ingress if none has). Any unit may
// call it.
func (q *Requirer) Ingress(ctx context.Context) (Ingress, error) {
	ids, err := q.Relations(ctx)
	if err != nil {
		return Ingress{}, err
	}
	for _, id := range ids {
		ing, err := q.relationIngress(ctx, id)
		if err != nil {
			return Ingress{}, err
		}
		if ing.Ready() {
			return ing, nil
		}
	}
	return Ingress{}, nil
}

func (q *Requirer) relationIngress(ctx context.Context, rel juju.RelationID) (Ingress, error) {
	_, bag, ok, err := juju.Relations{Reader: q.r, Hook: q.hook}.AppBag(ctx, rel)
	if err != nil || !ok {
		return Ingress{}, err
	}
	return IngressFromBag(bag), nil
}

// Event classifies the running hook if it is a relation hook of the endpoint.
func (q *Requirer) Event() (Event, bool) { return hookEvent(q.hook, q.endpoint) }

// Handlers are the callbacks Handle runs; nil ones are skipped.
type Handlers struct {
	// Created runs on relation-created: a good time to SubmitConfig.
	Created func(ctx context.Context, ev Event) error
	// Changed runs on relation-changed with what the provider published on
	// that relation (not Ready if it has withdrawn or not yet served it).
	Changed func(ctx context.Context, ev Event, ing Ingress) error
	// Broken runs on relation-broken: the ingress on ev.Relation is gone.
	Broken func(ctx context.Context, ev Event) error
}

// Handle runs the handler for the running hook if it is a relation hook of
// the endpoint, reporting whether it was.
func (q *Requirer) Handle(ctx context.Context, h Handlers) (bool, error) {
	ev, ok := q.Event()
	if !ok {
		return false, nil
	}
	switch {
	case ev.Kind == EventCreated && h.Created != nil:
		return true, h.Created(ctx, ev)
	case ev.Kind == EventChanged && h.Changed != nil:
		ing, err := q.relationIngress(ctx, ev.Relation)
		if err != nil {
			return true, err
		}
		return true, h.Changed(ctx, ev, ing)
	case ev.Kind == EventBroken && h.Broken != nil:
		return true, h.Broken(ctx, ev)
	}
	return true, nil
}
