package certificates

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// pemOf wraps body in a PEM block of the given type, with 64-column lines.
func pemOf(typ string, body []byte) string {
	b64 := base64.StdEncoding.EncodeToString(body)
	var sb strings.Builder
	sb.WriteString("-----BEGIN " + typ + "-----\n")
	for len(b64) > 64 {
		sb.WriteString(b64[:64] + "\n")
		b64 = b64[64:]
	}
	sb.WriteString(b64 + "\n-----END " + typ + "-----\n")
	return sb.String()
}

func TestRequestBagIsWhatTheLibraryWrites(t *testing.T) {
	csr := pemOf("CERTIFICATE REQUEST", []byte("request one"))
	bag := RequestBag(csr)
	// json.dumps of [{"certificate_signing_request": ..., "ca": false}],
	// the PEM trimmed as the library's str(csr).strip().
	want := `[{"certificate_signing_request": "` + strings.ReplaceAll(strings.TrimSpace(csr), "\n", `\n`) + `", "ca": false}]`
	assert.Equal(t, map[string]string{KeyRequests: want}, bag)

	reqs, err := ParseRequests(bag)
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	assert.True(t, SameCSR(csr, reqs[0].CSR))
	assert.False(t, reqs[0].CA)

	assert.Equal(t, map[string]string{KeyRequests: ""}, RequestBag(), "no CSR deletes the key")
}

func TestParseRequestsRefusesGarbage(t *testing.T) {
	_, err := ParseRequests(map[string]string{KeyRequests: "{"})
	assert.ErrorIs(t, err, wire.ErrInvalid)
	_, err = ParseRequests(map[string]string{KeyRequests: `[{"ca": false}]`})
	assert.ErrorIs(t, err, wire.ErrMissing)
	reqs, err := ParseRequests(map[string]string{})
	assert.NoError(t, err)
	assert.Empty(t, reqs)
}

func TestProviderBagRoundTripsAsTheV4ProviderWritesIt(t *testing.T) {
	csr := pemOf("CERTIFICATE REQUEST", []byte("csr"))
	leaf, ca := pemOf("CERTIFICATE", []byte("leaf")), pemOf("CERTIFICATE", []byte("ca"))
	revoked := true
	p := Provider{
		Certificates: []Certificate{{CA: ca, CSR: csr, Certificate: leaf, Chain: []string{leaf, ca}, Revoked: &revoked}},
		RequestErrors: []RequestError{{CSR: csr, Error: ProviderError{
			Code: 101, Name: "ip_not_allowed", Message: "IP addresses are not allowed",
		}}},
		Capabilities: &Capabilities{SupportsIPSANs: new(false), AllowedDomains: []string{"example.com"}},
	}
	bag := p.Bag()
	// The library's pydantic dump: defaults left out, json.dumps separators.
	assert.Contains(t, bag[KeyCertificates], `"chain": [`)
	assert.Contains(t, bag[KeyCertificates], `"revoked": true`)
	assert.NotContains(t, bag[KeyCertificates], "recommended_expiry_notification_time")
	assert.Equal(t, `[{"csr": "`+strings.ReplaceAll(csr, "\n", `\n`)+`", "error": {"code": 101, "name": "ip_not_allowed", "message": "IP addresses are not allowed"}}]`, bag[KeyRequestErrors])
	assert.Equal(t, `{"supports_ip_sans": false, "allowed_domains": ["example.com"]}`, bag[KeyCapabilities])

	got, err := ParseProvider(bag)
	require.NoError(t, err)
	assert.Equal(t, p, got)

	c, ok := got.CertificateFor(strings.TrimSpace(csr) + "\n\n")
	require.True(t, ok, "matched by content, not by spacing")
	assert.True(t, c.IsRevoked())
	e, ok := got.ErrorFor(csr)
	require.True(t, ok)
	assert.Equal(t, "IP addresses are not allowed", e.Error.String())
}

func TestParseProviderReadsEachKeyOnItsOwn(t *testing.T) {
	csr := pemOf("CERTIFICATE REQUEST", []byte("csr"))
	bag := map[string]string{
		KeyCertificates: "not json",
		// The interface schema's spelling of the refused CSR.
		KeyRequestErrors: `[{"certificate_signing_request": ` + string(wire.PyString(csr)) + `, "error": {"code": 999, "name": "other", "message": "", "reason": "backend down"}}]`,
		KeyCapabilities:  `{"supports_ip_sans": true}`,
		"unknown":        "ignored",
	}
	p, err := ParseProvider(bag)
	require.Error(t, err)
	var fe *wire.FieldError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, KeyCertificates, fe.Path)
	assert.Empty(t, p.Certificates)
	e, ok := p.ErrorFor(csr)
	require.True(t, ok)
	assert.Equal(t, "other (backend down)", e.Error.String())
	require.NotNil(t, p.Capabilities)
	assert.True(t, *p.Capabilities.SupportsIPSANs)
	assert.Nil(t, p.Capabilities.SupportsWildcardDNS, "unsaid stays unsaid")
}

func TestSameCSR(t *testing.T) {
	a := pemOf("CERTIFICATE REQUEST", []byte("one"))
	assert.True(t, SameCSR(a, strings.ReplaceAll(a, "\n", "\r\n")))
	assert.False(t, SameCSR(a, pemOf("CERTIFICATE REQUEST", []byte("two"))))
	assert.False(t, SameCSR(a, ""))
}
