package prometheus_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/prometheus"
)

var topo = prometheus.Topology{Model: "cos-lite", ModelUUID: "c2e9f4d5-dcb3-4870-8509-330eb9745ee8",
	App: "istio-ingress-k8s", Unit: "istio-ingress-k8s/0", Charm: "istio-ingress-k8s"}

func TestAppBagIsWhatTheConsumerReads(t *testing.T) {
	t.Parallel()
	bag, err := prometheus.AppBag(topo)
	require.NoError(t, err)
	assert.Equal(t, `[{"static_configs": [{"targets": ["*:15090"]}]}]`, bag["scrape_jobs"])
	assert.Equal(t, `{"model": "cos-lite", "model_uuid": "c2e9f4d5-dcb3-4870-8509-330eb9745ee8", "application": "istio-ingress-k8s", "unit": "istio-ingress-k8s/0", "charm_name": "istio-ingress-k8s"}`,
		bag["scrape_metadata"])

	// Decoded as the consumer's schema does: groups of rules with alert,
	// expr, for, labels and annotations.
	var rules struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Alert, Expr, For string
				Labels           map[string]string
				Annotations      map[string]string
			} `json:"rules"`
		} `json:"groups"`
	}
	require.NoError(t, json.Unmarshal([]byte(bag["alert_rules"]), &rules))
	var names []string
	for _, g := range rules.Groups {
		names = append(names, g.Name)
		for _, r := range g.Rules {
			assert.Equal(t, "5m", r.For, r.Alert)
			assert.NotEmpty(t, r.Labels["severity"], r.Alert)
			assert.Equal(t, "cos-lite", r.Labels["juju_model"], r.Alert)
			assert.Equal(t, "istio-ingress-k8s", r.Labels["juju_application"], r.Alert)
			assert.Equal(t, topo.ModelUUID, r.Labels["juju_model_uuid"], r.Alert)
			assert.Equal(t, "istio-ingress-k8s", r.Labels["juju_charm"], r.Alert)
			assert.NotContains(t, r.Expr, "%%", r.Alert)
			assert.Contains(t, r.Expr, `{juju_application="istio-ingress-k8s",juju_model="cos-lite",juju_model_uuid="c2e9f4d5-dcb3-4870-8509-330eb9745ee8"`, r.Alert)
			assert.NotEmpty(t, r.Annotations["summary"], r.Alert)
		}
	}
	assert.Equal(t, []string{
		"cos_lite_c2e9f4d5_istio_ingress_k8s_IstioAgentMonitoring_alerts",
		"cos_lite_c2e9f4d5_istio_ingress_k8s_EnvoyClusterMonitoring_alerts",
		"cos_lite_c2e9f4d5_istio_ingress_k8s_EnvoyErrorMonitoring_alerts",
		"cos_lite_c2e9f4d5_istio_ingress_k8s_HostHealth_alerts",
	}, names)
}

func TestTheRulesAreTheReferenceCharmsPlusHostHealth(t *testing.T) {
	t.Parallel()
	rules, err := prometheus.AlertRules(topo)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"HighCPUUsage", "HighErrorRate", "HighMemoryUsage", "HighOutgoingLatency", "HostDown", "HostMetricsMissing",
		"Http2FlushTimeout", "LocalClusterNotHealthy", "LongStartupDuration", "NoSuccessfulScrapes",
		"OriginalDestinationHostInvalid", "ResourceExhaustion", "XDSProxyMismatch", "ZoneNoCapacityLeft",
	}, rules.AlertNames())
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "HostMetricsMissing" {
				assert.Equal(t, `absent(up{juju_application="istio-ingress-k8s",juju_model="cos-lite",juju_model_uuid="c2e9f4d5-dcb3-4870-8509-330eb9745ee8"})`, r.Expr)
			}
		}
	}
}

func TestUnitBag(t *testing.T) {
	t.Parallel()
	assert.Equal(t, map[string]string{
		"prometheus_scrape_unit_name":    "istio-ingress-k8s/1",
		"prometheus_scrape_unit_address": "10.1.2.3",
		"prometheus_scrape_unit_fqdn":    "istio-ingress-k8s-1.istio-ingress-k8s-endpoints.cos.svc.cluster.local",
	}, prometheus.UnitBag("istio-ingress-k8s/1", "10.1.2.3", "istio-ingress-k8s-1.istio-ingress-k8s-endpoints.cos.svc.cluster.local"))
}

func TestEverySelectorInTheFileTakesTheTopology(t *testing.T) {
	t.Parallel()
	// A selector without the placeholder would match every application's
	// metrics: each metric name in an expression must be followed by it.
	for _, line := range strings.Split(string(prometheus.RulesFile()), "\n") {
		expr, ok := strings.CutPrefix(strings.TrimSpace(line), "expr: ")
		if !ok {
			continue
		}
		assert.Equal(t, strings.Count(expr, "{"), strings.Count(expr, "{%%juju_topology%%"), expr)
	}
}
