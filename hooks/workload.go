package hooks

import (
	"context"
	"errors"
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/workload"
)

// msgNoPebble is the status while the metrics-proxy container's Pebble
// does not answer; its pebble-ready hook finishes the job.
const msgNoPebble = "Waiting for Pebble in the metrics-proxy container"

// workloadResult is what the metrics-proxy step did and saw.
type workloadResult struct {
	report workload.Report
	err    error
}

// ensureWorkload keeps metrics-proxy's layer in place on every unit, in
// the background: a replan waits for the service to start, which need not
// hold up the reads. A Pebble that is not up is no failure: the container
// is starting and its pebble-ready hook will follow.
func (r *run) ensureWorkload() <-chan workloadResult {
	out := make(chan workloadResult, 1) // buffered: never blocks if nobody waits
	go func() {
		var res workloadResult
		defer func() {
			if p := recover(); p != nil {
				res = workloadResult{err: fmt.Errorf("internal error in the metrics-proxy step: %v", p)}
			}
			out <- res
		}()
		p, err := r.pebble()
		if err != nil {
			res.err = err
			return
		}
		res.report, res.err = workload.Ensure(p, workload.Spec{Model: r.hook.ModelName, App: r.hook.App, HealthURL: r.healthURL})
	}()
	return out
}

// workloadDone waits for the step and logs what it changed or why it
// failed.
func (r *run) workloadDone(ctx context.Context, in <-chan workloadResult) workloadResult {
	res := <-in
	var notUp *workload.NotUpError
	switch {
	case errors.As(res.err, &notUp):
		r.log.debugf("%v", res.err)
	case res.err != nil:
		r.log.printf(ctx, juju.LogWarning, "metrics-proxy: %v", res.err)
	case res.report.Replanned:
		r.log.printf(ctx, juju.LogInfo, "metrics-proxy: layer %q in place and service started", workload.LayerLabel)
	}
	return res
}

// workloadWaiting is the status check of the metrics-proxy step: the
// charm retries it on every hook, so a problem is something to wait for.
func workloadWaiting(o outcome) (_, waiting []string) {
	var notUp *workload.NotUpError
	switch err := o.workload.err; {
	case errors.As(err, &notUp):
		waiting = append(waiting, msgNoPebble)
	case err != nil:
		waiting = append(waiting, "metrics-proxy: "+brief(err))
	}
	return nil, waiting
}
