package kube

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	serviceGVR    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	deploymentGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
)

// LoadBalancerAddress returns the external address of a LoadBalancer Service:
// the first ingress entry's hostname, else its IP. With no address yet (or
// no Service) it returns "" and a reason fit for a status message; err is
// only for failures to ask.
func (a *Applier) LoadBalancerAddress(ctx context.Context, namespace, name string) (address, reason string, err error) {
	svc, err := a.client.Resource(serviceGVR).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", fmt.Sprintf("Service %s/%s not found", namespace, name), nil
	}
	if err != nil {
		return "", "", fmt.Errorf("get Service %s/%s: %w", namespace, name, err)
	}
	ingress, _, _ := unstructured.NestedSlice(svc.Object, "status", "loadBalancer", "ingress")
	for _, entry := range ingress {
		m, _ := entry.(map[string]any)
		if h, _ := m["hostname"].(string); h != "" {
			return h, "", nil
		}
		if ip, _ := m["ip"].(string); ip != "" {
			return ip, "", nil
		}
	}
	return "", fmt.Sprintf("Service %s/%s has no load balancer address yet", namespace, name), nil
}

// DeploymentReady reports whether every replica a Deployment reports is
// ready (status.readyReplicas == status.replicas). A Deployment that reports
// no replicas while wanting some is not ready: nothing serves yet. When not
// ready, reason says why in a form fit for a status message.
func (a *Applier) DeploymentReady(ctx context.Context, namespace, name string) (ready bool, reason string, err error) {
	dep, err := a.client.Resource(deploymentGVR).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, fmt.Sprintf("Deployment %s/%s not found", namespace, name), nil
	}
	if err != nil {
		return false, "", fmt.Errorf("get Deployment %s/%s: %w", namespace, name, err)
	}
	wanted, found, _ := unstructured.NestedInt64(dep.Object, "spec", "replicas")
	if !found {
		wanted = 1 // the API default
	}
	replicas, _, _ := unstructured.NestedInt64(dep.Object, "status", "replicas")
	readyReplicas, _, _ := unstructured.NestedInt64(dep.Object, "status", "readyReplicas")
	switch {
	case replicas == 0 && wanted > 0:
		return false, fmt.Sprintf("Deployment %s/%s has no replicas yet (wants %d)", namespace, name, wanted), nil
	case readyReplicas != replicas:
		return false, fmt.Sprintf("Deployment %s/%s has %d/%d replicas ready", namespace, name, readyReplicas, replicas), nil
	}
	return true, "", nil
}

var namespaceGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// NamespaceValues maps every namespace that carries key, as an annotation
// or else a label, to its value: how a caller learns which namespaces a
// system such as Juju has marked as its own. Listed in pages.
func (a *Applier) NamespaceValues(ctx context.Context, key string) (map[string]string, error) {
	out := map[string]string{}
	opts := metav1.ListOptions{Limit: 500}
	for {
		list, err := a.client.Resource(namespaceGVR).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list namespaces: %w", err)
		}
		for _, ns := range list.Items {
			v, ok := ns.GetAnnotations()[key]
			if !ok {
				v, ok = ns.GetLabels()[key]
			}
			if ok {
				out[ns.GetName()] = v
			}
		}
		if opts.Continue = list.GetContinue(); opts.Continue == "" {
			return out, nil
		}
	}
}
