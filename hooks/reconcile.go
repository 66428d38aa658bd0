package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/state"
)

// Status messages users see in juju status.
const (
	msgStandby         = "Backup unit; standing by for leader takeover"
	msgInvalidHostname = "Invalid hostname provided, Please ensure this adheres to RFC 1123."
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
	// kubeBudget bounds the hook's Kubernetes requests: an API server that
	// stops answering fails the reconcile, never hangs the hook (and every
	// hook queued behind it).
	kubeBudget time.Duration
}

// reconcile brings the unit to its desired state and returns the status
// that describes it. It depends only on what it reads, never on which event
// fired, so a missed or reordered event cannot leave anything wrong.
//
// Only the leader renders, applies and publishes; the order is: read the
// snapshot, plan (pure), apply to the cluster, publish each relation's
// result, then compute the status.
func (r *run) reconcile(ctx context.Context) (juju.Status, error) {
	leader, err := r.client.Leader(ctx)
	if errors.Is(err, juju.ErrNotLeader) {
		// Another unit writes the app bags now: what this one wrote may be
		// overwritten before it leads again.
		r.cache.forgetWrites()
		return juju.Status{Name: juju.StatusActive, Message: msgStandby}, nil
	}
	if err != nil {
		return juju.Status{}, fmt.Errorf("checking leadership: %w", err)
	}
	if r.ev.Kind == LeaderElected {
		// Leadership may have moved away and back without a hook here in
		// between; another leader may have written meanwhile.
		r.cache.forgetWrites()
	}

	// The cluster is read while Juju is: see readCluster. A failure to
	// connect is reported after the snapshot's, as before the reads overlapped.
	cluster, clusterErr := r.cluster(r.hook.App, r.hook.ModelName)
	kctx, cancelKube := r.kubeContext(ctx)
	defer cancelKube()
	var reads <-chan clusterReads
	if clusterErr == nil {
		reads = readCluster(kctx, cluster, r.hook)
	}
	snap, err := readSnapshot(ctx, r.client, r.hook, r.ev, r.cache)
	if err != nil {
		return juju.Status{}, err
	}
	if clusterErr != nil {
		return juju.Status{}, fmt.Errorf("connecting to Kubernetes: %w", clusterErr)
	}
	cr := <-reads
	gw := gatewayState{}
	if err := gw.read(cr, snap.config); err != nil {
		return juju.Status{}, r.overBudget(kctx, err)
	}
	// TLS stays off until the charm holds a certificate; what is
	// published to requirers follows this same value.
	input := gateway.Input{
		App:                  r.hook.App,
		Model:                r.hook.ModelName,
		Address:              gw.localAddress,
		Units:                snap.units,
		ExternalTrafficCIDRs: snap.config.ExternalTrafficCIDRs,
		Routes:               snap.routes,
		Ingresses:            snap.ingresses,
		Rejected:             r.cache.refused(),
	}
	plan, res, err := applyPlan(kctx, cluster, cr.listing, input)
	err = r.overBudget(kctx, err)
	r.cache.setRefused(plan.Status.Rejected)
	pub := publisher{leader: leader, cache: r.cache, log: r.log}
	if err != nil {
		// What is not served is wiped all the same: no requirer keeps a
		// URL for routes this plan does not hold. Served ones wait for an
		// apply that succeeds.
		if pubErr := pub.results(ctx, plan, "", input.TLS.Enabled); pubErr != nil {
			r.log.printf(ctx, juju.LogError, "Withdrawing URLs: %v", pubErr)
		}
		var missing *kube.MissingCRDError
		if errors.As(err, &missing) {
			return juju.Status{}, missing // its message says what to install
		}
		return juju.Status{}, fmt.Errorf("applying %d objects: %w", len(plan.Objects), err)
	}
	if res.Applied+res.Deleted > 0 {
		r.log.printf(ctx, juju.LogInfo, "Kubernetes: %s", res)
	}
	r.warnOnce(ctx, planWarnings(plan))

	if err := pub.results(ctx, plan, gw.advertised(), input.TLS.Enabled); err != nil {
		return juju.Status{}, err
	}
	if gw.advertised() != "" {
		if err := pub.metadata(ctx, r.hook, snap.metadata); err != nil {
			return juju.Status{}, err
		}
	}
	return gw.status(plan), nil
}

// planWarnings are the plan's lines for the operator: who is not served
// and why, and what is served differently from what was asked.
func planWarnings(plan gateway.Plan) []string {
	var lines []string
	for _, c := range plan.Status.Conflicts {
		lines = append(lines, fmt.Sprintf("Route conflict: %s", c))
	}
	for _, res := range slices.Concat(plan.Status.Invalid, plan.Status.NoRoom) {
		lines = append(lines, fmt.Sprintf("Cannot serve %s: %s", res.Relation, res.Reason))
	}
	for _, res := range plan.Status.Rejected {
		lines = append(lines, fmt.Sprintf("Kubernetes refused the objects of %s: %s", res.Relation, res.Reason))
	}
	for _, res := range plan.Results {
		for _, w := range res.Warnings {
			lines = append(lines, fmt.Sprintf("Serving %s: %s", res.Relation, w))
		}
	}
	return lines
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

// overBudget says so when err came from running out of the Kubernetes
// budget, which a bare "context deadline exceeded" would not tell.
func (r *run) overBudget(kctx context.Context, err error) error {
	if err != nil && errors.Is(kctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer from Kubernetes within %v: %w", r.kubeBudget, err)
	}
	return err
}

// maxApplyPasses bounds applyPlan: each pass after the first leaves out at
// least one more relation, and every pass costs a listing and the writes.
const maxApplyPasses = 3

// applyPlan plans input and applies the plan. When the cluster refuses
// objects rendered for some relations (a namespace that does not exist, a
// name another owner holds, content it rejects), those relations are left
// out with the cluster's reason and the rest is applied again, so one
// requirer's bad request never stops the others from being served and
// published. Failures the relations cannot explain are returned.
//
// input.Rejected holds the relations refused by the previous reconcile:
// they are asked about again in a dry run first, so while one stays
// refused a reconcile writes nothing for it (and the Gateway is not
// written with its listener and then without).
func applyPlan(ctx context.Context, cluster Cluster, listing *kube.Listing, input gateway.Input) (gateway.Plan, kube.Result, error) {
	if len(input.Rejected) > 0 {
		input.Rejected = stillRefused(ctx, cluster, input)
	}
	var total kube.Result
	for pass := 1; ; pass++ {
		plan := gateway.Build(input)
		res, err := cluster.ApplyListed(ctx, listing, plan.Objects)
		total.Applied += res.Applied
		total.Deleted += res.Deleted
		total.Unchanged = res.Unchanged
		rejected := refusedRelations(plan, err)
		if len(rejected) == 0 || pass == maxApplyPasses {
			return plan, total, err
		}
		if input.Rejected == nil {
			input.Rejected = map[juju.RelationID]string{}
		}
		maps.Copy(input.Rejected, rejected)
		listing = nil // the first pass changed what is live: list again
	}
}

// stillRefused dry-runs the objects of the relations in input.Rejected and
// returns those the cluster would still refuse, with its current reason. A
// dry run that fails for another reason (a server error, a timeout) keeps
// the relation refused for now, with its last reason: the next reconcile
// asks again.
func stillRefused(ctx context.Context, cluster Cluster, input gateway.Input) map[juju.RelationID]string {
	before := input.Rejected
	input.Rejected = nil
	full := gateway.Build(input)
	wasRefused := func(rel gateway.Relation) bool { _, ok := before[rel.ID]; return ok }
	var objs []*unstructured.Unstructured
	for _, obj := range full.Objects {
		if slices.ContainsFunc(full.Owners[resource.IDOf(obj)], wasRefused) {
			objs = append(objs, obj)
		}
	}
	if len(objs) == 0 {
		return nil // nothing of theirs to render any more
	}
	err := cluster.DryRun(ctx, objs)
	still := refusedRelations(full, err)
	// A shared object (a policy on a Service) also names relations being
	// served: whether theirs is refused is for the real apply to say.
	maps.DeleteFunc(still, func(rel juju.RelationID, _ string) bool { _, ok := before[rel]; return !ok })
	for _, oe := range kube.ObjectErrors(err) {
		for _, rel := range full.Owners[oe.Object()] {
			if _, known := still[rel.ID]; !known && wasRefused(rel) {
				still[rel.ID] = before[rel.ID] // no answer is no acceptance
			}
		}
	}
	return still
}

// refusedRelations maps each object the cluster refused to the relations
// it was rendered for, with the refusal as the reason.
func refusedRelations(plan gateway.Plan, err error) map[juju.RelationID]string {
	out := map[juju.RelationID]string{}
	for _, oe := range kube.ObjectErrors(err) {
		if oe.Op != "apply" || !oe.Refused() {
			continue
		}
		for _, rel := range plan.Owners[oe.Object()] {
			if _, seen := out[rel.ID]; !seen {
				out[rel.ID] = fmt.Sprintf("%s: %v", oe.Object(), oe.Err)
			}
		}
	}
	return out
}

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
		return fmt.Errorf("deleting the gateway's objects: %w", r.overBudget(kctx, err))
	}
	r.log.printf(ctx, juju.LogInfo, "Last unit removed; deleted %d Kubernetes objects", res.Deleted)
	return nil
}

// gatewayState is what the cluster says about the gateway Istio runs for us.
type gatewayState struct {
	// localAddress is the gateway's own address: external_hostname when
	// valid, else the load balancer's.
	localAddress string
	// badHostname is set when external_hostname is set but invalid.
	badHostname bool
	// waiting says what is missing before the gateway can serve.
	waiting []string
}

func (g *gatewayState) read(cr clusterReads, cfg config) error {
	if h := strings.TrimSpace(cfg.ExternalHostname); h != "" {
		if gateway.IsValidHostname(h) {
			g.localAddress = h
		} else {
			g.badHostname = true
		}
	} else {
		if cr.lbErr != nil {
			return fmt.Errorf("reading the gateway address: %w", cr.lbErr)
		}
		g.localAddress = cr.lbAddress
		if cr.lbAddress == "" {
			g.waiting = append(g.waiting, cr.lbReason)
		}
	}
	if cr.readyErr != nil {
		return fmt.Errorf("reading the gateway readiness: %w", cr.readyErr)
	}
	if !cr.ready {
		g.waiting = append(g.waiting, cr.readyReason)
	}
	return nil
}

// advertised is the address published to requirers; "" until the gateway
// can serve at it.
func (g *gatewayState) advertised() string {
	if g.badHostname || len(g.waiting) > 0 {
		return ""
	}
	return g.localAddress
}

// status picks the unit status, most urgent first: refused, invalid or
// rejected requests and an invalid hostname need the operator (blocked, in
// that order, as the reference charm puts conflicts first); a gateway that is
// not serving yet is waiting; otherwise the charm is serving.
func (g *gatewayState) status(plan gateway.Plan) juju.Status {
	var blocked []string
	if !plan.Status.OK() {
		blocked = append(blocked, capitalise(plan.Status.Message()))
	}
	if g.badHostname {
		blocked = append(blocked, msgInvalidHostname)
	}
	switch {
	case len(blocked) > 0:
		return juju.Status{Name: juju.StatusBlocked, Message: strings.Join(blocked, "; ")}
	case len(g.waiting) > 0:
		return juju.Status{Name: juju.StatusWaiting, Message: "Waiting for the gateway: " + strings.Join(g.waiting, "; ")}
	}
	return juju.Status{Name: juju.StatusActive, Message: "Serving at " + g.localAddress}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// publisher writes each relation's result to this application's bag,
// skipping writes the cache says are already in place.
type publisher struct {
	leader *juju.Leader
	cache  *cache
	log    logger
}

func (p publisher) set(ctx context.Context, rel juju.RelationID, want map[string]string) error {
	delta := p.cache.changes(rel, want)
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
	p.cache.wrote(rel, delta)
	return nil
}

// results publishes each relation's URL (served, once address is known) or
// wipes it (refused, invalid, pending). A served relation is left alone while
// the address is unknown: its last URL is the best the requirer can have.
// One relation's failure neither stops nor hides the others': all are
// attempted and the failures returned together.
func (p publisher) results(ctx context.Context, plan gateway.Plan, address string, tls bool) error {
	var errs []error
	for _, res := range plan.Results {
		served := res.State == gateway.StateServed
		if served && address == "" {
			continue
		}
		var want map[string]string
		switch {
		case isIngressV2(res.ID.Endpoint) && served:
			bag, err := ingress.ServedBag(ingress.JoinURL(res.Scheme, address, res.PathPrefix))
			if err != nil {
				// ServedBag returns the wipe bag with the error: a URL
				// the requirer cannot parse is worse than none.
				p.log.printf(ctx, juju.LogError, "Not publishing a URL to %s: %v", res.Relation, err)
			}
			want = bag
		case isIngressV2(res.ID.Endpoint):
			want = ingress.WipedBag()
		case served:
			want = ingressroute.Ingress{ExternalHost: address, TLSEnabled: tls}.Bag()
		default:
			want = ingressroute.WipedBag()
		}
		if err := p.set(ctx, res.ID, want); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// metadata tells gateway-metadata requirers which gateway serves them.
func (p publisher) metadata(ctx context.Context, hook juju.Context, rels []juju.RelationID) error {
	managed := gateway.ManagedName(hook.App)
	body, err := json.Marshal(struct {
		Namespace      string `json:"namespace"`
		GatewayName    string `json:"gateway_name"`
		DeploymentName string `json:"deployment_name"`
		ServiceAccount string `json:"service_account"`
	}{hook.ModelName, hook.App, managed, managed})
	if err != nil {
		return err
	}
	for _, rel := range rels {
		if err := p.set(ctx, rel, map[string]string{"metadata": string(body)}); err != nil {
			return err
		}
	}
	return nil
}

func isIngressV2(endpoint string) bool {
	return endpoint == endpointIngress || endpoint == endpointIngressUnauthenticated
}

// statePath is the unit's state file in its charm directory.
func statePath(hook juju.Context) string {
	dir := hook.CharmDir
	if dir == "" {
		dir = "."
	}
	return filepath.Join(dir, state.FileName)
}
