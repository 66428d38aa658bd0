package kube_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

// An API server that cannot be reached or cannot answer in time is told
// apart from one that refuses: only the first is for the next hook to
// retry without the operator.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	ctx := kubeenv.TestContext(t)
	cfg := env.RESTConfig()
	cfg.Host = "https://127.0.0.1:1" // nothing listens there
	gone, err := kube.NewApplier(cfg, kube.Options{FieldManager: "istio-ingress", Instance: "gone", Deployment: "gone", Model: "gone", Scopes: resource.Scopes()})
	require.NoError(t, err)
	_, _, refused := gone.LoadBalancerAddress(ctx, "gone", "gone")
	require.Error(t, refused)

	gr := schema.GroupResource{Group: "gateway.networking.k8s.io", Resource: "httproutes"}
	unavailable := map[string]error{
		"connection refused": refused,
		"budget spent":       fmt.Errorf("listing: %w", context.DeadlineExceeded),
		"timeout":            apierrors.NewTimeoutError("slow", 1),
		"server timeout":     apierrors.NewServerTimeout(gr, "list", 1),
		"throttled":          apierrors.NewTooManyRequests("slow down", 1),
		"shutting down":      apierrors.NewServiceUnavailable("shutting down"),
	}
	for name, err := range unavailable {
		assert.True(t, kube.Unavailable(fmt.Errorf("reading: %w", err)), name)
	}
	operators := map[string]error{
		"forbidden": apierrors.NewForbidden(gr, "r", errors.New("no RBAC")),
		"invalid":   apierrors.NewInvalid(schema.GroupKind{Group: gr.Group, Kind: "HTTPRoute"}, "r", nil),
		"not found": apierrors.NewNotFound(gr, "r"),
		"other":     errors.New("no KUBECONFIG and not in a pod"),
	}
	for name, err := range operators {
		assert.False(t, kube.Unavailable(err), name)
	}
}
