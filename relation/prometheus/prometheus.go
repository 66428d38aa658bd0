// Package prometheus is the wire format of the prometheus_scrape interface,
// provider side: the scrape job, the Juju topology and the alert rules the
// leader writes to its application bag, and the address every unit writes
// to its own. The alert rules are istio-ingress.rules, embedded in the
// binary. It imports yaml and relation/wire; no I/O.
package prometheus

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// Keys of the provider's bags.
const (
	KeyScrapeJobs     = "scrape_jobs"
	KeyScrapeMetadata = "scrape_metadata"
	KeyAlertRules     = "alert_rules"
	KeyUnitAddress    = "prometheus_scrape_unit_address"
	KeyUnitName       = "prometheus_scrape_unit_name"
	KeyUnitFQDN       = "prometheus_scrape_unit_fqdn"
)

// MetricsPort is where the metrics-proxy workload serves the gateway pods'
// merged metrics on every unit.
const MetricsPort = 15090

// topologyPlaceholder stands in every selector of the rules file for the
// topology matchers, as in the Python library's rule files.
const topologyPlaceholder = "%%juju_topology%%"

//go:embed istio-ingress.rules
var rulesFile []byte

// RulesFile is the embedded rules file as written, placeholders included.
func RulesFile() []byte { return rulesFile }

// Topology is the Juju topology of the application sending metrics: what
// Prometheus labels its metrics and alerts with.
type Topology struct {
	Model     string `json:"model"`
	ModelUUID string `json:"model_uuid"`
	App       string `json:"application"`
	Unit      string `json:"unit"`
	Charm     string `json:"charm_name"`
}

// identifier prefixes the rule group names, as the Python library's
// JujuTopology.identifier: model, the model UUID's first 8 characters and
// application.
func (t Topology) identifier() string {
	return t.Model + "_" + t.ModelUUID[:min(8, len(t.ModelUUID))] + "_" + t.App
}

// labels are the topology labels each alert rule carries.
func (t Topology) labels() map[string]string {
	return map[string]string{"juju_model": t.Model, "juju_model_uuid": t.ModelUUID, "juju_application": t.App, "juju_charm": t.Charm}
}

// matchers are the selectors' topology matchers, sorted as the Python
// library's tool writes them.
func (t Topology) matchers() string {
	return fmt.Sprintf("juju_application=%s,juju_model=%s,juju_model_uuid=%s",
		strconv.Quote(t.App), strconv.Quote(t.Model), strconv.Quote(t.ModelUUID))
}

// scrapeJobs is the one job, as the Python library leaves it: every unit's
// metrics-proxy on MetricsPort ("*" is each unit's address), at
// Prometheus's default path.
const scrapeJobs = `[{"static_configs": [{"targets": ["*:15090"]}]}]`

// AppBag is the leader's application bag for topology t.
func AppBag(t Topology) (map[string]string, error) {
	meta, err := wire.PyDumps(t)
	if err != nil {
		return nil, err
	}
	rules, err := AlertRules(t)
	if err != nil {
		return nil, err
	}
	body, err := wire.PyDumps(rules)
	if err != nil {
		return nil, err
	}
	return map[string]string{KeyScrapeJobs: scrapeJobs, KeyScrapeMetadata: meta, KeyAlertRules: body}, nil
}

// UnitBag is a unit's own bag: where Prometheus scrapes it.
func UnitBag(unit, address, fqdn string) map[string]string {
	bag := map[string]string{KeyUnitName: unit, KeyUnitAddress: address}
	if fqdn != "" {
		bag[KeyUnitFQDN] = fqdn
	}
	return bag
}

// Rules is a Prometheus rules file.
type Rules struct {
	Groups []Group `json:"groups" yaml:"groups"`
}

// Group is one rule group.
type Group struct {
	Name  string `json:"name" yaml:"name"`
	Rules []Rule `json:"rules" yaml:"rules"`
}

// Rule is one alerting rule.
type Rule struct {
	Alert       string            `json:"alert" yaml:"alert"`
	Expr        string            `json:"expr" yaml:"expr"`
	For         string            `json:"for" yaml:"for"`
	Labels      map[string]string `json:"labels" yaml:"labels"`
	Annotations map[string]string `json:"annotations" yaml:"annotations"`
}

var unsafeGroupChar = regexp.MustCompile(`[^a-zA-Z0-9_:]`)

// AlertRules are the embedded rules for topology t: group names prefixed
// with its identifier (so two applications' groups never clash), every
// rule labelled with it, and every selector matching only its metrics.
func AlertRules(t Topology) (Rules, error) {
	var rules Rules
	if err := yaml.Unmarshal(rulesFile, &rules); err != nil {
		return Rules{}, fmt.Errorf("reading the embedded alert rules: %w", err)
	}
	matchers := t.matchers()
	for gi := range rules.Groups {
		g := &rules.Groups[gi]
		g.Name = unsafeGroupChar.ReplaceAllString(t.identifier()+"_"+g.Name+"_alerts", "_")
		for ri := range g.Rules {
			r := &g.Rules[ri]
			r.Expr = strings.ReplaceAll(r.Expr, topologyPlaceholder, matchers)
			if r.Labels == nil {
				r.Labels = map[string]string{}
			}
			for k, v := range t.labels() {
				if _, ok := r.Labels[k]; !ok {
					r.Labels[k] = v
				}
			}
		}
	}
	return rules, nil
}

// AlertNames lists the alerts of the embedded rules, sorted.
func (r Rules) AlertNames() []string {
	var names []string
	for _, g := range r.Groups {
		for _, rule := range g.Rules {
			names = append(names, rule.Alert)
		}
	}
	sort.Strings(names)
	return names
}
