package hooks

import (
	"context"
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// remove deletes every object the application created, once its last unit
// goes. Any unit may do it: the leader may already be gone.
func (r *run) remove(ctx context.Context) error {
	gs, err := r.client.GoalState(ctx)
	if err != nil {
		return fmt.Errorf("reading goal state: %w", err)
	}
	if n := gs.PlannedUnits(); n > 0 {
		r.log.printf(ctx, juju.LogInfo, "Unit removed; %d unit(s) remain, leaving the gateway in place", n)
		return nil
	}
	cluster, err := r.cluster(r.hook.App, r.hook.ModelName)
	if err != nil {
		return fmt.Errorf("connecting to Kubernetes: %w", err)
	}
	kctx, cancel := r.kubeContext(ctx)
	defer cancel()
	res, err := cluster.DeleteAll(kctx)
	if err != nil {
		return fmt.Errorf("deleting the gateway's objects: %w", r.overBudget(err, kctx))
	}
	r.log.printf(ctx, juju.LogInfo, "Last unit removed; deleted %d Kubernetes objects", res.Deleted)
	return nil
}
