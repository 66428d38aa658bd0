package charm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type endpoint struct {
	Interface string `yaml:"interface"`
	Optional  bool   `yaml:"optional"`
	Limit     int    `yaml:"limit"`
}

type metadata struct {
	Name       string   `yaml:"name"`
	Summary    string   `yaml:"summary"`
	Desc       string   `yaml:"description"`
	Assumes    []string `yaml:"assumes"`
	Containers map[string]struct {
		Resource string `yaml:"resource"`
	} `yaml:"containers"`
	Resources map[string]struct {
		Type           string `yaml:"type"`
		UpstreamSource string `yaml:"upstream-source"`
	} `yaml:"resources"`
	Peers    map[string]endpoint `yaml:"peers"`
	Provides map[string]endpoint `yaml:"provides"`
	Requires map[string]endpoint `yaml:"requires"`
}

// checkMetadata compares metadata.yaml with the reference charm's: same
// name, endpoints, interfaces and limits, so existing deployments and
// integrations keep working when the charm is swapped.
func checkMetadata(t *testing.T, path string) {
	var md metadata
	readYAML(t, path, &md)

	assert.Equal(t, "istio-ingress-k8s", md.Name)
	assert.NotEmpty(t, md.Summary)
	assert.NotEmpty(t, md.Desc)
	assert.Equal(t, []string{"k8s-api", "juju >= 3.6"}, md.Assumes)

	require.Contains(t, md.Containers, "metrics-proxy")
	res := md.Containers["metrics-proxy"].Resource
	assert.Equal(t, "metrics-proxy-image", res)
	require.Contains(t, md.Resources, res)
	assert.Equal(t, "oci-image", md.Resources[res].Type)
	assert.Equal(t, "docker.io/ubuntu/metrics-proxy:0.1.1-22.04_stable", md.Resources[res].UpstreamSource)

	assert.Equal(t, map[string]endpoint{"peers": {Interface: "istio_ingress_k8s_peers"}}, md.Peers)
	assert.Equal(t, map[string]endpoint{
		"ingress":                             {Interface: "ingress", Optional: true},
		"ingress-unauthenticated":             {Interface: "ingress", Optional: true},
		"metrics-endpoint":                    {Interface: "prometheus_scrape", Optional: true},
		"istio-ingress-config":                {Interface: "istio_ingress_config", Optional: true, Limit: 1},
		"istio-ingress-route":                 {Interface: "istio_ingress_route", Optional: true},
		"istio-ingress-route-unauthenticated": {Interface: "istio_ingress_route", Optional: true},
		"gateway-metadata":                    {Interface: "gateway_metadata", Optional: true},
		"istio-request-auth":                  {Interface: "istio_request_auth", Optional: true},
	}, md.Provides)
	assert.Equal(t, map[string]endpoint{
		"certificates":     {Interface: "tls-certificates", Optional: true, Limit: 1},
		"charm-tracing":    {Interface: "tracing", Optional: true, Limit: 1},
		"forward-auth":     {Interface: "forward_auth", Optional: true, Limit: 1},
		"upstream-ingress": {Interface: "ingress", Optional: true, Limit: 1},
	}, md.Requires)
}

type option struct {
	Type        string `yaml:"type"`
	Default     any    `yaml:"default"`
	Description string `yaml:"description"`
}

// checkConfig compares config.yaml with the reference charm's options, whose
// names (note external_hostname's underscore) users already set, plus the
// options this charm adds.
func checkConfig(t *testing.T, path string) {
	var cfg struct {
		Options map[string]option `yaml:"options"`
	}
	readYAML(t, path, &cfg)

	want := map[string]option{
		"ready-timeout":                 {Type: "int", Default: 100},
		"external_hostname":             {Type: "string", Default: nil},
		"external-traffic-policy-cidrs": {Type: "string", Default: "0.0.0.0/0"},
		// Added: which namespaces requirers may be served in.
		"allowed-namespaces": {Type: "string", Default: ""},
	}
	require.Len(t, cfg.Options, len(want))
	for name, w := range want {
		got, ok := cfg.Options[name]
		require.True(t, ok, "option %s", name)
		assert.Equal(t, w.Type, got.Type, name)
		assert.Equal(t, w.Default, got.Default, name)
		assert.NotEmpty(t, got.Description, name)
	}
}
