package hooks

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/kube"
)

// Cluster is what the reconcile needs from Kubernetes; *kube.Applier is the
// real one.
type Cluster interface {
	Apply(ctx context.Context, desired []*unstructured.Unstructured) (kube.Result, error)
	DeleteAll(ctx context.Context) (kube.Result, error)
	LoadBalancerAddress(ctx context.Context, namespace, name string) (address, reason string, err error)
	DeploymentReady(ctx context.Context, namespace, name string) (ready bool, reason string, err error)
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
		return kube.NewApplier(cfg, kube.Options{
			FieldManager: app,
			Instance:     gateway.InstanceLabel(model, app),
			Scopes:       gateway.Scopes(),
		})
	}
}
