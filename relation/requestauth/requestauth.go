// Package requestauth is the wire format of the istio_request_auth
// interface, provider side; it may import relation/wire and the standard
// library only. Decode reads the JWT rules a requirer published under
// "jwt_rules" (written by the Python library with ops' Relation.save: a
// JSON list, null for unset fields). Each rule is checked against what
// Istio's RequestAuthentication schema accepts, so a bad rule is refused
// with its path instead of being sent to the API server. It does no I/O.
package requestauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// KeyJWTRules is the requirer's application bag key.
const KeyJWTRules = "jwt_rules"

// Limits on what one relation may ask.
const (
	MaxBagBytes      = 64 << 10
	MaxRules         = 16
	maxListItems     = 32
	maxStringBytes   = 2048
	maxEchoedBytes   = 64
	maxJWKSURILength = 2048
)

// JWTRule is one rule, as the interface names its fields.
type JWTRule struct {
	Issuer               string
	JWKSURI              string // "" when unset
	Audiences            []string
	ForwardOriginalToken *bool
	ClaimToHeaders       []ClaimToHeader
	FromHeaders          []FromHeader
}

// ClaimToHeader copies a claim of a verified token into a request header.
type ClaimToHeader struct{ Header, Claim string }

// FromHeader is a header a token may be read from, with a prefix to strip.
type FromHeader struct {
	Name   string
	Prefix *string
}

type wireRule struct {
	Issuer               *string          `json:"issuer"`
	JWKSURI              *string          `json:"jwks_uri"`
	Audiences            []string         `json:"audiences"`
	ForwardOriginalToken *bool            `json:"forward_original_token"`
	ClaimToHeaders       []wireClaim      `json:"claim_to_headers"`
	FromHeaders          []wireFromHeader `json:"from_headers"`
}

type wireClaim struct {
	Header *string `json:"header"`
	Claim  *string `json:"claim"`
}

type wireFromHeader struct {
	Name   *string `json:"name"`
	Prefix *string `json:"prefix"`
}

var headerName = regexp.MustCompile(`^[-_A-Za-z0-9]+$`)

// Decode reads the rules. A bag without jwt_rules, or with null or an empty
// list, has asked for nothing yet: (nil, nil). Anything else that is not a
// list of valid rules is an error naming the field.
func Decode(bag map[string]string) ([]JWTRule, error) {
	if err := wire.CheckBagSize(bag, MaxBagBytes); err != nil {
		return nil, err
	}
	raw := strings.TrimSpace(bag[KeyJWTRules])
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var rules []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &rules); err != nil {
		return nil, wire.Invalid(KeyJWTRules, fmt.Sprintf("must be a JSON list of rules, got %q", wire.Clip(raw, maxEchoedBytes)))
	}
	if len(rules) > MaxRules {
		return nil, wire.Invalid(KeyJWTRules, fmt.Sprintf("%d rules, at most %d are read", len(rules), MaxRules))
	}
	out := make([]JWTRule, 0, len(rules))
	for i, r := range rules {
		rule, err := decodeRule(fmt.Sprintf("%s[%d]", KeyJWTRules, i), r)
		if err != nil {
			return nil, err
		}
		out = append(out, rule)
	}
	return out, nil
}

func decodeRule(path string, raw json.RawMessage) (JWTRule, error) {
	var w wireRule
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&w); err != nil {
		return JWTRule{}, wire.Invalid(path, "must be an object with the interface's fields and types")
	}
	if w.Issuer == nil {
		return JWTRule{}, wire.Missing(path + ".issuer")
	}
	r := JWTRule{Issuer: *w.Issuer, Audiences: w.Audiences, ForwardOriginalToken: w.ForwardOriginalToken}
	if err := checkString(path+".issuer", r.Issuer); err != nil {
		return JWTRule{}, err
	}
	if w.JWKSURI != nil {
		r.JWKSURI = *w.JWKSURI
		u, err := url.Parse(r.JWKSURI)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(r.JWKSURI) > maxJWKSURILength || wire.HasControl(r.JWKSURI) {
			return JWTRule{}, wire.Invalid(path+".jwks_uri", fmt.Sprintf("%q is not an http or https URL", wire.Clip(r.JWKSURI, maxEchoedBytes)))
		}
	}
	if len(w.Audiences) > maxListItems || len(w.ClaimToHeaders) > maxListItems || len(w.FromHeaders) > maxListItems {
		return JWTRule{}, wire.Invalid(path, fmt.Sprintf("at most %d audiences, claim_to_headers and from_headers each", maxListItems))
	}
	for i, a := range w.Audiences {
		if err := checkString(fmt.Sprintf("%s.audiences[%d]", path, i), a); err != nil {
			return JWTRule{}, err
		}
	}
	for i, c := range w.ClaimToHeaders {
		p := fmt.Sprintf("%s.claim_to_headers[%d]", path, i)
		switch {
		case c.Header == nil:
			return JWTRule{}, wire.Missing(p + ".header")
		case c.Claim == nil:
			return JWTRule{}, wire.Missing(p + ".claim")
		case !headerName.MatchString(*c.Header) || len(*c.Header) > 256:
			return JWTRule{}, wire.Invalid(p+".header", fmt.Sprintf("%q is not a header name (letters, digits, - and _)", wire.Clip(*c.Header, maxEchoedBytes)))
		}
		if err := checkString(p+".claim", *c.Claim); err != nil {
			return JWTRule{}, err
		}
		r.ClaimToHeaders = append(r.ClaimToHeaders, ClaimToHeader{Header: *c.Header, Claim: *c.Claim})
	}
	for i, h := range w.FromHeaders {
		p := fmt.Sprintf("%s.from_headers[%d]", path, i)
		if h.Name == nil {
			return JWTRule{}, wire.Missing(p + ".name")
		}
		if !headerName.MatchString(*h.Name) || len(*h.Name) > 256 {
			return JWTRule{}, wire.Invalid(p+".name", fmt.Sprintf("%q is not a header name (letters, digits, - and _)", wire.Clip(*h.Name, maxEchoedBytes)))
		}
		if h.Prefix != nil && (wire.HasControl(*h.Prefix) || len(*h.Prefix) > 256) {
			return JWTRule{}, wire.Invalid(p+".prefix", "must be at most 256 bytes without control characters")
		}
		r.FromHeaders = append(r.FromHeaders, FromHeader{Name: *h.Name, Prefix: h.Prefix})
	}
	return r, nil
}

// checkString refuses what the schema does (empty) and what no header or
// token field should hold (control characters, very long values).
func checkString(path, s string) error {
	switch {
	case s == "":
		return wire.Invalid(path, "must not be empty")
	case len(s) > maxStringBytes:
		return wire.Invalid(path, fmt.Sprintf("%d bytes, at most %d", len(s), maxStringBytes))
	case wire.HasControl(s):
		return wire.Invalid(path, "must not contain control characters")
	}
	return nil
}
