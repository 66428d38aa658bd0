// Package certificates is the wire format of the tls-certificates interface
// (v4, as canonical/charmlibs' tls_certificates library speaks it), both
// sides: the requirer's certificate_signing_requests, and the provider's
// certificates, request_errors and capabilities. It decodes, validates and
// encodes bags; it parses no PEM and does no I/O. It imports only the
// standard library and relation/wire.
package certificates

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// Bag keys. Every value is a JSON document, written with json.dumps.
const (
	// KeyRequests is the requirer's list of CSRs (its app bag in the
	// library's APP mode, its unit bag in UNIT mode).
	KeyRequests = "certificate_signing_requests"
	// KeyCertificates, KeyRequestErrors and KeyCapabilities are the
	// provider's app bag.
	KeyCertificates  = "certificates"
	KeyRequestErrors = "request_errors"
	KeyCapabilities  = "capabilities"
)

// Request is one certificate signing request of the requirer.
type Request struct {
	CSR string `json:"certificate_signing_request"`
	CA  bool   `json:"ca"`
}

// RequestBag is the requirer bag asking for csrs (PEM, each trimmed as the
// library does), none of them for a CA. No CSR deletes the key.
func RequestBag(csrs ...string) map[string]string {
	if len(csrs) == 0 {
		return map[string]string{KeyRequests: ""}
	}
	reqs := make([]Request, len(csrs))
	for i, c := range csrs {
		reqs[i] = Request{CSR: strings.TrimSpace(c)}
	}
	body, _ := wire.PyDumps(reqs) // strings and bools: cannot fail
	return map[string]string{KeyRequests: body}
}

// ParseRequests reads a requirer bag's CSRs; no key is no request.
func ParseRequests(bag map[string]string) ([]Request, error) {
	raw := strings.TrimSpace(bag[KeyRequests])
	if raw == "" {
		return nil, nil
	}
	var reqs []Request
	if err := json.Unmarshal([]byte(raw), &reqs); err != nil {
		return nil, &wire.FieldError{Path: KeyRequests, Msg: "not a JSON list of requests", Kind: wire.ErrInvalid, Cause: err}
	}
	for i, r := range reqs {
		if strings.TrimSpace(r.CSR) == "" {
			return nil, wire.Missing(fmt.Sprintf("%s[%d].certificate_signing_request", KeyRequests, i))
		}
	}
	return reqs, nil
}

// Certificate is one certificate the provider issued.
type Certificate struct {
	CA          string   `json:"ca"`
	CSR         string   `json:"certificate_signing_request"`
	Certificate string   `json:"certificate"`
	Chain       []string `json:"chain,omitempty"`
	// RecommendedExpiryNotificationTime is how long (seconds) before the
	// certificate expires the provider advises renewing it; nil when not said.
	RecommendedExpiryNotificationTime *int64 `json:"recommended_expiry_notification_time,omitempty"`
	Revoked                           *bool  `json:"revoked,omitempty"`
}

// IsRevoked says whether the provider revoked the certificate.
func (c Certificate) IsRevoked() bool { return c.Revoked != nil && *c.Revoked }

// ProviderError is why a provider refused a CSR.
type ProviderError struct {
	Code     int    `json:"code"`
	Name     string `json:"name"`
	Message  string `json:"message"`
	Reason   string `json:"reason,omitempty"`
	Provider string `json:"provider,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
}

// RequestError is a CSR the provider refused. The library writes the CSR
// under "csr"; the interface schema names it certificate_signing_request,
// which is read too.
type RequestError struct {
	CSR   string        `json:"csr"`
	Error ProviderError `json:"error"`
}

func (e *RequestError) UnmarshalJSON(b []byte) error {
	var raw struct {
		CSR      string        `json:"csr"`
		SchemaID string        `json:"certificate_signing_request"`
		Error    ProviderError `json:"error"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	e.CSR, e.Error = raw.CSR, raw.Error
	if e.CSR == "" {
		e.CSR = raw.SchemaID
	}
	return nil
}

// Capabilities is what the provider says it can issue. Every field is
// optional: nil means "not said", never "no".
type Capabilities struct {
	SupportsIPSANs         *bool    `json:"supports_ip_sans,omitempty"`
	SupportsWildcardDNS    *bool    `json:"supports_wildcard_dns,omitempty"`
	SupportsSubdomain      *bool    `json:"supports_subdomain,omitempty"`
	SupportsCACertificates *bool    `json:"supports_ca_certificates,omitempty"`
	AllowedDomains         []string `json:"allowed_domains,omitempty"`
	ProviderType           string   `json:"provider_type,omitempty"`
}

// Provider is the provider's app bag.
type Provider struct {
	Certificates  []Certificate
	RequestErrors []RequestError
	// Capabilities is nil while the provider has said nothing of them.
	Capabilities *Capabilities
}

// ParseProvider reads the provider's app bag. Each key is read on its own:
// one that cannot be decoded is reported in the joined error and left
// empty, and the others are still returned.
func ParseProvider(bag map[string]string) (Provider, error) {
	var p Provider
	var errs []error
	decode := func(key string, v any) {
		raw := strings.TrimSpace(bag[key])
		if raw == "" {
			return
		}
		if err := json.Unmarshal([]byte(raw), v); err != nil {
			errs = append(errs, &wire.FieldError{Path: key, Msg: "cannot decode", Kind: wire.ErrInvalid, Cause: err})
		}
	}
	decode(KeyCertificates, &p.Certificates)
	decode(KeyRequestErrors, &p.RequestErrors)
	decode(KeyCapabilities, &p.Capabilities)
	return p, errors.Join(errs...)
}

// Bag encodes p as the v4 provider writes it: one json.dumps'd value per
// key, keys left out when empty.
func (p Provider) Bag() map[string]string {
	bag := map[string]string{}
	put := func(key string, v any) {
		body, _ := wire.PyDumps(v) // plain structs: cannot fail
		bag[key] = body
	}
	if len(p.Certificates) > 0 {
		put(KeyCertificates, p.Certificates)
	}
	if len(p.RequestErrors) > 0 {
		put(KeyRequestErrors, p.RequestErrors)
	}
	if p.Capabilities != nil {
		put(KeyCapabilities, p.Capabilities)
	}
	return bag
}

// CertificateFor returns the provider's certificate for csr. CSRs are
// compared by content, so a PEM re-encoded with other line breaks or
// surrounding space still matches, as in the library.
func (p Provider) CertificateFor(csr string) (Certificate, bool) {
	for _, c := range p.Certificates {
		if SameCSR(c.CSR, csr) {
			return c, true
		}
	}
	return Certificate{}, false
}

// ErrorFor returns the provider's refusal of csr.
func (p Provider) ErrorFor(csr string) (RequestError, bool) {
	for _, e := range p.RequestErrors {
		if SameCSR(e.CSR, csr) {
			return e, true
		}
	}
	return RequestError{}, false
}

// SameCSR says whether two PEM CSRs hold the same request: the first PEM
// block's bytes are compared, not the text around them.
func SameCSR(a, b string) bool {
	da, db := firstBlock(a), firstBlock(b)
	if da == nil || db == nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return bytes.Equal(da, db)
}

func firstBlock(s string) []byte {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil
	}
	return block.Bytes
}

// String describes the refusal for a status: the provider's message, with
// its reason when it gave one.
func (e ProviderError) String() string {
	msg := cmpOr(e.Message, e.Name, fmt.Sprintf("error %d", e.Code))
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return wire.Clip(msg, 200)
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
