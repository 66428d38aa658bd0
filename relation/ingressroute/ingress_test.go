package ingressroute

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIngressURLs(t *testing.T) {
	httpL := Listener{Port: 80, Protocol: ProtocolHTTP}
	apiL := Listener{Port: 3200, Protocol: ProtocolHTTP}
	grpcL := Listener{Port: 9096, Protocol: ProtocolGRPC}
	tlsL := Listener{Port: 443, Protocol: ProtocolHTTP}
	tests := []struct {
		name     string
		ing      Ingress
		url      string
		listener Listener
		lurl     string
	}{
		{"not served", Ingress{TLSEnabled: true}, "", apiL, ""},
		{"plain host, default port", Ingress{ExternalHost: "foo.bar"}, "http://foo.bar", httpL, "http://foo.bar"},
		{"plain host, other port", Ingress{ExternalHost: "foo.bar"}, "http://foo.bar", apiL, "http://foo.bar:3200"},
		{"tls default port", Ingress{ExternalHost: "foo.bar", TLSEnabled: true}, "https://foo.bar", tlsL, "https://foo.bar"},
		{"tls on port 80 keeps it", Ingress{ExternalHost: "foo.bar", TLSEnabled: true}, "https://foo.bar", httpL, "https://foo.bar:80"},
		{"grpc listener", Ingress{ExternalHost: "10.1.2.3", TLSEnabled: true}, "https://10.1.2.3", grpcL, "https://10.1.2.3:9096"},
		{"ipv6", Ingress{ExternalHost: "2001:db8::1"}, "http://[2001:db8::1]", apiL, "http://[2001:db8::1]:3200"},
		{"chained with path", Ingress{ExternalHost: "up.example/some-path"}, "http://up.example/some-path", apiL,
			"http://up.example:3200/some-path"},
		{"chained with port", Ingress{ExternalHost: "up.example:8443/p", TLSEnabled: true}, "https://up.example:8443/p", apiL,
			"https://up.example:8443/p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.url, tt.ing.URL())
			assert.Equal(t, tt.lurl, tt.ing.ListenerURL(tt.listener))
		})
	}
}

func TestIngressBags(t *testing.T) {
	assert.Equal(t, map[string]string{KeyExternalHost: "h", KeyTLSEnabled: "True"},
		Ingress{ExternalHost: "h", TLSEnabled: true}.Bag())
	assert.Equal(t, map[string]string{KeyExternalHost: "", KeyTLSEnabled: "False"}, Ingress{}.Bag(),
		"an empty host deletes the key, as the library never writes one")
	assert.Equal(t, Ingress{ExternalHost: "h", TLSEnabled: true},
		IngressFromBag(map[string]string{KeyExternalHost: "h", KeyTLSEnabled: "True"}))
	assert.Equal(t, Ingress{}, IngressFromBag(nil))
	assert.Equal(t, "True", FormatBool(true))
	assert.False(t, ParseBool("TRUE"))
}
