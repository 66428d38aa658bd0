package hooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
	"github.com/canonical/istio-ingress-k8s-go/state"
	"github.com/canonical/istio-ingress-k8s-go/workload"
)

// run is one hook's work: the event, the hook tools, the cluster and the
// unit's state file.
type run struct {
	client  *juju.Client
	hook    juju.Context
	ev      Event
	cluster ClusterFactory
	log     logger
	cache   *cache
	now     func() time.Time
	// kubeBudget bounds the hook's Kubernetes requests: an API server that
	// stops answering fails the reconcile, never hangs the hook (and every
	// hook queued behind it).
	kubeBudget time.Duration
	// traceTo is the charm-tracing receiver the hook's trace goes to, once
	// the reconcile has read it ("" for none).
	traceTo string
	// pebble connects to the metrics-proxy container's Pebble.
	pebble func() (workload.Pebble, error)
	// healthURL overrides the gateway readiness URL the check probes.
	healthURL string
	// rand draws private keys and request identifiers.
	rand io.Reader
}

// reconcile brings the unit to its desired state and returns the status
// that describes it. It depends only on what it reads, never on which event
// fired, so a missed or reordered event cannot leave anything wrong.
//
// Only the leader renders, applies and publishes, in this order: read the
// snapshot (Juju and the cluster at once), plan and apply (applyIsolated),
// publish each relation's result (publishAll), then compute the status.
func (r *run) reconcile(ctx context.Context) (juju.Status, error) {
	// Every unit runs metrics-proxy: the scrape job targets every unit.
	wl := r.ensureWorkload()
	workloadDone := sync.OnceValue(func() workloadResult { return r.workloadDone(ctx, wl) })
	defer workloadDone() // every path waits for the step and logs it
	leader, err := r.client.Leader(ctx)
	if errors.Is(err, juju.ErrNotLeader) {
		// Another unit writes the app bags now: what this one wrote may be
		// overwritten before it leads again.
		r.cache.forgetWrites()
		if err := r.standbyUnitRequest(ctx); err != nil {
			r.log.printf(ctx, juju.LogWarning, "%v", err)
		}
		if err := r.standbyObservability(ctx); err != nil {
			r.log.printf(ctx, juju.LogWarning, "%v", err)
		}
		if _, waiting := workloadWaiting(outcome{workload: workloadDone()}); len(waiting) > 0 {
			return juju.Status{Name: juju.StatusWaiting, Message: strings.Join(waiting, "; ")}, nil
		}
		return juju.Status{Name: juju.StatusActive, Message: msgStandby}, nil
	}
	if err != nil {
		return juju.Status{}, fmt.Errorf("checking leadership: %w", err)
	}

	// The cluster is read while Juju is: see readCluster. A failure to
	// connect is reported after the snapshot's.
	cluster, clusterErr := r.cluster(r.hook.App, r.hook.ModelName)
	// Reading and applying each get the whole Kubernetes budget: time
	// spent in hook tools and planning is not the API server's to lose.
	readCtx, cancelRead := r.kubeContext(ctx)
	defer cancelRead()
	var reads <-chan clusterReads
	if clusterErr == nil {
		reads = readCluster(readCtx, cluster, r.hook)
	}
	snap, err := r.readSnapshot(ctx)
	if err != nil {
		return juju.Status{}, err
	}
	r.traceTo = traceReceiver(snap)
	r.verifyWrites(ctx, snap.Relations)
	if clusterErr != nil {
		return juju.Status{}, fmt.Errorf("connecting to Kubernetes: %w", clusterErr)
	}
	cr := <-reads
	w := workloadDone()
	snap.LBAddress = cr.lbAddress
	snap.NamespaceModels = cr.namespaceModels
	cert, err := r.readCertificate(ctx, &snap, cr.listing)
	if err != nil {
		return juju.Status{}, err
	}
	desired := snap.Desired()
	gw, err := readGatewayState(cr, desired, w.report.Gateway)
	if err != nil {
		return juju.Status{}, r.overBudget(err, readCtx)
	}
	if cr.namespacesErr != nil {
		// Without them a requirer cannot be told from a trespasser.
		return juju.Status{}, r.overBudget(fmt.Errorf("reading the namespaces' Juju models: %w", cr.namespacesErr), readCtx)
	}
	kctx, cancelKube := r.kubeContext(ctx)
	defer cancelKube()

	plan, res, err := applyIsolated(kctx, cluster, cr.listing, desired.Input, r.cache.refused(), desired.Keep)
	err = r.overBudget(err, kctx, readCtx) // the listing was read within readCtx
	r.cache.setRefused(plan.Status.Rejected)
	writes := 0
	pub := publisher{client: r.client, leader: leader, cache: r.cache, log: r.log, writes: &writes, rand: r.rand}
	out := served{plan: plan, address: gw.advertised(), tls: desired.Input.TLS.Enabled, hook: r.hook, desired: desired, localIP: cr.lbAddress, cert: cert}
	if desired.Upstream.Answered() && out.address != "" {
		// Behind an outer ingress, requirers are served at its URL, once
		// this gateway can serve them too.
		out.scheme, out.address = desired.Served()
	}
	if err != nil {
		// What is not served is wiped all the same: no requirer keeps a
		// URL for routes this plan does not hold. Served ones wait for an
		// apply that succeeds.
		out.address = ""
		if pubErr := publishResults(ctx, pub, out); pubErr != nil {
			r.log.printf(ctx, juju.LogError, "Withdrawing URLs: %v", pubErr)
		}
		var missing *kube.MissingCRDError
		if errors.As(err, &missing) {
			return juju.Status{}, missing // its message says what to install
		}
		return juju.Status{}, fmt.Errorf("applying %d objects: %w", len(plan.Objects), err)
	}
	if res.Writes() > 0 {
		r.log.printf(ctx, juju.LogInfo, "Kubernetes: %s", res)
	}
	pubErr := pub.publishAll(ctx, out)
	r.warnOnce(ctx, append(planWarnings(plan), certWarnings(cert)...))
	if pubErr != nil {
		return juju.Status{}, pubErr
	}
	return outcome{gw: gw, plan: plan, desired: desired, workload: w, cert: cert}.status(), nil
}

// warnOnce logs the warnings the previous reconcile did not: a standing
// problem is logged when it appears (and is in the status meanwhile), not
// on every hook.
func (r *run) warnOnce(ctx context.Context, lines []string) {
	for _, line := range lines {
		if !slices.Contains(r.cache.Warned, line) {
			r.log.printf(ctx, juju.LogWarning, "%s", line)
		}
	}
	r.cache.Warned = lines
}

// kubeContext is ctx bounded by the hook's Kubernetes budget.
func (r *run) kubeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.kubeBudget)
}

// overBudget says so when err came from running out of a Kubernetes
// budget (any of ctxs), which a bare "context deadline exceeded" would not
// tell.
func (r *run) overBudget(err error, ctxs ...context.Context) error {
	if err == nil {
		return nil
	}
	for _, ctx := range ctxs {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("no answer from Kubernetes within %v: %w", r.kubeBudget, err)
		}
	}
	return err
}

// statePath is the unit's state file in its charm directory.
func statePath(hook juju.Context) string {
	dir := hook.CharmDir
	if dir == "" {
		dir = "."
	}
	return filepath.Join(dir, state.FileName)
}

// standbyUnitRequest writes a standby unit's own bag on upstream-ingress:
// the outer ingress needs every unit's address, and only this unit can
// write its bag. It costs one relation-ids call when there is no relation.
func (r *run) standbyUnitRequest(ctx context.Context) error {
	rels := juju.Relations{Reader: r.client, Hook: r.hook, Apps: r.cache.Apps}
	ids, err := rels.Live(ctx, snapshot.EndpointUpstream)
	if err != nil || len(ids) == 0 {
		return err
	}
	cfg := snapshot.DefaultConfig()
	if err := r.client.ConfigGetInto(ctx, &cfg); err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	snap := snapshot.Snapshot{App: r.hook.App, Model: r.hook.ModelName, Config: cfg,
		Relations: []snapshot.Relation{{Relation: gateway.Relation{ID: ids[0]}}}}
	if snap.Desired().Address == "" {
		cluster, err := r.cluster(r.hook.App, r.hook.ModelName)
		if err != nil {
			return fmt.Errorf("connecting to Kubernetes: %w", err)
		}
		kctx, cancel := r.kubeContext(ctx)
		defer cancel()
		if snap.LBAddress, _, err = cluster.LoadBalancerAddress(kctx, r.hook.ModelName, gateway.ManagedName(r.hook.App)); err != nil {
			return fmt.Errorf("reading the gateway address: %w", err)
		}
	}
	return publishUnitRequest(ctx, r.client, r.cache, snap.Desired(), snap.LBAddress)
}
