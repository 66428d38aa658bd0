package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsDiscovery(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/api", true},
		{"/api/v1", true},
		{"/apis", true},
		{"/apis/gateway.networking.k8s.io", true},
		{"/apis/gateway.networking.k8s.io/v1/", true},
		{"/openapi/v3", true},
		{"/version", true},
		{"/api/v1/namespaces/m/services/gw-istio", false},
		{"/apis/apps/v1/namespaces/m/deployments/gw-istio", false},
		{"/apis/gateway.networking.k8s.io/v1/httproutes", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, isDiscovery(tt.path), tt.path)
	}
}
