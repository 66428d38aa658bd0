package workload

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// The layer is reference §9's, plus the gateway-readiness check, which has
// no level so that Juju's container probes never depend on the gateway.
func TestLayerYAML(t *testing.T) {
	got, err := LayerYAML(Spec{Model: "cos", App: "istio-ingress-k8s"})
	require.NoError(t, err)
	assert.Equal(t, `summary: Metrics Broadcast Proxy Layer
description: Pebble layer for the metrics broadcast proxy
services:
    metrics-proxy:
        override: replace
        summary: Metrics Broadcast Proxy
        command: metrics-proxy
        startup: enabled
        environment:
            POD_LABEL_SELECTOR: charms.canonical.com/cos.istio-ingress-k8s.telemetry=aggregated
checks:
    gateway-ready:
        override: replace
        period: 5s
        timeout: 3s
        threshold: 3
        http:
            url: http://istio-ingress-k8s-istio.cos.svc:15021/healthz/ready
`, string(got))
}

func TestInPlaceComparesOnlyWhatTheCharmSets(t *testing.T) {
	want := desiredLayer(Spec{Model: "m", App: "a"})
	// Pebble's plan holds other layers' services and fields the charm does
	// not set; they do not matter.
	withOthers := desiredLayer(Spec{Model: "m", App: "a"})
	withOthers.Services["other"] = service{Command: "x"}
	plan, err := yaml.Marshal(withOthers)
	require.NoError(t, err)
	plan = append(plan, "log-targets: {}\n"...)
	ok, err := inPlace(plan, want)
	require.NoError(t, err)
	assert.True(t, ok)

	other, err := LayerYAML(Spec{Model: "m2", App: "a"})
	require.NoError(t, err)
	ok, err = inPlace(other, want)
	require.NoError(t, err)
	assert.False(t, ok)

	ok, err = inPlace([]byte("{}\n"), want)
	require.NoError(t, err)
	assert.False(t, ok, "an empty plan (a restarted container) needs the layer")
}
