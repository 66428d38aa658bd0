package hooks

import (
	"context"
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// Status messages users see in juju status.
const (
	msgStandby = "Backup unit; standing by for leader takeover"
	msgWaiting = "Waiting for ingress or istio-ingress-route relations"
	msgReady   = "Ready"
)

// routeEndpoints are the endpoints through which applications ask for routes.
func routeEndpoints() []string {
	return []string{"ingress", "ingress-unauthenticated", "istio-ingress-route", "istio-ingress-route-unauthenticated"}
}

// reconcile brings the unit to its desired state and returns the status
// that describes it. It depends only on what it reads, never on which event
// fired, so a missed or reordered event cannot leave it wrong.
//
// For now it only reports: a standby non-leader, a leader with nothing to
// route, or a leader with routes to serve.
func reconcile(ctx context.Context, client *juju.Client, ev Event) (juju.Status, error) {
	leader, err := client.IsLeader(ctx)
	if err != nil {
		return juju.Status{}, fmt.Errorf("checking leadership: %w", err)
	}
	if !leader {
		return juju.Status{Name: juju.StatusActive, Message: msgStandby}, nil
	}
	for _, endpoint := range routeEndpoints() {
		ids, err := client.RelationIDs(ctx, endpoint)
		if err != nil {
			return juju.Status{}, fmt.Errorf("listing %s relations: %w", endpoint, err)
		}
		for _, id := range ids {
			if isBroken(ev, id) {
				continue // Juju still lists the relation being broken
			}
			return juju.Status{Name: juju.StatusActive, Message: msgReady}, nil
		}
	}
	return juju.Status{Name: juju.StatusWaiting, Message: msgWaiting}, nil
}

func isBroken(ev Event, id juju.RelationID) bool {
	return ev.Kind == RelationBroken && ev.Relation != nil && *ev.Relation == id
}
