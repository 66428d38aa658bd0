package kubeenv_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

// One env for the whole lifecycle: starting one costs ≈10 s and 430 MB.
func TestEnvLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env, err := kubeenv.Start(ctx)
	require.NoError(t, err)
	stopped := false
	defer func() {
		if !stopped {
			_ = env.Stop()
		}
	}()

	// The kubeconfig file works on its own, as KUBECONFIG would be used.
	cfg, err := clientcmd.BuildConfigFromFlags("", env.KubeconfigPath())
	require.NoError(t, err)
	client, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)

	t.Run("CRDs are served", func(t *testing.T) {
		for _, gvr := range []schema.GroupVersionResource{
			{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"},
			{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"},
			{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "grpcroutes"},
			{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"},
			{Group: "security.istio.io", Version: "v1", Resource: "requestauthentications"},
			{Group: "networking.istio.io", Version: "v1", Resource: "destinationrules"},
		} {
			_, err := client.Resource(gvr).List(ctx, metav1.ListOptions{})
			assert.NoError(t, err, gvr.String())
		}
	})

	t.Run("schemas are enforced", func(t *testing.T) {
		require.NoError(t, env.CreateNamespace(ctx, "schema"))
		route := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
			"metadata": map[string]any{"name": "bad", "namespace": "schema"},
			"spec": map[string]any{"rules": []any{map[string]any{
				"matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "no-slash"}}},
			}}},
		}}
		gvr := schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}
		_, err := client.Resource(gvr).Namespace("schema").Create(ctx, route, metav1.CreateOptions{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "must be an absolute path")
	})

	t.Run("gateway workload fixtures", func(t *testing.T) {
		require.NoError(t, env.CreateGatewayWorkload(ctx, "fixtures", "ingress", 3, 2, "10.1.2.3", "lb.example.com"))
		name := kubeenv.GatewayWorkloadName("ingress")
		assert.Equal(t, "ingress-istio", name)

		svc, err := client.Resource(kubeenv.ServiceGVR).Namespace("fixtures").Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		typ, _, _ := unstructured.NestedString(svc.Object, "spec", "type")
		assert.Equal(t, "LoadBalancer", typ)
		ingress, _, _ := unstructured.NestedSlice(svc.Object, "status", "loadBalancer", "ingress")
		assert.Equal(t, []any{
			map[string]any{"ip": "10.1.2.3", "ipMode": "VIP"},
			map[string]any{"hostname": "lb.example.com"},
		}, ingress)

		dep, err := client.Resource(kubeenv.DeploymentGVR).Namespace("fixtures").Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		ready, _, _ := unstructured.NestedInt64(dep.Object, "status", "readyReplicas")
		replicas, _, _ := unstructured.NestedInt64(dep.Object, "status", "replicas")
		assert.Equal(t, []int64{3, 2}, []int64{replicas, ready})

		require.NoError(t, env.SetLoadBalancerIngress(ctx, "fixtures", name))
		svc, err = client.Resource(kubeenv.ServiceGVR).Namespace("fixtures").Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		ingress, _, _ = unstructured.NestedSlice(svc.Object, "status", "loadBalancer", "ingress")
		assert.Empty(t, ingress)
	})

	t.Run("restart keeps the data and the address", func(t *testing.T) {
		require.NoError(t, env.CreateNamespace(ctx, "before-restart"))
		require.NoError(t, env.Restart(ctx))
		_, err := client.Resource(kubeenv.NamespaceGVR).Get(ctx, "before-restart", metav1.GetOptions{})
		assert.NoError(t, err, "the old client config still reaches the restarted server")
	})

	t.Run("stop removes processes and files", func(t *testing.T) {
		dir := filepath.Dir(env.KubeconfigPath())
		pids := childPIDs(t, dir)
		require.NoError(t, env.Stop())
		stopped = true
		_, err := os.Stat(dir)
		assert.True(t, os.IsNotExist(err), "temp dir %s removed", dir)
		for _, pid := range pids {
			assert.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "process %d gone", pid)
		}
		assert.NoError(t, env.Stop(), "second Stop is a no-op")
	})
}

// childPIDs finds processes whose command line mentions the env's temp dir.
func childPIDs(t *testing.T, dir string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var pids []int
	for _, ent := range entries {
		var pid int
		if _, err := fmt.Sscan(ent.Name(), &pid); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(dir)) {
			pids = append(pids, pid)
		}
	}
	require.Len(t, pids, 2, "etcd and kube-apiserver run from %s", dir)
	return pids
}

func TestStartExplainsMissingAPIServer(t *testing.T) {
	t.Setenv("KUBE_APISERVER", filepath.Join(t.TempDir(), "absent"))
	_, err := kubeenv.Start(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make kube-apiserver")
}
