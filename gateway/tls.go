package gateway

import (
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
// sorted, each once: with the gateway's address, the names its
// certificate must carry.
func (p Plan) ServedHostnames() []string {
	var out []string
	for _, obj := range p.Objects {
		if k := obj.GetKind(); k != resource.KindHTTPRoute.Kind && k != resource.KindGRPCRoute.Kind {
			continue
		}
		hosts, _, _ := unstructured.NestedStringSlice(obj.Object, "spec", "hostnames")
		out = append(out, hosts...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
