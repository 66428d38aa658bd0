// Package ingressconfig is the wire format of the istio_ingress_config
// interface, provider side (the requirer is istio-k8s); it may import
// relation/wire and the standard library only.
// ProviderBag tells istio-k8s which ext-authz service to register as a
// mesh extension provider, ClearBag withdraws it in the form istio-k8s
// recognises, and ProviderName reads the name istio-k8s registered it
// under. It does no I/O.
package ingressconfig

import (
	"strconv"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// Databag keys.
const (
	KeyServiceName        = "ext_authz_service_name"
	KeyPort               = "ext_authz_port"
	KeyIncludeHeaders     = "include_headers_in_check"
	KeyUpstreamOnAllow    = "headers_to_upstream_on_allow"
	KeyDownstreamOnAllow  = "headers_to_downstream_on_allow"
	KeyDownstreamOnDeny   = "headers_to_downstream_on_deny"
	KeyProviderName       = "ext_authz_provider_name"
	maxProviderNameLength = 253
	clearServiceName      = "fake_host"
	clearPort             = "5432"
)

// Header lists the Python charm publishes (reference §1.3).
func defaultIncludeHeaders() []string {
	return []string{"authorization", "cookie", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-uri", "x-forwarded-prefix"}
}

func defaultUpstreamOnAllow() []string {
	return []string{"authorization", "path", "x-auth-request-user", "x-auth-request-email", "x-auth-request-access-token"}
}

// ExtAuthz is the authorisation service istio-k8s registers.
type ExtAuthz struct {
	Service string
	Port    int
	// UpstreamHeaders are copied from an allowing answer onto the request;
	// empty means the defaults.
	UpstreamHeaders []string
}

// ProviderBag is the bag that registers e.
func ProviderBag(e ExtAuthz) map[string]string {
	upstream := e.UpstreamHeaders
	if len(upstream) == 0 {
		upstream = defaultUpstreamOnAllow()
	}
	return map[string]string{
		KeyServiceName:       e.Service,
		KeyPort:              strconv.Itoa(e.Port),
		KeyIncludeHeaders:    wire.PyStrings(defaultIncludeHeaders()),
		KeyUpstreamOnAllow:   wire.PyStrings(upstream),
		KeyDownstreamOnAllow: wire.PyStrings([]string{"set-cookie"}),
		KeyDownstreamOnDeny:  wire.PyStrings([]string{"content-type", "set-cookie"}),
	}
}

// ClearBag withdraws the provider: istio-k8s drops it when it sees this
// service and port (deleted keys do not always reach a remote model).
func ClearBag() map[string]string {
	return map[string]string{KeyServiceName: clearServiceName, KeyPort: clearPort}
}

// ProviderName is the extension provider istio-k8s registered, "" until it
// has answered. A name no policy could carry is no answer.
func ProviderName(bag map[string]string) string {
	name := strings.TrimSpace(bag[KeyProviderName])
	if len(name) > maxProviderNameLength || wire.HasControl(name) {
		return ""
	}
	return name
}
