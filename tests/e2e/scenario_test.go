package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/tests/charm"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// scenario is one simulated Juju model running the packed charm against the
// shared API server. Every hook run through ok must exit 0.
type scenario struct {
	*jujusim.Model
	// model is the charm's model (and namespace).
	model string
	// leader is the charm's leader unit as the test expects it.
	leader string
	runs   []jujusim.HookRun
	// work is each unit's metrics-proxy Pebble and the gateway's health.
	work *workloads
}

// newScenario creates the namespaces (the charm's model first) and a
// simulated model of that name whose hooks reach the API server. What the
// hooks cost is logged when the test ends.
func newScenario(t testing.TB, model string, namespaces ...string) *scenario {
	t.Helper()
	for _, ns := range append([]string{model}, namespaces...) {
		require.NoError(t, env.CreateNamespace(t.Context(), ns))
	}
	work := newWorkloads(t)
	hookEnv := work.hookEnv()
	hookEnv["KUBECONFIG"] = env.KubeconfigPath()
	s := &scenario{
		Model: jujusim.NewModel(t, jujusim.WithModelName(model),
			jujusim.WithHookEnv(hookEnv), jujusim.WithUnitEnv(work.unitEnv)),
		model:  model,
		leader: app + "/0",
		work:   work,
	}
	t.Cleanup(func() { logHookCosts(t, s.runs) })
	return s
}

// ok requires every run to have exited 0. t is the (sub)test asserting it.
func (s *scenario) ok(t testing.TB, runs ...jujusim.HookRun) {
	t.Helper()
	jujusim.RequireOK(t, runs)
	s.runs = append(s.runs, runs...)
}

// deploy deploys the packed charm with n units.
func (s *scenario) deploy(t testing.TB, n int) {
	t.Helper()
	s.ok(t, s.Deploy(app, charm.Packed(t), n)...)
}

// relate relates the charm's endpoint to a simulated remote application and
// returns the relation id. Unless remote.Model says otherwise, the
// application lives in the model its bag names, as the requirer libraries
// fill it in: a cross-model relation when that is not the charm's model.
func (s *scenario) relate(t testing.TB, endpoint string, remote jujusim.Remote) int {
	t.Helper()
	if remote.Model == "" {
		remote.Model = bagModel(remote.AppData)
	}
	id, runs := s.Relate(app, endpoint, remote)
	s.ok(t, runs...)
	return id
}

// provision plays Istio: the gateway's Deployment is ready and its Service
// has the load balancer address.
func (s *scenario) provision(t testing.TB, address string) {
	t.Helper()
	require.NoError(t, env.CreateGatewayWorkload(t.Context(), s.model, app, 1, 1, address))
	s.work.setReady(t, true)
}

// neighbours are two valid requirers in one namespace, an ingress v2 app
// "web" and an istio-ingress-route app "tempo" (HTTP and gRPC), that must
// stay served whatever another requirer asks.
type neighbours struct {
	web, tempo int
	ns         string
}

// relateNeighbours relates web and tempo, both in namespace ns.
func (s *scenario) relateNeighbours(t testing.TB, ns string) neighbours {
	t.Helper()
	return neighbours{
		ns:  ns,
		web: s.relate(t, "ingress", jujusim.Remote{App: "web", Units: 1, AppData: ingressApp(ns, "web", 8080)}),
		tempo: s.relate(t, "istio-ingress-route", jujusim.Remote{
			App: "tempo", Units: 1, AppData: map[string]string{"config": validRouteConfig(t, "http_and_grpc", ns)},
		}),
	}
}

// assertServed checks both neighbours hold what is published for address.
func (n neighbours) assertServed(t testing.TB, s *scenario, address string) {
	t.Helper()
	assert.Equal(t, ingressServed(ingress.URL("http", address, n.ns, "web")), s.RelationData(n.web, app), "web")
	assert.Equal(t, routeServed(address), s.RelationData(n.tempo, app), "tempo")
}

// objects are the keys owned() gives the neighbours' objects.
func (n neighbours) objects() []string {
	return []string{
		objectKey("HTTPRoute", n.ns, "web-httproute-http-80"+suffix),
		objectKey("AuthorizationPolicy", n.ns, "web"+suffix+"-"+n.ns+"-l4"),
		objectKey("HTTPRoute", n.ns, "tempo-http-route-httproute-http-3200"+suffix),
		objectKey("GRPCRoute", n.ns, "tempo-grpc-route-grpcroute-http-9096"+suffix),
		objectKey("DestinationRule", n.ns, "tempo-grpc-dest-rule"+suffix),
		objectKey("AuthorizationPolicy", n.ns, "tempo"+suffix+"-"+n.ns+"-l4"),
	}
}

// status is the leader's unit status.
func (s *scenario) status() simstate.Status { return s.UnitStatus(s.leader) }

// assertNoErrorLogs checks no hook logged at ERROR level: bad requirer data
// is a warning, never a charm error.
func (s *scenario) assertNoErrorLogs(t testing.TB) {
	t.Helper()
	for _, l := range s.Logs() {
		assert.NotEqual(t, "ERROR", l.Level, "%s logged an error: %s", l.Context, l.Message)
	}
}

// servingAt is the leader's status once the gateway serves at address.
func servingAt(address string) simstate.Status {
	return simstate.Status{Status: "active", Message: "Serving at " + address}
}

// routeServed is what the charm publishes to a served istio-ingress-route
// requirer while TLS is off.
func routeServed(address string) map[string]string {
	return map[string]string{"external_host": address, "tls_enabled": "False"}
}

// ingressServed is what the charm publishes to a served ingress v2
// requirer, formatted as the Python provider writes it.
func ingressServed(url string) map[string]string {
	return map[string]string{"ingress": fmt.Sprintf(`{"url": "%s"}`, url)}
}

// ingressApp is an ingress v2 requirer's app bag as the Python library
// writes it: every value JSON-encoded.
func ingressApp(model, name string, port int) map[string]string {
	return map[string]string{"model": `"` + model + `"`, "name": `"` + name + `"`, "port": fmt.Sprint(port)}
}

// httpRouteConfig is an istio_ingress_route config with one HTTP route,
// named route, on listener port: requests under path go to service:8080 in
// model.
func httpRouteConfig(model, route, service string, port int, path string) map[string]string {
	listener := fmt.Sprintf(`{"port":%d,"protocol":"HTTP"}`, port)
	return map[string]string{"config": `{"model":"` + model + `","listeners":[` + listener + `],` +
		`"http_routes":[{"name":"` + route + `","listener":` + listener + `,` +
		`"backends":[{"service":"` + service + `","port":8080,"weight":null}],"hostnames":null,` +
		`"matches":[{"headers":null,"path":{"type":"PathPrefix","value":"` + path + `"},"method":null}]}],"grpc_routes":[]}`}
}

// inNamespace returns the keys of objs (as owned() makes them) that live in
// namespace ns.
func inNamespace(objs []string, ns string) []string {
	var out []string
	for _, k := range objs {
		if strings.Contains(k, " "+ns+"/") {
			out = append(out, k)
		}
	}
	return out
}

// bagModel is the model an ingress v2 or istio_ingress_route bag names.
func bagModel(bag map[string]string) string {
	var model string
	if json.Unmarshal([]byte(bag["model"]), &model) == nil {
		return model
	}
	var cfg struct {
		Model string `json:"model"`
	}
	if json.Unmarshal([]byte(bag["config"]), &cfg) == nil {
		return cfg.Model
	}
	return ""
}
