package hooks

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/hooktrace"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
)

// readSnapshot reads what the reconcile needs from Juju with as few
// hook-tool calls as it can: config-get, goal-state, one relation-ids per
// endpoint, and one relation-get per relation that needs its bag. Every
// endpoint is listed, related or not: goal-state leaves out the relations
// of an endpoint this application offers to another model, so it cannot
// say which endpoints are unrelated. Unit bags
// are never read: nothing in them changes what the charm renders. The
// gateway's address comes from the cluster and is filled in by the caller.
func (r *run) readSnapshot(ctx context.Context) (s snapshot.Snapshot, err error) {
	_, span := hooktrace.Start(ctx, "snapshot")
	defer func() {
		counts := map[string]int{}
		for _, rel := range s.Relations {
			counts[rel.ID.Endpoint]++
		}
		attrs := []attribute.KeyValue{attribute.Int("relations", len(s.Relations)), attribute.Int("units.planned", s.Units)}
		for _, ep := range snapshot.Endpoints() {
			attrs = append(attrs, attribute.Int("relations."+ep.Name, counts[ep.Name]))
		}
		span.SetAttributes(attrs...)
		endSpan(span, err)
	}()
	s = snapshot.Snapshot{App: r.hook.App, Model: r.hook.ModelName, ModelUUID: r.hook.ModelUUID, Config: snapshot.DefaultConfig()}
	if err := r.client.ConfigGetInto(ctx, &s.Config); err != nil {
		return s, fmt.Errorf("reading config: %w", err)
	}
	gs, err := r.client.GoalState(ctx)
	if err != nil {
		return s, fmt.Errorf("reading goal state: %w", err)
	}
	s.Units = gs.PlannedUnits()
	s.Related = gs.RelatedEndpoints()

	rels := juju.Relations{Reader: r.client, Hook: r.hook, Apps: r.cache.Apps, Models: r.cache.Models}
	live := map[string]bool{}
	for _, ep := range snapshot.Endpoints() {
		ids, err := rels.Live(ctx, ep.Name)
		if err != nil {
			return s, err
		}
		for _, id := range ids {
			live[id.String()] = true
			rel := snapshot.Relation{Relation: gateway.Relation{ID: id}}
			if ep.WithBag {
				var ok bool
				if rel.App, rel.Bag, ok, err = rels.AppBag(ctx, id); err != nil {
					return s, err
				} else if !ok && !ep.FailClosed {
					continue // gone meanwhile, or nobody there yet
				}
			}
			if ep.Tenant {
				if rel.RemoteModelUUID, err = rels.RemoteModel(ctx, id); errors.Is(err, juju.ErrRelationNotFound) {
					continue
				} else if err != nil {
					return s, err
				}
			}
			s.Relations = append(s.Relations, rel)
		}
	}
	r.cache.prune(live)
	return s, nil
}
