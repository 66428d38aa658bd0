package kube_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

func TestLoadBalancerAddress(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	const ns = "lb-address"
	require.NoError(t, env.CreateNamespace(ctx, ns))
	a, _ := newApplier(t, env, "lb-istio-ingress")

	tests := []struct {
		service    string
		create     bool
		addresses  []string
		want       string
		wantReason string
	}{
		{service: "absent", wantReason: "Service lb-address/absent not found"},
		{service: "pending", create: true, wantReason: "Service lb-address/pending has no load balancer address yet"},
		{service: "ip", create: true, addresses: []string{"10.1.1.1"}, want: "10.1.1.1"},
		{service: "ipv6", create: true, addresses: []string{"fd00::1"}, want: "fd00::1"},
		{service: "hostname", create: true, addresses: []string{"lb.example.com"}, want: "lb.example.com"},
		{service: "first-entry-wins", create: true, addresses: []string{"10.2.2.2", "lb.example.com"}, want: "10.2.2.2"},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			if tt.create {
				require.NoError(t, env.CreateLoadBalancerService(ctx, ns, tt.service))
			}
			if len(tt.addresses) > 0 {
				require.NoError(t, env.SetLoadBalancerIngress(ctx, ns, tt.service, tt.addresses...))
			}
			got, reason, err := a.LoadBalancerAddress(ctx, ns, tt.service)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantReason, reason)
		})
	}
}

func TestDeploymentReady(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	const ns = "deployment-ready"
	require.NoError(t, env.CreateNamespace(ctx, ns))
	a, _ := newApplier(t, env, "ready-istio-ingress")

	tests := []struct {
		name            string
		create          bool
		wants           int64
		status          bool
		replicas, ready int64
		wantReady       bool
		wantReason      string
	}{
		{name: "missing", wantReason: "Deployment deployment-ready/missing not found"},
		{name: "no-status", create: true, wants: 2, wantReason: "Deployment deployment-ready/no-status has no replicas yet (wants 2)"},
		{name: "partly-ready", create: true, wants: 3, status: true, replicas: 3, ready: 2, wantReason: "Deployment deployment-ready/partly-ready has 2/3 replicas ready"},
		{name: "ready", create: true, wants: 3, status: true, replicas: 3, ready: 3, wantReady: true},
		{name: "scaled-to-zero", create: true, wants: 0, wantReady: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.create {
				require.NoError(t, env.CreateDeployment(ctx, ns, tt.name, tt.wants))
			}
			if tt.status {
				require.NoError(t, env.SetDeploymentStatus(ctx, ns, tt.name, tt.replicas, tt.ready))
			}
			ready, reason, err := a.DeploymentReady(ctx, ns, tt.name)
			require.NoError(t, err)
			assert.Equal(t, tt.wantReady, ready)
			assert.Equal(t, tt.wantReason, reason)
		})
	}
}

func TestGatewayWorkloadFixtureReads(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	a, _ := newApplier(t, env, "workload-istio-ingress")
	require.NoError(t, env.CreateGatewayWorkload(ctx, "workload", "istio-ingress", 2, 2, "203.0.113.7"))

	addr, _, err := a.LoadBalancerAddress(ctx, "workload", "istio-ingress-istio")
	require.NoError(t, err)
	assert.Equal(t, "203.0.113.7", addr)
	ready, _, err := a.DeploymentReady(ctx, "workload", "istio-ingress-istio")
	require.NoError(t, err)
	assert.True(t, ready)
}

// Juju marks a model's namespace with the model's UUID, as an annotation
// and, on newer Juju, a label too; unmarked namespaces are left out.
func TestNamespaceValues(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	a, _ := newApplier(t, env, "ns-values-istio-ingress")
	const key = "model.juju.is/id"
	marks := map[string]struct{ annotations, labels map[string]string }{
		"nsv-annotated": {annotations: map[string]string{key: "uuid-a"}},
		"nsv-labelled":  {labels: map[string]string{key: "uuid-b"}},
		"nsv-both":      {annotations: map[string]string{key: "uuid-c"}, labels: map[string]string{key: "uuid-label"}},
		"nsv-other":     {annotations: map[string]string{"other.example.com/id": "x"}},
	}
	for ns, m := range marks {
		require.NoError(t, env.CreateNamespace(ctx, ns))
		require.NoError(t, env.MarkNamespace(ctx, ns, m.annotations, m.labels))
	}
	got, err := a.NamespaceValues(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, "uuid-a", got["nsv-annotated"])
	assert.Equal(t, "uuid-b", got["nsv-labelled"])
	assert.Equal(t, "uuid-c", got["nsv-both"], "the annotation wins")
	assert.NotContains(t, got, "nsv-other")
	assert.NotContains(t, got, "default")
}
