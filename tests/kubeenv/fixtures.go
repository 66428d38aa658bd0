package kubeenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// GVRs of the built-in objects the fixtures create.
var (
	NamespaceGVR  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	ServiceGVR    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	DeploymentGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
)

// GatewayWorkloadName is the name Istio gives the Deployment and Service it
// creates for a Gateway named app (what the charm reads readiness from).
func GatewayWorkloadName(app string) string { return app + "-istio" }

// CreateNamespace creates a namespace; an existing one is fine. (Namespaces
// cannot be deleted here: no controller finalises them.)
func (e *Env) CreateNamespace(ctx context.Context, name string) error {
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": name},
	}}
	_, err := e.Dynamic().Resource(NamespaceGVR).Create(ctx, ns, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}

// MarkNamespace adds annotations and labels to an existing namespace, as
// Juju marks a model's namespace with the model's UUID.
func (e *Env) MarkNamespace(ctx context.Context, name string, annotations, labels map[string]string) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": annotations, "labels": labels}})
	if err != nil {
		return err
	}
	if _, err := e.Dynamic().Resource(NamespaceGVR).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("mark namespace %s: %w", name, err)
	}
	return nil
}

// CreateLoadBalancerService creates a Service of type LoadBalancer like the
// one Istio makes for a Gateway; it has no address until SetLoadBalancerIngress.
func (e *Env) CreateLoadBalancerService(ctx context.Context, namespace, name string) error {
	svc := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": name, "namespace": namespace},
		"spec": map[string]any{
			"type":     "LoadBalancer",
			"selector": map[string]any{"gateway.networking.k8s.io/gateway-name": name},
			"ports": []any{
				map[string]any{"name": "http", "port": int64(80), "protocol": "TCP"},
			},
		},
	}}
	if _, err := e.Dynamic().Resource(ServiceGVR).Namespace(namespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create Service %s/%s: %w", namespace, name, err)
	}
	return nil
}

// SetLoadBalancerIngress sets status.loadBalancer.ingress through the status
// subresource, as a cloud load-balancer controller would. Each address that
// parses as an IP becomes an ip entry, anything else a hostname entry; no
// addresses clears the status.
func (e *Env) SetLoadBalancerIngress(ctx context.Context, namespace, name string, addresses ...string) error {
	client := e.Dynamic().Resource(ServiceGVR).Namespace(namespace)
	svc, err := client.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("get Service %s/%s: %w", namespace, name, err)
	}
	ingress := make([]any, 0, len(addresses))
	for _, a := range addresses {
		if _, err := netip.ParseAddr(a); err == nil {
			ingress = append(ingress, map[string]any{"ip": a, "ipMode": "VIP"})
		} else {
			ingress = append(ingress, map[string]any{"hostname": a})
		}
	}
	if err := unstructured.SetNestedSlice(svc.Object, ingress, "status", "loadBalancer", "ingress"); err != nil {
		return err
	}
	if _, err := client.UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("set load balancer status of Service %s/%s: %w", namespace, name, err)
	}
	return nil
}

// CreateDeployment creates a Deployment asking for replicas pods. Nothing
// runs them: its status stays empty until SetDeploymentStatus.
func (e *Env) CreateDeployment(ctx context.Context, namespace, name string, replicas int64) error {
	labels := map[string]any{"gateway.networking.k8s.io/gateway-name": name}
	dep := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": namespace},
		"spec": map[string]any{
			"replicas": replicas,
			"selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{
				"metadata": map[string]any{"labels": labels},
				"spec": map[string]any{"containers": []any{
					map[string]any{"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.28.0"},
				}},
			},
		},
	}}
	if _, err := e.Dynamic().Resource(DeploymentGVR).Namespace(namespace).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create Deployment %s/%s: %w", namespace, name, err)
	}
	return nil
}

// SetDeploymentStatus reports replicas pods of which ready are ready, through
// the status subresource, as the deployment controller would.
func (e *Env) SetDeploymentStatus(ctx context.Context, namespace, name string, replicas, ready int64) error {
	client := e.Dynamic().Resource(DeploymentGVR).Namespace(namespace)
	dep, err := client.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("get Deployment %s/%s: %w", namespace, name, err)
	}
	dep.Object["status"] = map[string]any{
		"observedGeneration": dep.GetGeneration(),
		"replicas":           replicas,
		"updatedReplicas":    replicas,
		"readyReplicas":      ready,
		"availableReplicas":  ready,
	}
	if _, err := client.UpdateStatus(ctx, dep, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("set status of Deployment %s/%s: %w", namespace, name, err)
	}
	return nil
}

// CreateGatewayWorkload creates what Istio would for a Gateway named app in
// namespace: the <app>-istio Deployment (status: replicas/ready) and the
// <app>-istio LoadBalancer Service with the given addresses (none = pending).
func (e *Env) CreateGatewayWorkload(ctx context.Context, namespace, app string, replicas, ready int64, addresses ...string) error {
	name := GatewayWorkloadName(app)
	if err := e.CreateNamespace(ctx, namespace); err != nil {
		return err
	}
	if err := e.CreateDeployment(ctx, namespace, name, replicas); err != nil {
		return err
	}
	if err := e.SetDeploymentStatus(ctx, namespace, name, replicas, ready); err != nil {
		return err
	}
	if err := e.CreateLoadBalancerService(ctx, namespace, name); err != nil {
		return err
	}
	if len(addresses) == 0 {
		return nil
	}
	return e.SetLoadBalancerIngress(ctx, namespace, name, addresses...)
}
