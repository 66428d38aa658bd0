package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/tests/charm"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// scenario is one simulated Juju model running the packed charm against the
// shared API server. Every hook run through ok must exit 0.
type scenario struct {
	*jujusim.Model
	// leader is the charm's leader unit as the test expects it.
	leader string
	runs   []jujusim.HookRun
}

// newScenario creates the namespaces (the charm's model first) and a
// simulated model of that name whose hooks reach the API server. What the
// hooks cost is logged when the test ends.
func newScenario(t testing.TB, model string, namespaces ...string) *scenario {
	t.Helper()
	for _, ns := range append([]string{model}, namespaces...) {
		require.NoError(t, env.CreateNamespace(t.Context(), ns))
	}
	s := &scenario{
		Model: jujusim.NewModel(t, jujusim.WithModelName(model),
			jujusim.WithHookEnv(map[string]string{"KUBECONFIG": env.KubeconfigPath()})),
		leader: app + "/0",
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
// returns the relation id.
func (s *scenario) relate(t testing.TB, endpoint string, remote jujusim.Remote) int {
	t.Helper()
	id, runs := s.Relate(app, endpoint, remote)
	s.ok(t, runs...)
	return id
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
