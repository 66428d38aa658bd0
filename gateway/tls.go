package gateway

import (
	"cmp"
	"math"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/resource"
)

func (t TLS) secretName(app string) string {
	if t.SecretName != "" {
		return t.SecretName
	}
	return TLSSecretName(app)
}

// tlsSecretObject is the Secret the HTTPS listeners present.
func tlsSecretObject(in *Input) map[string]any {
	s := corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: resource.KindSecret.GroupVersion().String(), Kind: resource.KindSecret.Kind},
		ObjectMeta: metav1.ObjectMeta{Name: in.TLS.secretName(in.App), Namespace: in.Model},
		Type:       corev1.SecretTypeTLS,
		StringData: map[string]string{corev1.TLSCertKey: in.TLS.Certificate, corev1.TLSPrivateKeyKey: in.TLS.Key},
	}
	return toMap(&s)
}

// ServedHostnames lists the hostnames the plan's routes are served at,
// each once: with the gateway's address, the names its certificate must
// carry. The oldest relation's come first (each relation's sorted), so
// that a certificate with room for fewer names keeps the incumbents'.
func (p Plan) ServedHostnames() []string {
	type owned struct {
		relation int
		host     string
	}
	var names []owned
	for _, obj := range p.Objects {
		if k := obj.GetKind(); k != resource.KindHTTPRoute.Kind && k != resource.KindGRPCRoute.Kind {
			continue
		}
		oldest := math.MaxInt
		for _, r := range p.Owners[resource.IDOf(obj)] {
			oldest = min(oldest, r.ID.ID)
		}
		hosts, _, _ := unstructured.NestedStringSlice(obj.Object, "spec", "hostnames")
		for _, h := range hosts {
			names = append(names, owned{oldest, h})
		}
	}
	slices.SortFunc(names, func(a, b owned) int {
		return cmp.Or(cmp.Compare(a.relation, b.relation), cmp.Compare(a.host, b.host))
	})
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if !seen[n.host] {
			seen[n.host] = true
			out = append(out, n.host)
		}
	}
	return out
}
