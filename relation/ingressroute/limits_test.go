package ingressroute

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

func bagOf(t *testing.T, cfg any) map[string]string {
	t.Helper()
	data, err := json.Marshal(cfg)
	require.NoError(t, err)
	return map[string]string{KeyConfig: string(data)}
}

func route(name string, port int, extra map[string]any) map[string]any {
	r := map[string]any{
		"name": name, "listener": map[string]any{"port": port, "protocol": "HTTP"},
		"backends": []any{map[string]any{"service": "svc", "port": 80}},
	}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

// Values the API server or the proxy would choke on are refused when the
// bag is read, naming the field.
func TestRequestFromBagRefusesUnsafeValues(t *testing.T) {
	t.Parallel()
	match := func(m map[string]any) map[string]any { return map[string]any{"matches": []any{m}} }
	rewrite := func(path string) map[string]any {
		return map[string]any{"filters": []any{map[string]any{"urlRewrite": map[string]any{"path": map[string]any{"type": "ReplaceFullPath", "replaceFullPath": path}}}}}
	}
	cases := []struct {
		name  string
		route map[string]any
		path  string
	}{
		{"encoded slash", match(map[string]any{"path": map[string]any{"value": "/a%2fb"}}), "http_routes[0].matches[0].path.value"},
		{"encoded slash, upper case", match(map[string]any{"path": map[string]any{"value": "/a%2Fb"}}), "http_routes[0].matches[0].path.value"},
		{"encoded NUL", match(map[string]any{"path": map[string]any{"value": "/a%00"}}), "http_routes[0].matches[0].path.value"},
		{"CR LF in a header value", match(map[string]any{"headers": map[string]any{"x-a": "1\r\nx-admin: yes"}}), `http_routes[0].matches[0].headers["x-a"]`},
		{"NUL in a header value", match(map[string]any{"headers": map[string]any{"x-a": "1\u0000"}}), `http_routes[0].matches[0].headers["x-a"]`},
		{"LF in a rewrite path", rewrite("/a\nb"), "http_routes[0].filters[0].urlRewrite.path"},
		{"encoded slash in a rewrite path", rewrite("/a%2Fb"), "http_routes[0].filters[0].urlRewrite.path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := map[string]any{"model": "m", "http_routes": []any{route("r", 8080, tc.route)}}
			req := RequestFromBag(juju.RelationID{Endpoint: EndpointAuthenticated, ID: 1}, "app", bagOf(t, cfg))
			require.Error(t, req.Err)
			assert.Nil(t, req.Config)
			assert.ErrorIs(t, req.Err, ErrInvalidConfig)
			assert.Contains(t, req.Err.Error(), tc.path+": must not contain")
		})
	}
}

// One relation may not ask for more than its share of the gateway.
func TestRequestFromBagCapsARelation(t *testing.T) {
	t.Parallel()
	routes := func(n, ports int) []any {
		out := make([]any, 0, n)
		for i := range n {
			out = append(out, route(fmt.Sprintf("r%d", i), 8000+i%ports, nil))
		}
		return out
	}
	hosts := make([]any, 17)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("h%d.example.com", i)
	}
	matches := make([]any, 65)
	for i := range matches {
		matches[i] = map[string]any{"path": map[string]any{"value": fmt.Sprintf("/m%d", i)}}
	}
	backends := make([]any, 17)
	for i := range backends {
		backends[i] = map[string]any{"service": "svc", "port": 80 + i}
	}
	cases := []struct {
		name   string
		routes []any
		want   string
	}{
		{"routes", routes(MaxRoutes+1, 1), "http_routes: 65 items, at most 64"},
		{"listener ports", routes(MaxListeners+1, MaxListeners+1), "routes use 11 listener ports, at most 10"},
		{"hostnames", []any{route("r", 8080, map[string]any{"hostnames": hosts})}, "http_routes[0].hostnames: 17 items, at most 16"},
		{"matches", []any{route("r", 8080, map[string]any{"matches": matches})}, "http_routes[0].matches: 65 items, at most 64"},
		{"backends", []any{route("r", 8080, map[string]any{"backends": backends})}, "http_routes[0].backends: 17 items, at most 16"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := map[string]any{"model": "m", "http_routes": tc.routes}
			req := RequestFromBag(juju.RelationID{Endpoint: EndpointAuthenticated, ID: 1}, "app", bagOf(t, cfg))
			require.Error(t, req.Err)
			assert.Contains(t, req.Err.Error(), tc.want)
		})
	}
}

// A huge bag is refused for its size before it is parsed: reading it costs
// next to nothing beyond the bag itself.
func TestRequestFromBagRefusesAHugeBagUnparsed(t *testing.T) {
	huge := `{"model":"m","http_routes":[` + strings.Repeat(`{"name":"r","listener":{"port":80,"protocol":"HTTP"},"backends":[]},`, 120000) + `{}]}`
	bag := map[string]string{KeyConfig: huge}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	req := RequestFromBag(juju.RelationID{Endpoint: EndpointAuthenticated, ID: 1}, "app", bag)
	runtime.ReadMemStats(&after)
	require.Error(t, req.Err)
	assert.Contains(t, req.Err.Error(), "at most")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "a %d-byte bag was expanded", len(huge))
	assert.Less(t, len(req.Err.Error()), 200)
}
