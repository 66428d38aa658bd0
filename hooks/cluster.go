package hooks

import (
	"context"
	"fmt"
	"sync"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	"github.com/canonical/istio-ingress-k8s-go/juju"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/kube"
)

// Cluster is what the reconcile needs from Kubernetes; *kube.Applier is the
// real one.
type Cluster interface {
	List(ctx context.Context) *kube.Listing
	ApplyListed(ctx context.Context, listing *kube.Listing, desired []*unstructured.Unstructured, keep ...resource.Hold) (kube.Result, error)
	Stage(ctx context.Context, listing *kube.Listing, objs []*unstructured.Unstructured, dryRun func(resource.ObjectID) bool) (kube.Result, error)
	DeleteAll(ctx context.Context) (kube.Result, error)
	LoadBalancerAddress(ctx context.Context, namespace, name string) (address, reason string, err error)
	DeploymentReady(ctx context.Context, namespace, name string) (ready bool, reason string, err error)
	NamespaceValues(ctx context.Context, key string) (map[string]string, error)
}

// ClusterFactory connects to the cluster on behalf of app in model.
type ClusterFactory func(app, model string) (Cluster, error)

// kubeCluster connects with KUBECONFIG when set, else the pod's service
// account. Building the client does no request: no API discovery.
func kubeCluster(getenv func(string) string) ClusterFactory {
	return func(app, model string) (Cluster, error) {
		cfg, err := kube.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		return kube.NewApplier(cfg, ApplierOptions(app, model))
	}
}

// ApplierOptions are the apply options of app in model: its field manager
// and the labels that mark what it owns.
func ApplierOptions(app, model string) kube.Options {
	return kube.Options{
		FieldManager: app,
		Instance:     gateway.InstanceLabel(model, app),
		Deployment:   gateway.DeploymentLabel(model, app),
		Model:        model,
		Scopes:       resource.Scopes(),
	}
}

// clusterReads is everything the reconcile reads from the cluster before it
// plans.
type clusterReads struct {
	listing *kube.Listing

	lbAddress, lbReason string
	lbErr               error

	ready       bool
	readyReason string
	readyErr    error

	// namespaceModels are the namespaces Juju marks as a model's, with
	// the model's UUID (gateway.Tenancy.NamespaceModels).
	namespaceModels map[string]string
	namespacesErr   error
}

// readCluster starts the cluster reads in the background and delivers them
// on the returned channel. The reconcile reads Juju meanwhile: with many
// relations the hook tools take far longer than the cluster, so the
// cluster's latency leaves the hook's critical path.
func readCluster(ctx context.Context, cluster Cluster, hook juju.Context) <-chan clusterReads {
	out := make(chan clusterReads, 1) // buffered: never blocks if nobody waits
	go func() {
		var cr clusterReads
		defer func() {
			if p := recover(); p != nil { // report it like any failure to read
				err := fmt.Errorf("internal error reading the cluster: %v", p)
				cr = clusterReads{lbErr: err, readyErr: err, namespacesErr: err}
			}
			out <- cr
		}()
		managed := gateway.ManagedName(hook.App)
		var wg sync.WaitGroup
		wg.Go(func() { cr.listing = cluster.List(ctx) })
		wg.Go(func() {
			cr.lbAddress, cr.lbReason, cr.lbErr = cluster.LoadBalancerAddress(ctx, hook.ModelName, managed)
		})
		wg.Go(func() {
			cr.namespaceModels, cr.namespacesErr = cluster.NamespaceValues(ctx, gateway.NamespaceModelKey)
		})
		cr.ready, cr.readyReason, cr.readyErr = cluster.DeploymentReady(ctx, hook.ModelName, managed)
		wg.Wait()
	}()
	return out
}
