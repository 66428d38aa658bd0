// Package gatewaymetadata is the wire format of the gateway_metadata
// interface, provider side: the one "metadata" key that tells a requirer
// which Gateway, Deployment and ServiceAccount serve it; it imports only the
// standard library.
package gatewaymetadata

import "encoding/json"

// KeyMetadata is the provider app-bag key.
const KeyMetadata = "metadata"

// Metadata names the gateway's Kubernetes objects.
type Metadata struct {
	Namespace      string `json:"namespace"`
	GatewayName    string `json:"gateway_name"`
	DeploymentName string `json:"deployment_name"`
	ServiceAccount string `json:"service_account"`
}

// Bag is the provider application bag carrying m.
func (m Metadata) Bag() map[string]string {
	body, _ := json.Marshal(m) // four strings: cannot fail
	return map[string]string{KeyMetadata: string(body)}
}
