// Package rulescheck checks the charm's alert rules with Prometheus's own
// rule-file and PromQL parsers. It is a module of its own so that
// Prometheus's dependencies never reach the charm's build.
package rulescheck

import (
	"log/slog"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/canonical/istio-ingress-k8s-go/relation/prometheus"
)

// TestPublishedRulesArePrometheusRules loads the rules exactly as the
// charm publishes them the way Prometheus loads a rule file, and checks
// that every selector of every expression is confined to the sending
// application.
func TestPublishedRulesArePrometheusRules(t *testing.T) {
	topo := prometheus.Topology{Model: "cos", ModelUUID: "c2e9f4d5-dcb3-4870-8509-330eb9745ee8",
		App: "istio-ingress-k8s", Unit: "istio-ingress-k8s/0", Charm: "istio-ingress-k8s"}
	rules, err := prometheus.AlertRules(topo)
	require.NoError(t, err)
	body, err := yaml.Marshal(rules)
	require.NoError(t, err)

	// Legacy name validation: the strictest, as older Prometheus servers
	// (and Mimir) still apply it.
	pql := parser.NewParser(parser.Options{})
	groups, errs := rulefmt.Parse(body, false, model.LegacyValidation, pql, slog.New(slog.DiscardHandler))
	require.Empty(t, errs)
	require.Len(t, groups.Groups, 4)

	want := map[string]string{"juju_application": topo.App, "juju_model": topo.Model, "juju_model_uuid": topo.ModelUUID}
	alerts := 0
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			alerts++
			expr, err := pql.ParseExpr(r.Expr)
			require.NoError(t, err, r.Alert)
			selectors := 0
			parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
				vs, ok := node.(*parser.VectorSelector)
				if !ok {
					return nil
				}
				selectors++
				for name, value := range want {
					assert.True(t, hasEqual(vs.LabelMatchers, name, value), "%s: %s lacks %s=%q", r.Alert, vs, name, value)
				}
				return nil
			})
			assert.Positive(t, selectors, r.Alert)
		}
	}
	assert.Equal(t, 14, alerts)
}

func hasEqual(ms []*labels.Matcher, name, value string) bool {
	for _, m := range ms {
		if m.Name == name && m.Type == labels.MatchEqual && m.Value == value {
			return true
		}
	}
	return false
}
