package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"github.com/canonical/istio-ingress-k8s-go/tests/charm"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tools/charmarchive"
)

const (
	// grafanaRoute makes the name of grafana's HTTPRoute longer than 63
	// characters, which the Python charm does not shorten.
	grafanaRoute = "dashboards-and-explore"
	refreshModel = "e2e-refresh"
	refreshApps  = "e2e-refresh-apps"
	refreshLB    = "10.0.0.7"
)

// pythonStandIn packs a charm with this charm's metadata whose hooks do
// nothing: the model's history before the refresh is the Python charm's,
// and the test writes what that charm leaves behind.
func pythonStandIn(t testing.TB) string {
	t.Helper()
	root, err := charm.RepoRoot()
	require.NoError(t, err)
	dir := t.TempDir()
	dispatch := filepath.Join(dir, "dispatch")
	require.NoError(t, os.WriteFile(dispatch, []byte("#!/bin/sh\nexit 0\n"), 0o755))
	for _, f := range []string{"metadata.yaml", "config.yaml"} {
		raw, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), raw, 0o644))
	}
	out := filepath.Join(dir, "python.charm")
	require.NoError(t, charmarchive.Pack(charmarchive.Options{SourceDir: dir, Binary: dispatch, Out: out, StartedAt: time.Now()}))
	return out
}

// pythonObjects renders objects as reference §2 describes the Python charm's:
// its names, labels and specs, written out by hand so the test does not
// lean on the planner it checks.
type pythonObjects struct{ model, apps string }

func (p pythonObjects) object(k resource.Kind, scope, ns, name string, body map[string]any) *unstructured.Unstructured {
	obj := map[string]any{
		"apiVersion": k.GroupVersion().String(), "kind": k.Kind,
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": map[string]any{
			resource.LabelInstance: p.model + "-" + app, resource.LabelScope: scope,
		}},
	}
	for key, v := range body {
		obj[key] = v
	}
	return &unstructured.Unstructured{Object: obj}
}

func (p pythonObjects) gateway(ports ...int) *unstructured.Unstructured {
	var ls []any
	for _, port := range ports {
		ls = append(ls, map[string]any{"name": "http-" + strconv.Itoa(port), "port": int64(port), "protocol": "HTTP",
			"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "All"}}})
	}
	gw := p.object(resource.KindGateway, resource.ScopeGateway, p.model, app, map[string]any{
		"spec": map[string]any{"gatewayClassName": "istio", "listeners": ls},
	})
	labels := gw.GetLabels()
	labels["charms.canonical.com/"+p.model+"."+app+".telemetry"] = "aggregated"
	gw.SetLabels(labels)
	return gw
}

func (p pythonObjects) hpa(units int64) *unstructured.Unstructured {
	return p.object(resource.KindHPA, resource.ScopeGateway, p.model, app, map[string]any{"spec": map[string]any{
		"scaleTargetRef": map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": app + "-istio"},
		"minReplicas":    units, "maxReplicas": units,
	}})
}

func (p pythonObjects) externalTraffic() *unstructured.Unstructured {
	return p.object(resource.KindAuthorizationPolicy, resource.ScopeExternalTraffic, p.model, app+"-"+p.model+"-external-traffic",
		map[string]any{"spec": map[string]any{
			"action":     "ALLOW",
			"targetRefs": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": app}},
			"rules":      []any{map[string]any{"from": []any{map[string]any{"source": map[string]any{"ipBlocks": []any{"0.0.0.0/0"}}}}}},
		}})
}

func (p pythonObjects) spec(section string, match map[string]any, service string, port int64) map[string]any {
	return map[string]any{"spec": map[string]any{
		"parentRefs": []any{map[string]any{"name": app, "namespace": p.model, "sectionName": section}},
		"rules": []any{map[string]any{
			"matches":     []any{match},
			"backendRefs": []any{map[string]any{"name": service, "port": port, "namespace": p.apps}},
		}},
	}}
}

// ingressRoute is an ingress v2 app's HTTPRoute.
func (p pythonObjects) ingressRoute(service string, port int64) *unstructured.Unstructured {
	match := map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/" + p.apps + "-" + service}}
	return p.object(resource.KindHTTPRoute, resource.ScopeIngress, p.apps, service+"-httproute-http-80-"+app,
		p.spec("http-80", match, service, port))
}

// httpRoute and grpcRoute are an istio-ingress-route app's routes.
func (p pythonObjects) httpRoute(remote, route string, listener int, path string, port int64) *unstructured.Unstructured {
	section := "http-" + strconv.Itoa(listener)
	match := map[string]any{"path": map[string]any{"type": "PathPrefix", "value": path}}
	return p.object(resource.KindHTTPRoute, resource.ScopeIngress, p.apps, remote+"-"+route+"-httproute-"+section+"-"+app,
		p.spec(section, match, remote, port))
}

func (p pythonObjects) grpcRoute(remote, route string, listener int, service string, port int64) *unstructured.Unstructured {
	section := "http-" + strconv.Itoa(listener)
	match := map[string]any{"method": map[string]any{"service": service}}
	return p.object(resource.KindGRPCRoute, resource.ScopeIngress, p.apps, remote+"-"+route+"-grpcroute-"+section+"-"+app,
		p.spec(section, match, remote, port))
}

func (p pythonObjects) destinationRule(service string) *unstructured.Unstructured {
	return p.object(resource.KindDestinationRule, resource.ScopeDestinationRule, p.apps, service+"-grpc-dest-rule-"+app,
		map[string]any{"spec": map[string]any{
			"host":          service + "." + p.apps + ".svc.cluster.local",
			"trafficPolicy": map[string]any{"connectionPool": map[string]any{"http": map[string]any{"useClientProtocol": true}}},
		}})
}

func (p pythonObjects) l4Policy(service string, ports ...string) *unstructured.Unstructured {
	ps := make([]any, 0, len(ports))
	for _, port := range ports {
		ps = append(ps, port)
	}
	return p.object(resource.KindAuthorizationPolicy, resource.ScopeL4Policy, p.apps, service+"-"+app+"-"+p.apps+"-l4",
		map[string]any{"spec": map[string]any{
			"action":   "ALLOW",
			"selector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": service}},
			"rules": []any{map[string]any{
				"from": []any{map[string]any{"source": map[string]any{"principals": []any{"cluster.local/ns/" + p.model + "/sa/" + app + "-istio"}}}},
				"to":   []any{map[string]any{"operation": map[string]any{"ports": ps}}},
			}},
		}})
}

// tempoConfig asks for an HTTP route on 3200 and a gRPC route on 9096.
func tempoConfig(model string) map[string]string {
	return map[string]string{"config": `{"model":"` + model + `",` +
		`"listeners":[{"port":3200,"protocol":"HTTP"},{"port":9096,"protocol":"GRPC"}],` +
		`"http_routes":[{"name":"http","listener":{"port":3200,"protocol":"HTTP"},` +
		`"backends":[{"service":"tempo","port":3200,"weight":null}],"hostnames":null,` +
		`"matches":[{"headers":null,"path":{"type":"PathPrefix","value":"/api"},"method":null}]}],` +
		`"grpc_routes":[{"name":"grpc","listener":{"port":9096,"protocol":"GRPC"},` +
		`"backends":[{"service":"tempo","port":9096,"weight":null}],"hostnames":null,` +
		`"matches":[{"headers":null,"method":{"service":"tempopb.Querier","method":null}}]}]}`}
}

// gatewayPodMetadata is what Istio copies from the Gateway onto the gateway
// pods' template: a change to either restarts every gateway pod.
func gatewayPodMetadata(gw *unstructured.Unstructured) [2]map[string]string {
	return [2]map[string]string{gw.GetLabels(), gw.GetAnnotations()}
}

// TestRefreshFromThePythonCharm replaces a running Python deployment in
// place: three ingress v2 apps and two istio-ingress-route apps (one with
// gRPC) are served, with the relation data and the cluster objects the
// Python charm leaves. The packed charm's upgrade-charm and config-changed
// hooks must keep every route serving (no object deleted or renamed, no
// URL changed), leave the Gateway's pod-template metadata as it was, and
// take over the Gateway so that a later listener removal takes effect.
func TestRefreshFromThePythonCharm(t *testing.T) {
	ctx := t.Context()
	s := newScenario(t, refreshModel, refreshApps)
	m := s.Model
	py := pythonObjects{model: refreshModel, apps: refreshApps}

	// The Python charm is deployed and Istio provisions its gateway; its
	// first sync creates the Gateway (server-side apply: nothing to patch).
	s.ok(t, m.Deploy(app, pythonStandIn(t), 1)...)
	s.provision(t, refreshLB)
	require.NoError(t, env.WriteAsPythonCharm(ctx, app, py.gateway(80), py.hpa(1), py.externalTraffic()))

	// Five requirers relate; the Python charm's syncs write their objects,
	// merge-patch the Gateway with their listeners (in relation order) and
	// publish to each.
	rels := map[string]int{}
	for _, r := range []struct {
		name     string
		endpoint string
		bag      map[string]string
	}{
		{"web", "ingress", ingressApp(refreshApps, "web", 8080)},
		{"tempo", "istio-ingress-route", tempoConfig(refreshApps)},
		{"blog", "ingress", ingressApp(refreshApps, "blog", 8081)},
		{"grafana", "istio-ingress-route", httpRouteConfig(refreshApps, grafanaRoute, "grafana", 3000, "/grafana")},
		{"shop", "ingress", ingressApp(refreshApps, "shop", 8082)},
	} {
		rels[r.name] = s.relate(t, r.endpoint, jujusim.Remote{App: r.name, Units: 1, AppData: r.bag})
	}
	require.NoError(t, env.WriteAsPythonCharm(ctx, app,
		py.gateway(80, 3200, 9096, 3000), py.hpa(1), py.externalTraffic(),
		py.ingressRoute("web", 8080), py.ingressRoute("blog", 8081), py.ingressRoute("shop", 8082),
		py.httpRoute("tempo", "http", 3200, "/api", 3200), py.grpcRoute("tempo", "grpc", 9096, "tempopb.Querier", 9096),
		py.httpRoute("grafana", grafanaRoute, 3000, "/grafana", 8080),
		py.destinationRule("tempo"),
		py.l4Policy("web", "8080"), py.l4Policy("blog", "8081"), py.l4Policy("shop", "8082"),
		py.l4Policy("tempo", "3200", "9096"), py.l4Policy("grafana", "8080"),
	))
	published := func(name string) map[string]string {
		if name == "tempo" || name == "grafana" {
			return routeServed(refreshLB)
		}
		return ingressServed(ingress.URL("http", refreshLB, refreshApps, name))
	}
	uc := m.OpenContext(s.leader)
	for name, id := range rels {
		for k, v := range published(name) {
			_, err := uc.Run(ctx, nil, "relation-set", "-r", strconv.Itoa(id), "--app", k+"="+v)
			require.NoError(t, err)
		}
	}
	uc.Close(true)

	before := owned(t, refreshModel)
	gwKey := objectKey("Gateway", refreshModel, app)
	require.Len(t, before, 15)

	// juju refresh: the packed charm's first hooks.
	runs := m.Refresh(app, charm.Packed(t))
	s.ok(t, runs...)

	after := owned(t, refreshModel)
	// Needs the charm to name every object as the Python charm does,
	// grafana's HTTPRoute (68 characters) included.
	assert.Equal(t, uids(before), uids(after), "no object deleted, recreated or renamed")
	assert.Equal(t, gatewayPodMetadata(before[gwKey]), gatewayPodMetadata(after[gwKey]), "the gateway pods' template is untouched")
	assert.Empty(t, after[gwKey].GetAnnotations())
	for name, id := range rels {
		assert.Equal(t, published(name), m.RelationData(id, app), "%s keeps its URL", name)
	}
	assert.Equal(t, servingAt(refreshLB), s.status())
	written := changedVersions(before, after)
	t.Logf("refresh: %d of %d objects written (%s); the charm's report: %s",
		len(written), len(before), strings.Join(written, ", "), kubeReports(s, runs))

	// A listener the Python charm merge-patched in goes when its requirer does.
	s.ok(t, m.Unrelate(rels["tempo"])...)
	final := owned(t, refreshModel)
	assert.Equal(t, map[string]string{"http-80": "", "http-3000": ""}, listeners(t, final[gwKey]))
	assert.Equal(t, gatewayPodMetadata(before[gwKey]), gatewayPodMetadata(final[gwKey]))
	for k := range before {
		if strings.Contains(k, "tempo") {
			assert.NotContains(t, final, k)
		} else if assert.Contains(t, final, k) {
			assert.Equal(t, before[k].GetUID(), final[k].GetUID(), "%s untouched", k)
		}
	}
	s.assertNoErrorLogs(t)
}

func uids(objs map[string]*unstructured.Unstructured) map[string]string {
	out := make(map[string]string, len(objs))
	for k, o := range objs {
		out[k] = string(o.GetUID())
	}
	return out
}

// changedVersions names the objects of before whose resourceVersion after
// differs: those written in between.
func changedVersions(before, after map[string]*unstructured.Unstructured) []string {
	var out []string
	for _, k := range keys(before) {
		if a, ok := after[k]; ok && a.GetResourceVersion() != before[k].GetResourceVersion() {
			out = append(out, k)
		}
	}
	return out
}

// kubeReports joins what the charm logged of its Kubernetes writes in runs.
func kubeReports(s *scenario, runs []jujusim.HookRun) string {
	var out []string
	for _, l := range s.Logs() {
		if strings.HasPrefix(l.Message, "Kubernetes: ") {
			out = append(out, fmt.Sprintf("%s: %s", l.Context, strings.TrimPrefix(l.Message, "Kubernetes: ")))
		}
	}
	if len(out) == 0 {
		return fmt.Sprintf("no writes in %d hooks", len(runs))
	}
	return strings.Join(out, "; ")
}
