package kube_test

import (
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/canonical/istio-ingress-k8s-go/kube"
	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

// env is the API server every test in this package shares.
var env *kubeenv.Env

func TestMain(m *testing.M) { kubeenv.Main(m, &env) }

// requestCounter counts requests by HTTP method.
type requestCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *requestCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		c.mu.Lock()
		c.counts[r.Method]++
		c.mu.Unlock()
		return rt.RoundTrip(r)
	})
}

func (c *requestCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	c.counts = map[string]int{}
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// countingConfig returns a client config for e whose requests are counted.
func countingConfig(e *kubeenv.Env) (*rest.Config, *requestCounter) {
	c := &requestCounter{counts: map[string]int{}}
	cfg := e.RESTConfig()
	cfg.WrapTransport = c.wrap
	return cfg, c
}

func newApplier(t testing.TB, e *kubeenv.Env, instance string) (*kube.Applier, *requestCounter) {
	t.Helper()
	cfg, counter := countingConfig(e)
	a, err := kube.NewApplier(cfg, kube.Options{FieldManager: "istio-ingress", Instance: instance, Deployment: instance, Model: instance, Scopes: resource.Scopes()})
	require.NoError(t, err)
	return a, counter
}

// distinctKinds is how many kinds the scope table lists (one list request each).
func distinctKinds() int {
	seen := map[resource.Kind]bool{}
	for _, s := range resource.Scopes() {
		for _, k := range s.Kinds {
			seen[k] = true
		}
	}
	return len(seen)
}

// liveObjects names every object of a managed kind carrying instance, as
// "Kind namespace/name scope", sorted.
func liveObjects(t testing.TB, e *kubeenv.Env, instance string) []string {
	t.Helper()
	ctx := kubeenv.TestContext(t)
	seen := map[resource.Kind]bool{}
	var out []string
	for _, s := range resource.Scopes() {
		for _, k := range s.Kinds {
			if seen[k] {
				continue
			}
			seen[k] = true
			list, err := e.Dynamic().Resource(k.GroupVersionResource).List(ctx, metav1.ListOptions{LabelSelector: resource.LabelInstance + "=" + instance})
			if apierrors.IsNotFound(err) {
				continue // the cluster does not serve this kind
			}
			require.NoError(t, err)
			for _, item := range list.Items {
				out = append(out, k.Kind+" "+item.GetNamespace()+"/"+item.GetName()+" "+item.GetLabels()[resource.LabelScope])
			}
		}
	}
	sort.Strings(out)
	return out
}
