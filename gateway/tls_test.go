package gateway

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

func TestTLSSecretIsRenderedWithTheCertificate(t *testing.T) {
	in := base("gw", "m")
	in.TLS = TLS{Enabled: true, Certificate: "CHAIN", Key: "KEY"}
	secrets := objectsOf(Build(in), ofKind("Secret"))
	require.Len(t, secrets, 1)
	s := secrets[0]
	assert.Equal(t, "gw-gateway-tls", s.GetName())
	assert.Equal(t, "m", s.GetNamespace())
	assert.Equal(t, "kubernetes.io/tls", s.Object["type"])
	assert.Equal(t, map[string]any{"tls.crt": "CHAIN", "tls.key": "KEY"}, s.Object["stringData"])

	// Enabled without a certificate: the listeners refer to a Secret
	// someone else provides; none is rendered.
	in.TLS = TLS{Enabled: true}
	assert.Empty(t, objectsOf(Build(in), ofKind("Secret")))
	in.TLS = TLS{Certificate: "CHAIN", Key: "KEY"}
	assert.Empty(t, objectsOf(Build(in), ofKind("Secret")), "TLS off: no Secret")
}

func TestServedHostnames(t *testing.T) {
	in := base("gw", "m")
	hr := httpRoute("api", pathMatch(ir.PathMatchPathPrefix, "/a"))
	hr.Hostnames = []string{"b.example.com", "a.example.com"}
	gr := httpRoute("api", pathMatch(ir.PathMatchPathPrefix, "/a"))
	gr.Hostnames = []string{"a.example.com"} // the same match again: refused
	in.Routes = []RouteRequest{
		{Relation: rel("one", "istio-ingress-route", 1), Config: httpConfig(hr)},
		{Relation: rel("two", "istio-ingress-route", 2), Config: httpConfig(gr)},
	}
	plan := Build(in)
	assert.Equal(t, []string{"a.example.com", "b.example.com"}, plan.ServedHostnames())
}

// The older relation's hostnames come first, so that when the certificate
// cannot hold every name, a newer relation's cannot push them out.
func TestServedHostnamesListTheOlderRelationsFirst(t *testing.T) {
	in := base("gw", "m")
	older := httpRoute("api", pathMatch(ir.PathMatchPathPrefix, "/a"))
	older.Hostnames = []string{"z.example.com", "y.example.com"}
	newer := httpRoute("web", pathMatch(ir.PathMatchPathPrefix, "/b"))
	newer.Hostnames = []string{"a.example.com", "y.example.com"}
	in.Routes = []RouteRequest{
		{Relation: rel("newer", "istio-ingress-route", 12), Config: httpConfig(newer)},
		{Relation: rel("older", "istio-ingress-route", 3), Config: httpConfig(older)},
	}
	assert.Equal(t, []string{"y.example.com", "z.example.com", "a.example.com"}, Build(in).ServedHostnames())
}
