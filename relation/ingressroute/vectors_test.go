package ingressroute

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The testdata/*.json files are the wire-format vectors generated from the
// Python library (see testdata/VECTORS.md).

type validCase struct {
	Name    string `json:"name"`
	Config  string `json:"config"`
	Derived struct {
		ListenerNames            []string `json:"listener_names"`
		ListenerGatewayProtocols []string `json:"listener_gateway_protocols"`
		RouteProtocols           []string `json:"route_protocols"`
	} `json:"derived"`
}

type invalidCase struct {
	Name   string `json:"name"`
	Input  string `json:"input"`
	Errors []struct {
		Type string `json:"type"`
		Loc  []any  `json:"loc"`
	} `json:"errors"`
}

func loadCases[T any](t testing.TB, file string) []T {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + file)
	require.NoError(t, err)
	var doc struct {
		Cases []T `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.NotEmpty(t, doc.Cases)
	return doc.Cases
}

// pydanticPath renders a pydantic error location the way FieldError.Path does.
func pydanticPath(loc []any) string {
	var b strings.Builder
	for _, seg := range loc {
		switch s := seg.(type) {
		case float64:
			fmt.Fprintf(&b, "[%d]", int(s))
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

func TestValidVectorsDecode(t *testing.T) {
	for _, tc := range loadCases[validCase](t, "valid.json") {
		t.Run(tc.Name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tc.Config))
			require.NoError(t, err)

			var names, protocols, routeProtocols []string
			add := func(l Listener) {
				names = append(names, l.Name())
				protocols = append(protocols, l.GatewayProtocol())
			}
			for _, l := range cfg.Listeners {
				add(l)
			}
			for _, r := range cfg.HTTPRoutes {
				add(r.Listener)
				routeProtocols = append(routeProtocols, "HTTP")
			}
			for _, r := range cfg.GRPCRoutes {
				add(r.Listener)
				routeProtocols = append(routeProtocols, "GRPC")
			}
			assert.Equal(t, tc.Derived.ListenerNames, nonNil(names))
			assert.Equal(t, tc.Derived.ListenerGatewayProtocols, nonNil(protocols))
			assert.Equal(t, tc.Derived.RouteProtocols, nonNil(routeProtocols))
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// A Go requirer must write exactly what the Python requirer writes.
func TestValidVectorsEncodeByteIdentical(t *testing.T) {
	cases := loadCases[validCase](t, "valid.json")
	require.Len(t, cases, 29)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tc.Config))
			require.NoError(t, err)
			out, err := cfg.Encode()
			require.NoError(t, err)
			assert.Equal(t, tc.Config, string(out))
		})
	}
}

func TestInvalidVectorsRejectedWithFieldPaths(t *testing.T) {
	for _, tc := range loadCases[invalidCase](t, "invalid.json") {
		t.Run(tc.Name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tc.Input))
			require.Error(t, err)
			assert.Nil(t, cfg)
			assert.ErrorIs(t, err, ErrInvalidConfig)

			if tc.Errors[0].Type == "json_invalid" {
				var syn *SyntaxError
				assert.ErrorAs(t, err, &syn)
				return
			}
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			var want, got []string
			for _, e := range tc.Errors {
				want = append(want, pydanticPath(e.Loc))
			}
			for _, f := range verr.Fields {
				got = append(got, f.Path)
			}
			assert.Equal(t, want, got, "error: %v", err)
		})
	}
}

func TestErrorMessageNamesFieldPath(t *testing.T) {
	in := `{"model":"m","http_routes":[{"name":"r","listener":{"port":80,"protocol":"HTTP"},` +
		`"backends":[{"service":"a","port":80},{"service":"b","port":80,"weight":101}]}]}`
	_, err := ParseConfig([]byte(in))
	require.Error(t, err)
	assert.Equal(t, "invalid istio_ingress_route config: http_routes[0].backends[1].weight: must be between 1 and 100",
		err.Error())
	var verr *ValidationError
	require.True(t, errors.As(err, &verr))
	assert.Equal(t, []FieldError{{Path: "http_routes[0].backends[1].weight", Msg: "must be between 1 and 100"}}, verr.Fields)
}

func FuzzParseConfig(f *testing.F) {
	for _, tc := range loadCases[validCase](f, "valid.json") {
		f.Add([]byte(tc.Config))
	}
	for _, tc := range loadCases[invalidCase](f, "invalid.json") {
		f.Add([]byte(tc.Input))
	}
	for _, s := range extraSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidConfig)
			return
		}
		// Whatever the provider accepts, the requirer can write back, and
		// what it writes decodes to the same config and re-encodes stably.
		out, err := cfg.Encode()
		require.NoError(t, err)
		again, err := ParseConfig(out)
		require.NoError(t, err, "re-parsing %q", out)
		out2, err := again.Encode()
		require.NoError(t, err)
		require.Equal(t, string(out), string(out2))
		require.True(t, json.Valid(out), "encoded output is not JSON: %q", out)
	})
}

// extraSeeds exercise the lax and newer-library paths the vectors do not.
var extraSeeds = []string{
	`{"model":"m","listeners":[{"port":"8080","protocol":"HTTP"},{"port":80.0,"protocol":"GRPC"},{"port":true,"protocol":"HTTP"}]}`,
	`{"model":"m","x":NaN,"y":[Infinity,-Infinity],"z":{"a":{"b":[1e999]}}}`,
	`{"model":"m","http_routes":[{"name":"r","listener":{"port":80,"protocol":"HTTP"},"backends":[],` +
		`"filters":[{"type":"URLRewrite","urlRewrite":{"hostname":"h","path":{"type":"ReplacePrefixMatch","replacePrefixMatch":"/"}}},` +
		`{"requestRedirect":{"scheme":"https","port":443,"statusCode":302,"path":{"type":"ReplaceFullPath","value":"/x"}}}]}]}`,
	`{"model":"m","grpc_routes":[{"name":"g","listener":{"port":9,"protocol":"GRPC"},"backends":[],"filters":[{"requestRedirect":{}}]}]}`,
	`{"model":"m","http_routes":[{"name":"r","listener":{"port":80,"protocol":"HTTP"},"backends":[],"matches":[{"headers":{"a":"1","b":"2","a":"3"}}]}]}`,
	`{"model":"\ud83d\ude00 \u2028"}`,
}
