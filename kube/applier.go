// Package kube applies the charm's desired Kubernetes objects (server-side
// apply per scope, garbage collection by the scope and instance labels) and
// reads the gateway's readiness for the status; it may import resource and
// client-go, nothing of the planner.
package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

const (
	defaultConcurrency = 8
	defaultTimeout     = 30 * time.Second
)

// Options configure an Applier.
type Options struct {
	// FieldManager owns the applied fields; the charm's app name.
	FieldManager string
	// Instance is the value of resource.LabelInstance on everything we own.
	Instance string
	// Deployment is the value of resource.LabelDeployment on what we write.
	// A listed object that carries another value belongs to another
	// deployment sharing our instance label and is never touched.
	Deployment string
	// Model is the namespace of the gateway scope's objects. Those may
	// carry no deployment label (see ours).
	Model string
	// Scopes is the scope table, normally resource.Scopes().
	Scopes []resource.Scope
	// Concurrency bounds in-flight requests (default 8). It replaces
	// client-go's 5 QPS client-side limit, which would make a 500-object
	// apply take over a minute; the API server's own flow control still applies.
	Concurrency int
}

// Applier reconciles the cluster to a set of desired objects.
type Applier struct {
	client      dynamic.Interface
	opts        Options
	kinds       []resource.Kind     // distinct kinds over all scopes, in scope order
	kindScopes  map[string][]string // kind key → scopes that own it
	scopeByName map[string]resource.Scope
}

// Result counts what a reconcile did, for logs.
type Result struct {
	Applied   int // objects created or changed
	Unchanged int // desired objects already live with the same content
	Deleted   int // objects no longer desired
	// Adopted counts objects whose fields the charm's manager had written
	// by merge patch (the Python charm's Gateway, Secret and autoscaler)
	// and that were moved to its apply before it changed them.
	Adopted int
}

// Writes is how many write requests the reconcile made.
func (r Result) Writes() int { return r.Applied + r.Deleted + r.Adopted }

func (r Result) String() string {
	s := fmt.Sprintf("%d applied, %d unchanged, %d deleted", r.Applied, r.Unchanged, r.Deleted)
	if r.Adopted > 0 {
		s += fmt.Sprintf(", %d adopted", r.Adopted)
	}
	return s
}

// NewApplier builds an Applier on a copy of cfg.
func NewApplier(cfg *rest.Config, opts Options) (*Applier, error) {
	if opts.FieldManager == "" || opts.Instance == "" || opts.Deployment == "" || opts.Model == "" {
		return nil, errors.New("kube: field manager, instance and deployment labels and model are required")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = defaultConcurrency
	}
	c := rest.CopyConfig(cfg)
	if c.QPS == 0 && c.RateLimiter == nil {
		c.QPS = -1 // no client-side limiter; Concurrency bounds the load
	}
	if c.Timeout == 0 {
		c.Timeout = defaultTimeout
	}
	client, err := dynamic.NewForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("kube: client: %w", err)
	}
	a := &Applier{client: client, opts: opts, kindScopes: map[string][]string{}, scopeByName: map[string]resource.Scope{}}
	for _, s := range opts.Scopes {
		a.scopeByName[s.Name] = s
		for _, k := range s.Kinds {
			key := kindKey(k.Group, k.Kind)
			if _, seen := a.kindScopes[key]; !seen {
				a.kinds = append(a.kinds, k)
			}
			a.kindScopes[key] = append(a.kindScopes[key], s.Name)
		}
	}
	return a, nil
}

// identity is what makes two objects the same object (version-independent).
type identity struct {
	group, kind, namespace, name string
}

func (id identity) String() string {
	return fmt.Sprintf("%s %s/%s", id.kind, id.namespace, id.name)
}

func kindKey(group, kind string) string { return kind + "." + group }

type desiredObject struct {
	id   identity
	kind resource.Kind
	obj  *unstructured.Unstructured
}

type liveObject struct {
	id   identity
	kind resource.Kind
	obj  unstructured.Unstructured
}

// Listing is what the cluster held of ours when List ran: every object
// with our instance label and a scope label of a scope owning its kind.
type Listing struct {
	live    map[identity]liveObject
	missing sets.Set[string]
	listErr map[string]error
}

// List lists every object we own, one request per kind. Pass the result to
// ApplyListed: taking it early lets a caller overlap these requests with
// other slow work (a hook reads Juju meanwhile).
func (a *Applier) List(ctx context.Context) *Listing {
	live, missing, listErr := a.listLive(ctx)
	return &Listing{live: live, missing: missing, listErr: listErr}
}

// Get returns a copy of the listed object of kind named namespace/name.
func (l *Listing) Get(kind resource.Kind, namespace, name string) (*unstructured.Unstructured, bool) {
	if l == nil {
		return nil, false
	}
	obj, ok := l.live[identity{group: kind.Group, kind: kind.Kind, namespace: namespace, name: name}]
	if !ok {
		return nil, false
	}
	return obj.obj.DeepCopy(), true
}

// Apply makes the cluster hold exactly the desired objects among those
// carrying our instance label and one of our scope labels: it applies the
// new or changed ones and deletes the rest, except those keep holds.
// Invalid input fails before any request. Objects of a kind the cluster
// does not serve are skipped and reported through a *MissingCRDError;
// other failures are *ObjectErrors.
// All errors are joined; the Result counts what was done regardless.
func (a *Applier) Apply(ctx context.Context, desired []*unstructured.Unstructured, keep ...resource.Hold) (Result, error) {
	return a.ApplyListed(ctx, nil, desired, keep...)
}

// ApplyListed is Apply judged against a Listing taken earlier by List (nil:
// list now). Invalid input fails before any write.
func (a *Applier) ApplyListed(ctx context.Context, listing *Listing, desired []*unstructured.Unstructured, keep ...resource.Hold) (Result, error) {
	want, err := a.validate(desired)
	if err != nil {
		return Result{}, err
	}
	if listing == nil {
		listing = a.List(ctx)
	}
	var res Result
	var mu sync.Mutex
	applies := a.applyJobs(listing, want, nil, &res, &mu)
	var deletes []func(context.Context) error
	live, missing, listErr := listing.live, listing.missing, listing.listErr
	for id, l := range live {
		if _, wanted := want[id]; !wanted && !held(keep, l) {
			deletes = append(deletes, a.deleteJob(l, &res, &mu))
		}
	}
	// Applies first, and deletes only once every apply succeeded: a renamed
	// object never leaves a gap in service, and a caller that re-plans
	// around a refused object (see ObjectError.Refused) has deleted nothing
	// that its next plan still wants.
	errs := a.run(ctx, applies)
	if len(errs) == 0 {
		errs = a.run(ctx, deletes)
	}
	return res, a.joinErrors(missing, listErr, errs)
}

// Stage applies, without deleting anything, the objects that are new or
// changed against listing, and records each one applied in listing, so an
// ApplyListed with that listing finds it in place and writes it no more.
// Objects for which dryRun is true are only judged by the cluster (a
// server-side dry run): nothing is stored or recorded for them. Refusals are
// joined *ObjectErrors, as from Apply. A caller applies what each relation
// asks for this way first, to learn which relations the cluster refuses
// before it decides what the shared objects (the Gateway) hold.
func (a *Applier) Stage(ctx context.Context, listing *Listing, objs []*unstructured.Unstructured, dryRun func(resource.ObjectID) bool) (Result, error) {
	want, err := a.validate(objs)
	if err != nil {
		return Result{}, err
	}
	if listing == nil {
		listing = a.List(ctx)
	}
	if dryRun == nil {
		dryRun = func(resource.ObjectID) bool { return false }
	}
	var res Result
	var mu sync.Mutex
	errs := a.run(ctx, a.applyJobs(listing, want, dryRun, &res, &mu))
	return res, a.joinErrors(nil, nil, errs)
}

// applyJobs returns a job for each wanted object that listing does not
// hold as wanted, counting what is unchanged and applied in res. With
// dryRun set (Stage), an applied object is recorded in listing, and those
// dryRun picks are only dry-run. An object our manager had written by merge
// patch is adopted (see ownershipOf) just before its first apply.
func (a *Applier) applyJobs(listing *Listing, want map[identity]desiredObject, dryRun func(resource.ObjectID) bool, res *Result, mu *sync.Mutex) []func(context.Context) error {
	var jobs []func(context.Context) error
	for _, d := range want {
		kk := kindKey(d.id.group, d.id.kind)
		if listing.missing.Has(kk) || listing.listErr[kk] != nil {
			continue
		}
		l, exists := listing.live[d.id]
		var adopt []byte
		if exists {
			own, err := ownershipOf(&l.obj, a.opts.FieldManager)
			if err == nil && unchanged(&l.obj, d.obj, own) {
				res.Unchanged++
				continue
			}
			adopt = own.adopt // unreadable managed fields: apply and let the server judge
		}
		dry := dryRun != nil && dryRun(resource.IDOf(d.obj))
		jobs = append(jobs, func(ctx context.Context) error {
			if adopt != nil && !dry {
				if err := a.adopt(ctx, d, adopt); err != nil {
					return err
				}
				mu.Lock()
				res.Adopted++
				mu.Unlock()
			}
			applied, err := a.applyOne(ctx, d, !exists, dry)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if dry {
				return nil
			}
			res.Applied++
			if dryRun != nil {
				listing.live[d.id] = liveObject{id: d.id, kind: d.kind, obj: *applied}
			}
			return nil
		})
	}
	return jobs
}

// adopt sends the JSON patch that moves our manager's merge-patch fields
// to its apply entry. The patch carries the resourceVersion it was computed
// from, so an object changed since the listing is refused (a conflict), not
// given stale managed fields; the next reconcile reads it again.
func (a *Applier) adopt(ctx context.Context, d desiredObject, patch []byte) error {
	_, err := a.client.Resource(d.kind.GroupVersionResource).Namespace(d.id.namespace).Patch(ctx, d.id.name, types.JSONPatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return &ObjectError{Op: "adopt", Kind: d.id.kind, Namespace: d.id.namespace, Name: d.id.name, Err: err}
	}
	return nil
}

// applyOne server-side applies d, first checking the name is not held by
// an object we do not own when it may exist unlisted (checkForeign). It
// returns the object as the server stored it.
func (a *Applier) applyOne(ctx context.Context, d desiredObject, checkForeign, dryRun bool) (*unstructured.Unstructured, error) {
	if checkForeign {
		if err := a.checkNotForeign(ctx, d); err != nil {
			return nil, err
		}
	}
	opts := metav1.ApplyOptions{FieldManager: a.opts.FieldManager, Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	out, err := a.client.Resource(d.kind.GroupVersionResource).Namespace(d.id.namespace).Apply(ctx, d.id.name, d.obj, opts)
	if apierrors.IsNotFound(err) && !isNamespaceNotFound(err) {
		// Listed a moment ago and gone now: the CRD was deleted meanwhile.
		return nil, &kindGoneError{key: kindKey(d.id.group, d.id.kind)}
	}
	if err != nil {
		return nil, &ObjectError{Op: "apply", Kind: d.id.kind, Namespace: d.id.namespace, Name: d.id.name, Err: err}
	}
	return out, nil
}

// DeleteAll deletes every object of every scope we own (DestinationRules
// included), then lists again: any object still there (a failed delete, a
// finalizer holding it) makes a *RemainingError naming it, so the caller
// never reports a clean-up that did not happen. Kinds the cluster does not
// serve have nothing to delete.
func (a *Applier) DeleteAll(ctx context.Context) (Result, error) {
	live, _, listErr := a.listLive(ctx)
	var res Result
	var mu sync.Mutex
	jobs := make([]func(context.Context) error, 0, len(live))
	for _, l := range live {
		jobs = append(jobs, a.deleteJob(l, &res, &mu))
	}
	errs := a.run(ctx, jobs)
	if len(live) > 0 {
		left, _, leftErr := a.listLive(ctx)
		for kk, err := range leftErr {
			listErr[kk] = err
		}
		if len(left) > 0 {
			remaining := &RemainingError{}
			for id := range left {
				remaining.Objects = append(remaining.Objects, resource.ObjectID{Kind: id.kind, Namespace: id.namespace, Name: id.name})
			}
			slices.SortFunc(remaining.Objects, func(x, y resource.ObjectID) int { return strings.Compare(x.String(), y.String()) })
			errs = append(errs, remaining)
		}
	}
	return res, a.joinErrors(nil, listErr, errs)
}

// held reports whether any of keep holds the live object l.
func held(keep []resource.Hold, l liveObject) bool {
	scope := l.obj.GetLabels()[resource.LabelScope]
	for _, h := range keep {
		if h.Holds(scope, l.id.kind) {
			return true
		}
	}
	return false
}

func (a *Applier) deleteJob(l liveObject, res *Result, mu *sync.Mutex) func(context.Context) error {
	return func(ctx context.Context) error {
		uid := l.obj.GetUID()
		err := a.client.Resource(l.kind.GroupVersionResource).Namespace(l.id.namespace).Delete(ctx, l.id.name, metav1.DeleteOptions{
			// Never delete an object recreated since we listed it.
			Preconditions: &metav1.Preconditions{UID: &uid},
		})
		switch {
		case err == nil:
			mu.Lock()
			res.Deleted++
			mu.Unlock()
		case apierrors.IsNotFound(err), apierrors.IsConflict(err):
			// Already gone, or replaced by a newer object the next reconcile judges.
		default:
			return &ObjectError{Op: "delete", Kind: l.id.kind, Namespace: l.id.namespace, Name: l.id.name, Err: err}
		}
		return nil
	}
}

// checkNotForeign refuses to take over an object we are about to create when
// one of that name exists without our instance label: it belongs to someone
// else (a user, or another instance of the charm).
func (a *Applier) checkNotForeign(ctx context.Context, d desiredObject) error {
	cur, err := a.client.Resource(d.kind.GroupVersionResource).Namespace(d.id.namespace).Get(ctx, d.id.name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return &ObjectError{Op: "apply", Kind: d.id.kind, Namespace: d.id.namespace, Name: d.id.name, Err: err}
	}
	if owner := cur.GetLabels()[resource.LabelInstance]; owner != a.opts.Instance {
		return &ObjectError{Op: "apply", Kind: d.id.kind, Namespace: d.id.namespace, Name: d.id.name,
			Err: fmt.Errorf("%w (its %s label is %q)", ErrForeignObject, resource.LabelInstance, owner)}
	}
	if !a.ours(cur) {
		return &ObjectError{Op: "apply", Kind: d.id.kind, Namespace: d.id.namespace, Name: d.id.name,
			Err: fmt.Errorf("%w (its %s label is %q)", ErrForeignObject, resource.LabelDeployment, cur.GetLabels()[resource.LabelDeployment])}
	}
	return nil
}

// validate checks every desired object belongs to us and to a scope that owns
// its kind, and normalises it for apply and comparison.
func (a *Applier) validate(desired []*unstructured.Unstructured) (map[identity]desiredObject, error) {
	out := make(map[identity]desiredObject, len(desired))
	var errs []error
	for i, obj := range desired {
		if obj == nil {
			errs = append(errs, fmt.Errorf("validate object %d: nil", i))
			continue
		}
		d, err := a.validateOne(obj)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := out[d.id]; dup {
			errs = append(errs, a.invalid(obj, errors.New("appears twice in the desired set")))
			continue
		}
		out[d.id] = d
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func (a *Applier) validateOne(obj *unstructured.Unstructured) (desiredObject, error) {
	gvk := obj.GroupVersionKind()
	if obj.GetName() == "" || obj.GetNamespace() == "" {
		return desiredObject{}, a.invalid(obj, errors.New("name and namespace are required"))
	}
	lbls := obj.GetLabels()
	if got := lbls[resource.LabelInstance]; got != a.opts.Instance {
		return desiredObject{}, a.invalid(obj, fmt.Errorf("label %s is %q, want %q", resource.LabelInstance, got, a.opts.Instance))
	}
	scopeName := lbls[resource.LabelScope]
	scope, ok := a.scopeByName[scopeName]
	if !ok {
		return desiredObject{}, a.invalid(obj, fmt.Errorf("label %s is %q, not a managed scope", resource.LabelScope, scopeName))
	}
	var kind resource.Kind
	found := false
	for _, k := range scope.Kinds {
		if k.GVK() == gvk {
			kind, found = k, true
			break
		}
	}
	if !found {
		return desiredObject{}, a.invalid(obj, fmt.Errorf("scope %s does not manage %s", scopeName, gvk))
	}
	if !a.ours(obj) {
		return desiredObject{}, a.invalid(obj, fmt.Errorf("label %s is %q, want %q", resource.LabelDeployment, lbls[resource.LabelDeployment], a.opts.Deployment))
	}
	norm, err := normalise(obj)
	if err != nil {
		return desiredObject{}, a.invalid(obj, err)
	}
	id := identity{group: gvk.Group, kind: gvk.Kind, namespace: obj.GetNamespace(), name: obj.GetName()}
	return desiredObject{id: id, kind: kind, obj: norm}, nil
}

func (a *Applier) invalid(obj *unstructured.Unstructured, err error) error {
	return &ObjectError{Op: "validate", Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName(), Err: err}
}

// listLive lists, once per kind and across all namespaces, the objects with
// our instance label and a scope label of a scope owning that kind.
func (a *Applier) listLive(ctx context.Context) (map[identity]liveObject, sets.Set[string], map[string]error) {
	var mu sync.Mutex
	live := map[identity]liveObject{}
	missing := sets.New[string]()
	listErr := map[string]error{}
	jobs := make([]func(context.Context) error, 0, len(a.kinds))
	for _, k := range a.kinds {
		kk := kindKey(k.Group, k.Kind)
		jobs = append(jobs, func(ctx context.Context) error {
			list, err := a.client.Resource(k.GroupVersionResource).List(ctx, metav1.ListOptions{LabelSelector: a.selector(kk)})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
					missing.Insert(kk)
				} else {
					listErr[kk] = fmt.Errorf("list %s: %w", k.Kind, err)
				}
				return nil
			}
			for _, item := range list.Items {
				if !a.ours(&item) {
					continue
				}
				id := identity{group: k.Group, kind: k.Kind, namespace: item.GetNamespace(), name: item.GetName()}
				live[id] = liveObject{id: id, kind: k, obj: item}
			}
			return nil
		})
	}
	a.run(ctx, jobs)
	return live, missing, listErr
}

// ours tells our objects from those of another deployment whose instance
// label is the same. Without a deployment label, an object was written by
// the reference charm (adopted), or it is a Gateway, which carries none
// because Istio copies its labels onto the gateway pods: the gateway
// scope's objects are ours in our model's namespace only.
func (a *Applier) ours(obj *unstructured.Unstructured) bool {
	lbls := obj.GetLabels()
	if d, ok := lbls[resource.LabelDeployment]; ok {
		return d == a.opts.Deployment
	}
	return lbls[resource.LabelScope] != resource.ScopeGateway || obj.GetNamespace() == a.opts.Model
}

func (a *Applier) selector(kk string) string {
	inst, _ := labels.NewRequirement(resource.LabelInstance, selection.Equals, []string{a.opts.Instance})
	scope, _ := labels.NewRequirement(resource.LabelScope, selection.In, a.kindScopes[kk])
	if inst == nil || scope == nil {
		// Unreachable for valid label values; an impossible selector matches nothing.
		return resource.LabelInstance + "=" + a.opts.Instance + "," + resource.LabelScope + " in ()"
	}
	return labels.NewSelector().Add(*inst, *scope).String()
}

// run executes jobs with at most Concurrency in flight and returns their errors.
func (a *Applier) run(ctx context.Context, jobs []func(context.Context) error) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, a.opts.Concurrency)
	)
	for _, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := job(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

func (a *Applier) joinKinds(keys sets.Set[string]) []resource.Kind {
	var out []resource.Kind
	for _, k := range a.kinds {
		if keys.Has(kindKey(k.Group, k.Kind)) {
			out = append(out, k)
		}
	}
	return out
}

// joinErrors puts the missing-CRD error first (the one a status shows),
// then the rest in a stable order.
func (a *Applier) joinErrors(missing sets.Set[string], listErr map[string]error, errs []error) error {
	var out []error
	missing = missing.Clone()
	errs = slices.DeleteFunc(slices.Clone(errs), func(err error) bool {
		var gone *kindGoneError
		if !errors.As(err, &gone) {
			return false
		}
		missing.Insert(gone.key)
		return true
	})
	if missing.Len() > 0 {
		out = append(out, &MissingCRDError{Kinds: a.joinKinds(missing)})
	}
	rest := append([]error(nil), errs...)
	for _, err := range listErr {
		rest = append(rest, err)
	}
	sortErrors(rest)
	return errors.Join(append(out, rest...)...)
}

// sortErrors orders errors by message so reports are stable across runs.
func sortErrors(errs []error) {
	sort.Slice(errs, func(i, j int) bool { return strings.Compare(errs[i].Error(), errs[j].Error()) < 0 })
}
