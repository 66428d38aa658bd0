package tlscert

import (
	"bytes"
	"fmt"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/relation/certificates"
)

// Situation is what the charm knows of its certificate in one hook.
type Situation struct {
	Now time.Time
	// Requested is the CSR this application has in the relation ("" none).
	Requested string
	// Provider is the provider's bag, decoded; ProviderApp names it.
	Provider    certificates.Provider
	ProviderApp string
	// Live are the pairs the gateway's Secrets hold now, preferred first.
	Live []LivePair
	// Key loads the gateway's private key (nil, nil when there is none
	// yet). It is called only when a pair must be built from the provider's
	// certificate: a hook where the served certificate is unchanged reads
	// no secret.
	Key func() (*Key, error)
}

// LivePair is a certificate chain and key read back from a Secret.
type LivePair struct {
	CertPEM, KeyPEM string
}

// Decision is which certificate the gateway serves and what the charm
// must do about its request.
type Decision struct {
	// Serve is the pair the gateway serves; nil when there is no valid
	// certificate: the gateway then serves plain HTTP.
	Serve *Pair
	// FromProvider says Serve is the provider's answer to Requested (not
	// a pair kept from before).
	FromProvider bool
	// Requested is the request in the relation, parsed (nil: none, or
	// one that does not parse, which is replaced).
	Requested *Request
	// Pending: the provider has not answered Requested yet.
	Pending bool
	// Refused is the provider's refusal of Requested.
	Refused *certificates.ProviderError
	// Problem says why the provider's certificate for Requested is not served.
	Problem string
	// Revoked: the provider revoked the certificate it issued for
	// Requested. A new key and request are due.
	Revoked bool
	// NoKey: a certificate arrived but the key it was requested with is
	// gone. A new key and request are due.
	NoKey bool
	// Stale: the request was made with another key than the one held.
	// A new request is due.
	Stale bool
	// Renew: the provider's certificate for Requested is due for renewal.
	Renew bool
	// Expiring: Serve is a pair kept from before (Requested, for other
	// names, is not answered) and is past its renewal time: unless the
	// provider answers before Serve's NotAfter, the gateway loses HTTPS.
	Expiring bool
}

// Decide picks the pair the gateway serves: the provider's certificate
// for the request in the relation when it checks out, else the pair the
// gateway already serves while it is still good (in date, not revoked),
// else none. The error is the key's failing to load.
func Decide(s Situation) (Decision, error) {
	var d Decision
	live := s.liveGood()
	if s.Requested != "" {
		if r, err := ParseCSR(s.Requested); err == nil {
			d.Requested = &r
		}
	}
	if d.Requested != nil {
		if e, ok := s.Provider.ErrorFor(s.Requested); ok {
			d.Refused = &e.Error
		}
		c, issued := s.Provider.CertificateFor(s.Requested)
		switch {
		case !issued:
			d.Pending = d.Refused == nil
		case c.IsRevoked():
			d.Revoked = true
		default:
			if err := d.takeIssued(s, c, live); err != nil {
				return d, err
			}
		}
	}
	if d.Serve == nil && live != nil {
		d.Serve = live
		d.Expiring = !s.Now.Before(RenewAt(live.Leaf, nil))
	}
	return d, nil
}

// takeIssued judges the provider's certificate for our request.
func (d *Decision) takeIssued(s Situation, c certificates.Certificate, live *Pair) error {
	from := "the certificate from " + s.ProviderApp
	if leaf, err := ParseLeaf(c.Certificate); err == nil && !s.Now.Before(RenewAt(leaf, c.RecommendedExpiryNotificationTime)) {
		d.Renew = true
	}
	in := Issued{Certificate: c.Certificate, CA: c.CA, Chain: c.Chain}
	p, err := in.check(d.Requested.SANs, s.Now)
	if err != nil {
		d.Problem = fmt.Sprintf("%s: %v", from, err)
		return nil
	}
	if !samePublic(d.Requested.Public, p.Leaf.PublicKey) {
		d.Problem = from + ": it is not for the key of the request"
		return nil
	}
	if live != nil && live.Same(p) && live.CertPEM == p.CertPEM {
		d.Serve, d.FromProvider = live, true // already served: no key needed
		return nil
	}
	key, err := s.Key()
	if err != nil {
		return err
	}
	if key == nil {
		d.NoKey = true
		return nil
	}
	if !samePublic(key.Public(), d.Requested.Public) {
		d.Stale = true
		return nil
	}
	// p is checked, and is for the request's key, which is key: Build's
	// checks would all pass again.
	p.keyPEM = key.PEM()
	d.Serve, d.FromProvider = &p, true
	return nil
}

// liveGood returns the first live pair that is still good to serve.
func (s Situation) liveGood() *Pair {
	for _, lp := range s.Live {
		p, err := Serving(lp.CertPEM, lp.KeyPEM, s.Now)
		if err != nil || s.revoked(p) {
			continue
		}
		return &p
	}
	return nil
}

// revoked says whether the provider lists p's leaf as revoked.
func (s Situation) revoked(p Pair) bool {
	for _, c := range s.Provider.Certificates {
		if !c.IsRevoked() {
			continue
		}
		if leaf, err := ParseLeaf(c.Certificate); err == nil && bytes.Equal(leaf.Raw, p.Leaf.Raw) {
			return true
		}
	}
	return false
}

// RequestReason says why a new request is due given the names wanted now,
// or "" when the one in the relation stands.
func (d Decision) RequestReason(wanted SANs) string {
	switch {
	case wanted.Empty():
		return ""
	case d.Requested == nil:
		return "no certificate requested yet"
	case d.Revoked:
		return "the certificate was revoked"
	case d.NoKey:
		return "the key of the request is gone"
	case d.Stale:
		return "the request was made with another key"
	case !d.Requested.SANs.Equal(wanted):
		return "the names changed"
	case d.Renew:
		return "the certificate is due for renewal"
	}
	return ""
}
