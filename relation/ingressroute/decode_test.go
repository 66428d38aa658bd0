package ingressroute

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const listenerTmpl = `{"model":"m","listeners":[{"port":%s,"protocol":"HTTP"}]}`

func withPort(port string) string { return strings.Replace(listenerTmpl, "%s", port, 1) }

// pydantic's lax mode takes more than JSON integers for an int field; an
// existing Python requirer could send any of these, so we must accept them.
func TestLaxIntegers(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  string // expected message; "" means accepted
	}{
		{`8080`, 8080, ""},
		{`8080.0`, 8080, ""},
		{`8.08e3`, 8080, ""},
		{`true`, 1, ""},
		{`"8080"`, 8080, ""},
		{`" 8080\n"`, 8080, ""},
		{`"+8080"`, 8080, ""},
		{`"0008080"`, 8080, ""},
		{`"8_080"`, 8080, ""},
		{`"8080.000"`, 8080, ""},
		{`false`, 0, "must be between 1 and 65535"},
		{`-0.0`, 0, "must be between 1 and 65535"},
		{`8080.5`, 0, "fractional part"},
		{`"8080.5"`, 0, "unable to parse string"},
		{`"8080."`, 0, "unable to parse string"},
		{`"8__080"`, 0, "unable to parse string"},
		{`"_8080"`, 0, "unable to parse string"},
		{`"0x50"`, 0, "unable to parse string"},
		{`"1e3"`, 0, "unable to parse string"},
		{`""`, 0, "unable to parse string"},
		{`NaN`, 0, "finite number"},
		{`-Infinity`, 0, "finite number"},
		{`1e400`, 0, "finite number"},
		{`99999999999999999999999`, 0, "must be between 1 and 65535"},
		{`"99999999999999999999999"`, 0, "must be between 1 and 65535"},
		{`1e30`, 0, "must be between 1 and 65535"},
		{`null`, 0, "must be an integer"},
		{`[80]`, 0, "must be an integer"},
		{`{"port":80}`, 0, "must be an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(withPort(tt.in)))
			if tt.err == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, cfg.Listeners[0].Port)
				return
			}
			require.Error(t, err)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			require.Len(t, verr.Fields, 1)
			assert.Equal(t, "listeners[0].port", verr.Fields[0].Path)
			assert.Contains(t, verr.Fields[0].Msg, tt.err)
		})
	}
}

// JSON as pydantic's parser reads it, which is not quite encoding/json.
func TestJSONSyntax(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"surrounding whitespace", " \t\r\n{\"model\":\"m\"} \n", true},
		{"NaN and Infinity in ignored fields", `{"model":"m","x":[NaN,Infinity,-Infinity]}`, true},
		{"surrogate pair", `{"model":"\ud83d\ude00"}`, true},
		{"escaped slash", `{"model":"a\/b"}`, true},
		{"nesting at the limit", `{"model":"m","x":` + strings.Repeat("[", 199) + strings.Repeat("]", 199) + `}`, true},
		{"nesting beyond the limit", `{"model":"m","x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, false},
		{"trailing characters", `{"model":"m"}x`, false},
		{"two values", `{"model":"m"} {}`, false},
		{"trailing comma", `{"model":"m",}`, false},
		{"single quotes", `{'model':'m'}`, false},
		{"leading zero", `{"model":"m","x":01}`, false},
		{"plus sign", `{"model":"m","x":+1}`, false},
		{"bare dot", `{"model":"m","x":1.}`, false},
		{"lone high surrogate", `{"model":"\ud83d"}`, false},
		{"lone low surrogate", `{"model":"\ude00"}`, false},
		{"high surrogate then non-surrogate", `{"model":"\ud83d\u0041"}`, false},
		{"raw control character", "{\"model\":\"a\tb\"}", false},
		{"invalid UTF-8", "{\"model\":\"\xff\"}", false},
		{"bad escape", `{"model":"\x41"}`, false},
		{"short unicode escape", `{"model":"\u12"}`, false},
		{"unterminated", `{"model":"m"`, false},
		{"lowercase nan", `{"model":"m","x":nan}`, false},
		{"+Infinity", `{"model":"m","x":+Infinity}`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.in))
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			var syn *SyntaxError
			assert.ErrorAs(t, err, &syn)
		})
	}
}

func TestDecodeDetails(t *testing.T) {
	route := func(extra string) string {
		return `{"model":"m","http_routes":[{"name":"r","listener":{"port":80,"protocol":"HTTP"},"backends":[]` + extra + `}]}`
	}
	t.Run("duplicate keys: last value wins", func(t *testing.T) {
		cfg, err := ParseConfig([]byte(`{"model":"a","model":"b"}`))
		require.NoError(t, err)
		assert.Equal(t, "b", cfg.Model)
	})
	t.Run("headers keep order; a repeated name keeps its place and last value", func(t *testing.T) {
		cfg, err := ParseConfig([]byte(route(`,"matches":[{"headers":{"z":"1","a":"2","z":"3"}}]`)))
		require.NoError(t, err)
		assert.Equal(t, Headers{{"z", "3"}, {"a", "2"}}, cfg.HTTPRoutes[0].Matches[0].Headers)
	})
	t.Run("header values must be strings", func(t *testing.T) {
		_, err := ParseConfig([]byte(route(`,"matches":[{"headers":{"x-n":1}}]`)))
		require.Error(t, err)
		assert.Contains(t, err.Error(), `http_routes[0].matches[0].headers["x-n"]: must be a string`)
	})
	t.Run("path type defaults to PathPrefix", func(t *testing.T) {
		cfg, err := ParseConfig([]byte(route(`,"matches":[{"path":{"value":"/x"}}]`)))
		require.NoError(t, err)
		assert.Equal(t, &HTTPPathMatch{Type: PathMatchPathPrefix, Value: "/x"}, cfg.HTTPRoutes[0].Matches[0].Path)
	})
	t.Run("unknown fields ignored at every level", func(t *testing.T) {
		cfg, err := ParseConfig([]byte(`{"model":"m","future":{"a":[1]},"listeners":[{"port":1,"protocol":"GRPC","hostname":"h"}],` +
			`"grpc_routes":[{"name":"g","type":"grpc","listener":{"port":1,"protocol":"GRPC"},"backends":[{"service":"s","port":1,"tls":true}],` +
			`"matches":[{"method":{"service":"S","x":1},"y":2}]}]}`))
		require.NoError(t, err)
		assert.Nil(t, cfg.GRPCRoutes[0].Matches[0].Method.Method)
	})
	t.Run("every error is reported, in field order", func(t *testing.T) {
		_, err := ParseConfig([]byte(`{"model":1,"listeners":[{"port":0,"protocol":"x"},{}],"http_routes":{}}`))
		var verr *ValidationError
		require.ErrorAs(t, err, &verr)
		var paths []string
		for _, f := range verr.Fields {
			paths = append(paths, f.Path)
		}
		assert.Equal(t, []string{"model", "listeners[0].port", "listeners[0].protocol",
			"listeners[1].port", "listeners[1].protocol", "http_routes"}, paths)
	})
	t.Run("enum message lists the allowed values", func(t *testing.T) {
		_, err := ParseConfig([]byte(`{"model":"m","listeners":[{"port":80,"protocol":"TCP"}]}`))
		require.Error(t, err)
		assert.Contains(t, err.Error(), `listeners[0].protocol: must be one of "HTTP", "GRPC"`)
	})
	t.Run("top level must be an object", func(t *testing.T) {
		_, err := ParseConfig([]byte(`[]`))
		var verr *ValidationError
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, []FieldError{{Path: "", Msg: "must be an object"}}, verr.Fields)
	})
	t.Run("errors wrap ErrInvalidConfig", func(t *testing.T) {
		_, err := ParseConfig([]byte(`nope`))
		assert.True(t, errors.Is(err, ErrInvalidConfig))
	})
}

func TestDecodeFilters(t *testing.T) {
	route := func(kind, filters string) string {
		listener := `{"port":80,"protocol":"HTTP"}`
		if kind == "grpc_routes" {
			listener = `{"port":80,"protocol":"GRPC"}`
		}
		return `{"model":"m","` + kind + `":[{"name":"r","listener":` + listener + `,"backends":[],"filters":` + filters + `}]}`
	}
	str := func(s string) *string { return &s }
	port := 8443
	tests := []struct {
		name  string
		kind  string
		in    string
		http  []HTTPRouteFilter
		grpc  []GRPCRouteFilter
		error string
	}{
		{name: "null", kind: "http_routes", in: `null`},
		{name: "empty", kind: "http_routes", in: `[]`, http: []HTTPRouteFilter{}},
		{name: "rewrite in Gateway API form", kind: "http_routes",
			in: `[{"type":"URLRewrite","urlRewrite":{"hostname":"h","path":{"type":"ReplacePrefixMatch","replacePrefixMatch":"/"}}}]`,
			http: []HTTPRouteFilter{{Type: FilterURLRewrite, URLRewrite: &URLRewrite{Hostname: str("h"),
				Path: &PathModifier{Type: ReplacePrefixMatch, Value: "/"}}}}},
		{name: "path modifier type defaults to its key", kind: "http_routes",
			in: `[{"urlRewrite":{"path":{"replaceFullPath":"/x"}}}]`,
			http: []HTTPRouteFilter{{Type: FilterURLRewrite, URLRewrite: &URLRewrite{
				Path: &PathModifier{Type: ReplaceFullPath, Value: "/x"}}}}},
		{name: "path modifier in the library's own form", kind: "http_routes",
			in: `[{"urlRewrite":{"path":{"type":"ReplaceFullPath","value":"/y"}}}]`,
			http: []HTTPRouteFilter{{Type: FilterURLRewrite, URLRewrite: &URLRewrite{
				Path: &PathModifier{Type: ReplaceFullPath, Value: "/y"}}}}},
		{name: "redirect with defaults", kind: "http_routes", in: `[{"requestRedirect":{}}]`,
			http: []HTTPRouteFilter{{Type: FilterRequestRedirect, RequestRedirect: &RequestRedirect{StatusCode: 301}}}},
		{name: "kind comes from the spec key, not type", kind: "http_routes",
			in: `[{"type":"URLRewrite","requestRedirect":{"scheme":"https","port":"8443","statusCode":302}}]`,
			http: []HTTPRouteFilter{{Type: FilterRequestRedirect, RequestRedirect: &RequestRedirect{
				Scheme: str("https"), Port: &port, StatusCode: 302}}}},
		{name: "both specs: URLRewrite first", kind: "http_routes",
			in:   `[{"urlRewrite":{},"requestRedirect":{}}]`,
			http: []HTTPRouteFilter{{Type: FilterURLRewrite, URLRewrite: &URLRewrite{}}}},
		{name: "neither spec", kind: "http_routes", in: `[{"type":"URLRewrite"}]`,
			error: "http_routes[0].filters[0].urlRewrite: field required; http_routes[0].filters[0].requestRedirect: field required"},
		{name: "bad path modifier type", kind: "http_routes", in: `[{"urlRewrite":{"path":{"type":"Prefix","value":"/"}}}]`,
			error: `http_routes[0].filters[0].urlRewrite.path.type: must be one of`},
		{name: "path modifier needs a type", kind: "http_routes", in: `[{"urlRewrite":{"path":{"value":"/"}}}]`,
			error: `http_routes[0].filters[0].urlRewrite.path.type: field required`},
		{name: "redirect port bounds", kind: "http_routes", in: `[{"requestRedirect":{"port":0}}]`,
			error: `requestRedirect.port: must be between 1 and 65535`},
		{name: "status code null", kind: "http_routes", in: `[{"requestRedirect":{"statusCode":null}}]`,
			error: `requestRedirect.statusCode: must be an integer`},
		{name: "grpc redirect", kind: "grpc_routes", in: `[{"requestRedirect":{"hostname":"h","statusCode":"302"}}]`,
			grpc: []GRPCRouteFilter{{RequestRedirect: RequestRedirect{Hostname: str("h"), StatusCode: 302}}}},
		{name: "grpc has no rewrite", kind: "grpc_routes", in: `[{"urlRewrite":{}}]`,
			error: `grpc_routes[0].filters[0].requestRedirect: field required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(route(tt.kind, tt.in)))
			if tt.error != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.error)
				return
			}
			require.NoError(t, err)
			if tt.kind == "http_routes" {
				assert.Equal(t, tt.http, cfg.HTTPRoutes[0].Filters)
			} else {
				assert.Equal(t, tt.grpc, cfg.GRPCRoutes[0].Filters)
			}
		})
	}
}

// Filters are written as the newer library writes them: spec first, then
// the computed "type"; path modifiers in Gateway API form.
func TestEncodeFilters(t *testing.T) {
	str := func(s string) *string { return &s }
	port := 443
	l := Listener{Port: 80, Protocol: ProtocolHTTP}
	cfg := &Config{Model: "m", HTTPRoutes: []HTTPRoute{{
		Name: "r", Listener: l, Backends: []BackendRef{{Service: "s", Port: 80}},
		Filters: []HTTPRouteFilter{
			{Type: FilterURLRewrite, URLRewrite: &URLRewrite{Path: &PathModifier{Type: ReplacePrefixMatch, Value: "/"}}},
			{Type: FilterRequestRedirect, RequestRedirect: &RequestRedirect{Scheme: str("https"), Port: &port,
				Path: &PathModifier{Type: ReplaceFullPath, Value: "/new"}}},
		},
	}}, GRPCRoutes: []GRPCRoute{{
		Name: "g", Listener: Listener{Port: 90, Protocol: ProtocolGRPC}, Backends: []BackendRef{},
		Filters: []GRPCRouteFilter{{RequestRedirect: RequestRedirect{Hostname: str("h"), StatusCode: 302}}},
	}}}
	out, err := cfg.Encode()
	require.NoError(t, err)
	want := `{"model":"m","listeners":[],"http_routes":[{"name":"r","listener":{"port":80,"protocol":"HTTP"},` +
		`"backends":[{"service":"s","port":80,"weight":null}],"hostnames":null,"matches":null,"filters":[` +
		`{"urlRewrite":{"hostname":null,"path":{"type":"ReplacePrefixMatch","replacePrefixMatch":"/"}},"type":"URLRewrite"},` +
		`{"requestRedirect":{"scheme":"https","hostname":null,"path":{"type":"ReplaceFullPath","replaceFullPath":"/new"},"port":443,"statusCode":301},"type":"RequestRedirect"}]}],` +
		`"grpc_routes":[{"name":"g","listener":{"port":90,"protocol":"GRPC"},"backends":[],"hostnames":null,"matches":null,"filters":[` +
		`{"requestRedirect":{"scheme":null,"hostname":"h","path":null,"port":null,"statusCode":302},"type":"RequestRedirect"}]}]}`
	assert.Equal(t, want, string(out))

	back, err := ParseConfig(out)
	require.NoError(t, err)
	cfg.HTTPRoutes[0].Filters[1].RequestRedirect.StatusCode = DefaultRedirectStatusCode
	cfg.Listeners = []Listener{}
	assert.Equal(t, cfg, back, "what we write decodes to what we meant")
}

func TestEncodeNilAndEmptyAreDistinct(t *testing.T) {
	l := Listener{Port: 80, Protocol: ProtocolHTTP}
	cfg := &Config{Model: "m", HTTPRoutes: []HTTPRoute{
		{Name: "nil", Listener: l},
		{Name: "empty", Listener: l, Backends: []BackendRef{}, Hostnames: []string{}, Matches: []HTTPRouteMatch{{Headers: Headers{}}}},
	}}
	out, err := cfg.Encode()
	require.NoError(t, err)
	assert.Equal(t, `{"model":"m","listeners":[],"http_routes":[`+
		`{"name":"nil","listener":{"port":80,"protocol":"HTTP"},"backends":[],"hostnames":null,"matches":null},`+
		`{"name":"empty","listener":{"port":80,"protocol":"HTTP"},"backends":[],"hostnames":[],"matches":[{"headers":{},"path":null,"method":null}]}`+
		`],"grpc_routes":[]}`, string(out))
}

func TestEncodeStringEscaping(t *testing.T) {
	cfg := &Config{Model: "\"\\\b\f\n\r\t\x00\x1f\x7f<>&'/é\u2028\u2029😀"}
	out, err := cfg.Encode()
	require.NoError(t, err)
	assert.Equal(t, `{"model":"\"\\\b\f\n\r\t\u0000\u001f`+"\x7f"+`<>&'/é`+"\u2028\u2029"+`😀","listeners":[],"http_routes":[],"grpc_routes":[]}`, string(out))
	var back struct{ Model string }
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, cfg.Model, back.Model)
}

func TestValidateRefusesWhatTheProviderWouldReject(t *testing.T) {
	bad := 0
	get := HTTPMethod("get")
	tests := []struct {
		name string
		cfg  Config
		path string
	}{
		{"listener port", Config{Listeners: []Listener{{Port: 70000, Protocol: ProtocolHTTP}}}, "listeners[0].port"},
		{"protocol", Config{Listeners: []Listener{{Port: 80, Protocol: "TCP"}}}, "listeners[0].protocol"},
		{"weight", Config{HTTPRoutes: []HTTPRoute{{Listener: Listener{Port: 1, Protocol: ProtocolHTTP},
			Backends: []BackendRef{{Port: 1, Weight: &bad}}}}}, "http_routes[0].backends[0].weight"},
		{"method", Config{HTTPRoutes: []HTTPRoute{{Listener: Listener{Port: 1, Protocol: ProtocolHTTP},
			Matches: []HTTPRouteMatch{{Method: &get}}}}}, "http_routes[0].matches[0].method"},
		{"path type", Config{HTTPRoutes: []HTTPRoute{{Listener: Listener{Port: 1, Protocol: ProtocolHTTP},
			Matches: []HTTPRouteMatch{{Path: &HTTPPathMatch{Type: "Prefix"}}}}}}, "http_routes[0].matches[0].path.type"},
		{"duplicate header", Config{HTTPRoutes: []HTTPRoute{{Listener: Listener{Port: 1, Protocol: ProtocolHTTP},
			Matches: []HTTPRouteMatch{{Headers: Headers{{"a", "1"}, {"a", "2"}}}}}}}, `http_routes[0].matches[0].headers["a"]`},
		{"filter type mismatch", Config{HTTPRoutes: []HTTPRoute{{Listener: Listener{Port: 1, Protocol: ProtocolHTTP},
			Filters: []HTTPRouteFilter{{Type: FilterRequestRedirect, URLRewrite: &URLRewrite{}}}}}}, "http_routes[0].filters[0]"},
		{"invalid UTF-8", Config{Model: "\xff"}, "model"},
		{"grpc redirect port", Config{GRPCRoutes: []GRPCRoute{{Listener: Listener{Port: 1, Protocol: ProtocolGRPC},
			Filters: []GRPCRouteFilter{{RequestRedirect: RequestRedirect{Port: &bad}}}}}}, "grpc_routes[0].filters[0].requestRedirect.port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cfg.Encode()
			require.ErrorIs(t, err, ErrInvalidConfig)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.path, verr.Fields[0].Path)
		})
	}
}

func TestListenerDerivedNames(t *testing.T) {
	assert.Equal(t, "http-8080", Listener{Port: 8080, Protocol: ProtocolHTTP}.Name())
	assert.Equal(t, "grpc-9090", Listener{Port: 9090, Protocol: ProtocolGRPC}.Name())
	assert.Equal(t, "HTTP", Listener{Port: 9090, Protocol: ProtocolGRPC}.GatewayProtocol())
	assert.Equal(t, "HTTPS", GatewayProtocol(ProtocolGRPC, true))
	assert.Equal(t, "HTTP", GatewayProtocol(ProtocolHTTP, false))
}
