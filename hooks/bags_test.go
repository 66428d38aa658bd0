package hooks_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	ir "github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// pythonIngressBag is the app bag the Python ingress v2 requirer writes:
// every value JSON-encoded.
func pythonIngressBag(model, name string, port int, stripPrefix bool) map[string]string {
	bag := map[string]string{
		"model": jsonString(model),
		"name":  jsonString(name),
		"port":  strconv.Itoa(port),
	}
	if stripPrefix {
		bag["strip-prefix"] = "true"
	}
	return bag
}

// routeBag is the app bag of an istio-ingress-route requirer in model with
// one HTTP route, named after service, on listener port to service:80:
// requests under path (any request when path is "") with filters applied.
// The library's encoder writes it, byte for byte as the Python one would.
func routeBag(t testing.TB, model, service string, port int, path string, filters ...ir.HTTPRouteFilter) map[string]string {
	t.Helper()
	l := ir.Listener{Port: port, Protocol: ir.ProtocolHTTP}
	route := ir.HTTPRoute{Name: service, Listener: l, Backends: []ir.BackendRef{{Service: service, Port: 80}}, Filters: filters}
	if path != "" {
		route.Matches = []ir.HTTPRouteMatch{{Path: &ir.HTTPPathMatch{Type: ir.PathMatchPathPrefix, Value: path}}}
	}
	cfg := &ir.Config{Model: model, Listeners: []ir.Listener{l}, HTTPRoutes: []ir.HTTPRoute{route}}
	data, err := cfg.Encode()
	require.NoError(t, err)
	return map[string]string{"config": string(data)}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
