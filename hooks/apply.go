package hooks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"go.opentelemetry.io/otel/attribute"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/hooktrace"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/resource"
)

// applyIsolated plans input and applies the plan, leaving out every
// relation whose objects the cluster refuses (a namespace that does not
// exist, a name another owner holds, content it rejects) with the
// cluster's reason, so one requirer's bad request never stops the others
// from being served and published. It takes two steps, however many
// relations are refused:
//
//  1. isolate: the objects rendered for relations are staged — applied
//     without deleting anything, each only if new or changed — and every
//     relation owning a refused object is left out. When any is, the
//     relations the plan holds in standby (refused only because an
//     admitted one holds what they ask for) are judged too, in a dry run,
//     since leaving a relation out may admit them. The rebuilt plan's
//     newly admitted objects are then staged in turn; a pass that leaves
//     no one else out ends the step (in practice the second: the standby
//     relations were judged already), and each pass leaves out at least
//     one more relation, so there are never more passes than relations;
//  2. apply: the plan without them (the Gateway's listeners included) is
//     applied, and what it no longer holds is deleted.
//
// remembered holds the relations refused by the previous reconcile: their
// objects are only dry-run in step 1, so while one stays refused a
// reconcile stores nothing for it and a quiet hook writes nothing.
// Nothing keep or the plan's own Keep holds is deleted in step 2.
// Failures no relation explains are returned.
func applyIsolated(ctx context.Context, cluster Cluster, listing *kube.Listing, input gateway.Input, remembered map[juju.RelationID]string, keep []resource.Hold) (gateway.Plan, kube.Result, error) {
	if listing == nil {
		listing = cluster.List(ctx)
	}
	input.Rejected = map[juju.RelationID]string{}
	var staged kube.Result
	// One plan span a pass (usually one), each a child of the hook beside
	// the apply span, as the README lays the trace out.
	applyCtx, applySpan := hooktrace.Start(ctx, "apply")
	for pass := 0; ; pass++ {
		_, planSpan := hooktrace.Start(ctx, "plan")
		plan := gateway.Build(input)
		planSpan.SetAttributes(attribute.Int("objects", len(plan.Objects)), attribute.Int("relations", len(plan.Results)),
			attribute.Int("objects.standby", len(plan.Standby.Objects)))
		planSpan.End()
		if pass == 0 {
			// The certificate's Secret goes in before the Gateway that
			// refers to it: a listener switched to a Secret not there yet
			// would stop HTTPS for a moment (as on a refresh from the
			// Python charm's Secret).
			res, err := cluster.Stage(applyCtx, listing, ofKind(plan.Objects, resource.KindSecret), nil)
			staged.Applied += res.Applied
			if err != nil {
				endSpan(applySpan, err)
				return plan, staged, err
			}
		}
		// Staged objects are recorded in listing: a later pass stages
		// only what the previous ones did not.
		refused, res, err := isolate(applyCtx, cluster, listing, plan, remembered)
		staged.Applied += res.Applied
		staged.Adopted += res.Adopted
		if err != nil {
			endSpan(applySpan, err)
			return plan, staged, err
		}
		if len(refused) == 0 {
			res, err := cluster.ApplyListed(applyCtx, listing, plan.Objects, slices.Concat(keep, plan.Keep)...)
			res.Applied += staged.Applied
			res.Adopted += staged.Adopted
			applySpan.SetAttributes(attribute.Int("objects", len(plan.Objects)), attribute.Int("objects.applied", res.Applied),
				attribute.Int("objects.deleted", res.Deleted), attribute.Int("relations.refused", len(input.Rejected)))
			endSpan(applySpan, err)
			return plan, res, err
		}
		maps.Copy(input.Rejected, refused)
	}
}

// isolate stages the objects of plan's relations and returns the relations
// the cluster refuses, with why. A remembered relation whose objects get no
// answer (a server error, a timeout) stays refused with its last reason: no
// answer is no acceptance. Any other failure is returned.
func isolate(ctx context.Context, cluster Cluster, listing *kube.Listing, plan gateway.Plan, remembered map[juju.RelationID]string) (map[juju.RelationID]string, kube.Result, error) {
	wasRefused := func(rel gateway.Relation) bool { _, ok := remembered[rel.ID]; return ok }
	// Only objects every owner of which was refused are dry-run: a policy
	// on a Service shared with a served relation is written for real.
	onlyRefused := func(id resource.ObjectID) bool {
		owners := plan.Owners[id]
		return len(owners) > 0 && !slices.ContainsFunc(owners, func(rel gateway.Relation) bool { return !wasRefused(rel) })
	}
	var objs []*unstructured.Unstructured
	for _, obj := range plan.Objects {
		if len(plan.Owners[resource.IDOf(obj)]) > 0 {
			objs = append(objs, obj)
		}
	}
	staged, err := cluster.Stage(ctx, listing, objs, onlyRefused)
	refused := map[juju.RelationID]string{}
	var unexplained []error
	for _, oe := range kube.ObjectErrors(err) {
		owners := plan.Owners[oe.Object()]
		switch {
		case oe.Op == "apply" && oe.Refused():
			for _, rel := range owners {
				if _, seen := refused[rel.ID]; !seen {
					refused[rel.ID] = fmt.Sprintf("%s: %v", oe.Object(), oe.Err)
				}
			}
		case onlyRefused(oe.Object()):
			for _, rel := range owners {
				if _, seen := refused[rel.ID]; !seen {
					refused[rel.ID] = remembered[rel.ID]
				}
			}
		default:
			unexplained = append(unexplained, oe)
		}
	}
	if err != nil && len(kube.ObjectErrors(err)) == 0 {
		return nil, staged, err // not about any one object: invalid input, no answer
	}
	if len(unexplained) > 0 {
		return nil, staged, errors.Join(unexplained...)
	}
	if len(refused) > 0 {
		judgeStandby(ctx, cluster, listing, plan.Standby, refused)
	}
	return refused, staged, nil
}

func ofKind(objs []*unstructured.Unstructured, kind resource.Kind) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, obj := range objs {
		if obj.GetKind() == kind.Kind && obj.GetAPIVersion() == kind.GroupVersion().String() {
			out = append(out, obj)
		}
	}
	return out
}

// judgeStandby dry-runs the standby objects and adds the relations owning
// one the cluster does not accept to refused. No answer is no acceptance:
// such a relation is left out too, with the error.
func judgeStandby(ctx context.Context, cluster Cluster, listing *kube.Listing, standby gateway.Standby, refused map[juju.RelationID]string) {
	if len(standby.Objects) == 0 {
		return
	}
	_, err := cluster.Stage(ctx, listing, standby.Objects, func(resource.ObjectID) bool { return true })
	if err == nil {
		return
	}
	oes := kube.ObjectErrors(err)
	if len(oes) == 0 { // not about any one object: none was judged
		for _, owners := range standby.Owners {
			for _, rel := range owners {
				refused[rel.ID] = cmp.Or(refused[rel.ID], fmt.Sprintf("not judged by the cluster: %v", err))
			}
		}
		return
	}
	for _, oe := range oes {
		for _, rel := range standby.Owners[oe.Object()] {
			refused[rel.ID] = cmp.Or(refused[rel.ID], fmt.Sprintf("%s: %v", oe.Object(), oe.Err))
		}
	}
}
