package ingressconfig

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProviderBagIsWhatIstioK8sReads(t *testing.T) {
	assert.Equal(t, map[string]string{
		"ext_authz_service_name":         "oauth2-proxy.auth.svc.cluster.local",
		"ext_authz_port":                 "4180",
		"include_headers_in_check":       `["authorization", "cookie", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-uri", "x-forwarded-prefix"]`,
		"headers_to_upstream_on_allow":   `["authorization", "path", "x-auth-request-user", "x-auth-request-email", "x-auth-request-access-token"]`,
		"headers_to_downstream_on_allow": `["set-cookie"]`,
		"headers_to_downstream_on_deny":  `["content-type", "set-cookie"]`,
	}, ProviderBag(ExtAuthz{Service: "oauth2-proxy.auth.svc.cluster.local", Port: 4180}))
}

func TestProviderBagCarriesTheProxysHeaders(t *testing.T) {
	bag := ProviderBag(ExtAuthz{Service: "s", Port: 80, UpstreamHeaders: []string{"X-User"}})
	assert.Equal(t, `["X-User"]`, bag["headers_to_upstream_on_allow"])
}

func TestClearBagIsTheFormIstioK8sRecognises(t *testing.T) {
	assert.Equal(t, map[string]string{"ext_authz_service_name": "fake_host", "ext_authz_port": "5432"}, ClearBag())
}

func TestProviderName(t *testing.T) {
	assert.Equal(t, "ext_authz-istio-ingress", ProviderName(map[string]string{"ext_authz_provider_name": "ext_authz-istio-ingress"}))
	assert.Equal(t, "", ProviderName(map[string]string{}))
	assert.Equal(t, "", ProviderName(map[string]string{"ext_authz_provider_name": "a\nb"}))
}
