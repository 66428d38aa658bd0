package requestauth

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// The library's bag: ops' Relation.save of model_dump(mode="json"), so
// unset fields are null.
const libraryRules = `[{"issuer": "https://example.com", "jwks_uri": null, "audiences": null, "forward_original_token": true, "claim_to_headers": [{"header": "x-user-id", "claim": "email"}, {"header": "x-user-id", "claim": "sub"}], "from_headers": null}, {"issuer": "https://idp.example.com", "jwks_uri": "https://idp.example.com/.well-known/jwks.json", "audiences": ["grafana"], "forward_original_token": null, "claim_to_headers": null, "from_headers": [{"name": "x-token", "prefix": "Bearer "}]}]`

func TestDecodeReadsTheLibrarysRules(t *testing.T) {
	rules, err := Decode(map[string]string{"jwt_rules": libraryRules})
	require.NoError(t, err)
	yes, bearer := true, "Bearer "
	assert.Equal(t, []JWTRule{
		{Issuer: "https://example.com", ForwardOriginalToken: &yes,
			ClaimToHeaders: []ClaimToHeader{{"x-user-id", "email"}, {"x-user-id", "sub"}}},
		{Issuer: "https://idp.example.com", JWKSURI: "https://idp.example.com/.well-known/jwks.json", Audiences: []string{"grafana"},
			FromHeaders: []FromHeader{{Name: "x-token", Prefix: &bearer}}},
	}, rules)
}

func TestDecodeNothingAskedYet(t *testing.T) {
	for _, bag := range []map[string]string{{}, {"jwt_rules": "null"}, {"jwt_rules": "[]"}} {
		rules, err := Decode(bag)
		assert.NoError(t, err)
		assert.Empty(t, rules)
	}
}

func TestDecodeNamesTheBadField(t *testing.T) {
	tests := []struct{ name, raw, path string }{
		{"garbage", `{not json`, "jwt_rules"},
		{"an object", `{"issuer": "x"}`, "jwt_rules"},
		{"no issuer", `[{"jwks_uri": null}]`, "jwt_rules[0].issuer"},
		{"issuer a number", `[{"issuer": 3}]`, "jwt_rules[0]"},
		{"empty issuer", `[{"issuer": ""}]`, "jwt_rules[0].issuer"},
		{"jwks not a URL", `[{"issuer": "i", "jwks_uri": "file:///etc/passwd"}]`, "jwt_rules[0].jwks_uri"},
		{"bad header", `[{"issuer": "i", "claim_to_headers": [{"header": "x y", "claim": "sub"}]}]`, "jwt_rules[0].claim_to_headers[0].header"},
		{"claim missing", `[{"issuer": "i", "claim_to_headers": [{"header": "x"}]}]`, "jwt_rules[0].claim_to_headers[0].claim"},
		{"from header no name", `[{"issuer": "i", "from_headers": [{"prefix": "x"}]}]`, "jwt_rules[0].from_headers[0].name"},
		{"audiences not strings", `[{"issuer": "i", "audiences": [1]}]`, "jwt_rules[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(map[string]string{"jwt_rules": tt.raw})
			var fe *wire.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Equal(t, tt.path, fe.Path)
		})
	}
}
