package snapshot

import (
	"github.com/canonical/istio-ingress-k8s-go/gateway"
)

// EndpointCertificates is the tls-certificates requirer endpoint (limit 1).
const EndpointCertificates = "certificates"

// tlsInput is the planner's TLS input: on when the gateway holds a
// certificate to serve.
func (s Snapshot) tlsInput() gateway.TLS {
	if s.Certificate == nil {
		return gateway.TLS{Enabled: s.TLS}
	}
	return gateway.TLS{Enabled: true, Certificate: s.Certificate.CertPEM, Key: s.Certificate.KeyPEM()}
}
