package forwardauth

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// providerBag is what oauth2-proxy-k8s writes through the library: the
// address as a plain string, lists as JSON.
func providerBag() map[string]string {
	return map[string]string{
		"decisions_address": "http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth",
		"app_names":         `["grafana", "catalogue"]`,
		"headers":           `["X-Auth-Request-User", "X-Auth-Request-Email"]`,
	}
}

func TestDecodeReadsTheLibrarysBag(t *testing.T) {
	c, err := Decode(providerBag())
	require.NoError(t, err)
	assert.Equal(t, &Config{
		DecisionsAddress: "http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth",
		AppNames:         []string{"grafana", "catalogue"},
		Headers:          []string{"X-Auth-Request-User", "X-Auth-Request-Email"},
	}, c)
}

func TestDecodeEmptyBagHasToldNothing(t *testing.T) {
	c, err := Decode(map[string]string{})
	assert.NoError(t, err)
	assert.Nil(t, c)
}

func TestDecodeAcceptsAJSONEncodedAddressAndNoHeaders(t *testing.T) {
	c, err := Decode(map[string]string{"decisions_address": `"http://a:1"`, "app_names": "[]"})
	require.NoError(t, err)
	assert.Equal(t, "http://a:1", c.DecisionsAddress)
	assert.Empty(t, c.Headers)
}

func TestDecodeRefusesWhatTheSchemaRefuses(t *testing.T) {
	tests := []struct {
		name string
		bag  map[string]string
		path string
		kind error
	}{
		{"no address", map[string]string{"app_names": "[]"}, "decisions_address", wire.ErrMissing},
		{"no app names", map[string]string{"decisions_address": "http://a:1"}, "app_names", wire.ErrMissing},
		{"address is a number", map[string]string{"decisions_address": "4180", "app_names": "[]"}, "decisions_address", wire.ErrInvalid},
		{"app names garbage", map[string]string{"decisions_address": "http://a:1", "app_names": "{not json"}, "app_names", wire.ErrInvalid},
		{"app names not strings", map[string]string{"decisions_address": "http://a:1", "app_names": "[1]"}, "app_names[0]", wire.ErrInvalid},
		{"headers null", map[string]string{"decisions_address": "http://a:1", "app_names": "[]", "headers": "null"}, "headers", wire.ErrInvalid},
		{"header with a colon", map[string]string{"decisions_address": "http://a:1", "app_names": "[]", "headers": `["x:y"]`}, "headers[0]", wire.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.bag)
			var fe *wire.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Equal(t, tt.path, fe.Path)
			assert.ErrorIs(t, err, tt.kind)
		})
	}
}

func TestEndpointUsesTheSchemesDefaultPort(t *testing.T) {
	tests := []struct {
		addr string
		host string
		port int
	}{
		{"http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth", "oauth2-proxy.auth.svc.cluster.local", 4180},
		{"http://oauth2-proxy.auth.svc.cluster.local", "oauth2-proxy.auth.svc.cluster.local", 80},
		{"HTTPS://Proxy.Example.com/auth", "proxy.example.com", 443},
		{"http://10.1.2.3:8080", "10.1.2.3", 8080},
	}
	for _, tt := range tests {
		host, port, err := Endpoint(tt.addr)
		require.NoError(t, err, tt.addr)
		assert.Equal(t, tt.host, host, tt.addr)
		assert.Equal(t, tt.port, port, tt.addr)
	}
	for _, bad := range []string{"", "oauth2-proxy:4180", "ftp://a:21", "http://:80", "http://a:0", "http://a:99999", "http://a b:80", "http://-a-:80"} {
		_, _, err := Endpoint(bad)
		assert.Error(t, err, bad)
	}
}

func TestRequirerBagIsTheLibrarysList(t *testing.T) {
	assert.Equal(t, map[string]string{"ingress_app_names": `["catalogue", "grafana"]`},
		RequirerBag([]string{"grafana", "catalogue", "grafana"}))
	assert.Equal(t, map[string]string{"ingress_app_names": `[]`}, RequirerBag(nil))
}
