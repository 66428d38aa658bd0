// Package workload keeps the metrics-proxy container's Pebble layer in
// place and reads the gateway-readiness check it carries.
package workload

import (
	"fmt"
	"maps"

	"gopkg.in/yaml.v3"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
)

// Names in the metrics-proxy container.
const (
	// Container is the workload container (metadata.yaml).
	Container = "metrics-proxy"
	// LayerLabel is the label of the charm's layer, the Python charm's.
	LayerLabel = "metrics-proxy"
	// Service is the metrics-proxy service.
	Service = "metrics-proxy"
	// Check probes the gateway's readiness endpoint.
	Check = "gateway-ready"
	// DefaultSocket is where Juju mounts the container's Pebble socket in
	// the charm container.
	DefaultSocket = "/charm/containers/metrics-proxy/pebble.socket"
	// GatewayStatusPort serves Istio's /healthz/ready on every gateway.
	GatewayStatusPort = 15021
)

// The check's timing: a gateway that stops answering is withdrawn after
// threshold×period (15 s), a blip shorter than that is ignored, and a
// recovery is seen at the next probe.
const (
	checkPeriod    = "5s"
	checkTimeout   = "3s"
	checkThreshold = 3
)

// Spec is what the layer depends on.
type Spec struct {
	Model, App string
	// HealthURL overrides the gateway's readiness URL (tests); empty means
	// GatewayHealthURL(Model, App).
	HealthURL string
}

// GatewayHealthURL is the readiness endpoint of the gateway Istio runs for
// app in model, through its Service: ready while any gateway pod is.
func GatewayHealthURL(model, app string) string {
	return fmt.Sprintf("http://%s.%s.svc:%d/healthz/ready", gateway.ManagedName(app), model, GatewayStatusPort)
}

func (s Spec) healthURL() string {
	if s.HealthURL != "" {
		return s.HealthURL
	}
	return GatewayHealthURL(s.Model, s.App)
}

// layer is a Pebble layer with the fields the charm sets. Pebble's own
// plan types are internal, so the charm keeps its own; decoding Pebble's
// plan into them drops what the charm does not set, which is what makes
// the comparison with the plan exact.
type layer struct {
	Summary     string             `yaml:"summary,omitempty"`
	Description string             `yaml:"description,omitempty"`
	Services    map[string]service `yaml:"services,omitempty"`
	Checks      map[string]check   `yaml:"checks,omitempty"`
}

type service struct {
	Override    string            `yaml:"override,omitempty"`
	Summary     string            `yaml:"summary,omitempty"`
	Command     string            `yaml:"command,omitempty"`
	Startup     string            `yaml:"startup,omitempty"`
	Environment map[string]string `yaml:"environment,omitempty"`
}

// check has no level: a level would make Juju's container probes depend
// on the gateway, and an "alive" one would restart the container.
type check struct {
	Override  string    `yaml:"override,omitempty"`
	Period    string    `yaml:"period,omitempty"`
	Timeout   string    `yaml:"timeout,omitempty"`
	Threshold int       `yaml:"threshold,omitempty"`
	HTTP      httpCheck `yaml:"http,omitempty"`
}

type httpCheck struct {
	URL string `yaml:"url"`
}

// desiredLayer is reference §9's layer plus the gateway-readiness check.
func desiredLayer(s Spec) layer {
	return layer{
		Summary:     "Metrics Broadcast Proxy Layer",
		Description: "Pebble layer for the metrics broadcast proxy",
		Services: map[string]service{Service: {
			Override: "replace",
			Summary:  "Metrics Broadcast Proxy",
			Command:  "metrics-proxy",
			Startup:  "enabled",
			Environment: map[string]string{
				"POD_LABEL_SELECTOR": gateway.TelemetryLabelKey(s.Model, s.App) + "=" + gateway.TelemetryLabelValue,
			},
		}},
		Checks: map[string]check{Check: {
			Override:  "replace",
			Period:    checkPeriod,
			Timeout:   checkTimeout,
			Threshold: checkThreshold,
			HTTP:      httpCheck{URL: s.healthURL()},
		}},
	}
}

// LayerYAML is the layer the charm adds, as Pebble receives it.
func LayerYAML(s Spec) ([]byte, error) { return desiredLayer(s).yaml() }

func (l layer) yaml() ([]byte, error) { return yaml.Marshal(l) }

// inPlace reports whether Pebble's plan already holds the charm's service
// and check exactly as desired.
func inPlace(planYAML []byte, want layer) (bool, error) {
	var got layer
	if err := yaml.Unmarshal(planYAML, &got); err != nil {
		return false, fmt.Errorf("decoding Pebble's plan: %w", err)
	}
	svc, ok := got.Services[Service]
	if !ok || !sameService(svc, want.Services[Service]) {
		return false, nil
	}
	chk, ok := got.Checks[Check]
	return ok && chk == want.Checks[Check], nil
}

func sameService(a, b service) bool {
	type fields struct{ override, summary, command, startup string }
	return fields{a.Override, a.Summary, a.Command, a.Startup} == fields{b.Override, b.Summary, b.Command, b.Startup} &&
		maps.Equal(a.Environment, b.Environment)
}
