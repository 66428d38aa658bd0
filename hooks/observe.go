package hooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/prometheus"
	"github.com/canonical/istio-ingress-k8s-go/relation/tracing"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
)

// charmName is the charm's name in metadata.yaml, which Prometheus labels
// alerts with (juju_charm).
const charmName = "istio-ingress-k8s"

// publishMetrics tells every metrics-endpoint requirer what to scrape and
// which rules to load (application bag) and where this unit is (its own
// bag). It does not wait for the gateway: the metrics proxy is scraped
// whether or not the gateway serves.
func publishMetrics(ctx context.Context, p publisher, s served) error {
	if len(s.desired.Metrics) == 0 {
		return nil
	}
	app, err := prometheus.AppBag(prometheus.Topology{Model: s.hook.ModelName, ModelUUID: s.hook.ModelUUID,
		App: s.hook.App, Unit: s.hook.Unit, Charm: charmName})
	if err != nil {
		return err
	}
	var errs []error
	for _, rel := range s.desired.Metrics {
		if err := p.set(ctx, rel, app); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, publishScrapeUnit(ctx, p.client, p.cache, s.hook.Unit, s.desired.Metrics))
	return errors.Join(errs...)
}

// publishTracingRequest asks the charm-tracing provider for an otlp_http
// receiver.
func publishTracingRequest(ctx context.Context, p publisher, s served) error {
	if s.desired.Tracing == nil {
		return nil
	}
	return p.set(ctx, s.desired.Tracing.ID, tracing.RequestBag())
}

// publishScrapeUnit writes this unit's scrape address to its own bag on
// each metrics-endpoint relation: every unit runs a metrics proxy, leader
// or not, and only the unit itself can say where it is. The address is
// the relation's binding address (one network-get per hook with metrics
// relations).
func publishScrapeUnit(ctx context.Context, client *juju.Client, c *cache, unit string, rels []juju.RelationID) error {
	if len(rels) == 0 {
		return nil
	}
	fqdn := hostFQDN()
	var errs []error
	for _, rel := range rels {
		n, err := client.NetworkGet(ctx, snapshot.EndpointMetrics, &rel)
		if errors.Is(err, juju.ErrRelationNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("reading this unit's address on %s: %w", rel, err))
			continue
		}
		addr := bindAddress(n)
		if addr == "" {
			errs = append(errs, fmt.Errorf("no address for this unit on %s", rel))
			continue
		}
		if err := setUnitBag(ctx, client, c, rel, prometheus.UnitBag(unit, addr, fqdn)); err != nil {
			errs = append(errs, fmt.Errorf("publishing this unit's scrape address to %s: %w", rel, err))
		}
	}
	return errors.Join(errs...)
}

// bindAddress is the binding's first address, as the Python library's
// binding.network.bind_address.
func bindAddress(n juju.Network) string {
	for _, b := range n.BindAddresses {
		for _, a := range b.Addresses {
			if a.Value != "" {
				return a.Value
			}
		}
	}
	if len(n.IngressAddresses) > 0 {
		return n.IngressAddresses[0]
	}
	return ""
}

// standbyObservability does for a standby unit what only it can: write
// its scrape address, and find the tracing receiver its own hook's trace
// goes to. It costs one relation-ids call per endpoint when unrelated
// (goal-state cannot tell: see readSnapshot).
func (r *run) standbyObservability(ctx context.Context) error {
	rels := juju.Relations{Reader: r.client, Hook: r.hook, Apps: r.cache.Apps}
	var errs []error
	if ids, err := rels.Live(ctx, snapshot.EndpointMetrics); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, publishScrapeUnit(ctx, r.client, r.cache, r.hook.Unit, ids))
	}
	ids, err := rels.Live(ctx, snapshot.EndpointTracing)
	if err != nil || len(ids) == 0 {
		return errors.Join(append(errs, err)...)
	}
	if _, bag, ok, err := rels.AppBag(ctx, ids[0]); err != nil {
		errs = append(errs, err)
	} else if ok {
		r.traceTo = snapshot.TracingFrom(ids[0], bag).URL
	}
	return errors.Join(errs...)
}

// traceReceiver is the otlp_http receiver the charm-tracing provider
// names in s, "" for none.
func traceReceiver(s snapshot.Snapshot) string {
	for _, rel := range s.Relations {
		if rel.ID.Endpoint == snapshot.EndpointTracing {
			return snapshot.TracingFrom(rel.ID, rel.Bag).URL
		}
	}
	return ""
}

// hostFQDN is the pod's fully qualified name as Python's socket.getfqdn()
// finds it on Kubernetes: the /etc/hosts entry for the hostname, whose
// first name is the one under the application's headless Service.
func hostFQDN() string {
	host, err := os.Hostname()
	if err != nil {
		return ""
	}
	hosts, _ := os.ReadFile("/etc/hosts")
	return fqdnFromHosts(hosts, host)
}

func fqdnFromHosts(hosts []byte, host string) string {
	for line := range bytes.Lines(hosts) {
		fields := strings.Fields(string(line))
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		names := fields[1:]
		for _, name := range names {
			if name == host || strings.HasPrefix(name, host+".") {
				for _, candidate := range names {
					if strings.HasPrefix(candidate, host+".") {
						return candidate
					}
				}
			}
		}
	}
	return host
}
