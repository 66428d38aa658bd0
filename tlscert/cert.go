package tlscert

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Pair is a certificate chain and its key as the gateway's Secret holds
// them: CertPEM is the leaf followed by its intermediates. Its String
// never shows the key.
type Pair struct {
	CertPEM string
	keyPEM  string
	Leaf    *x509.Certificate
}

// KeyPEM is the private key of the pair, for the Secret only.
func (p Pair) KeyPEM() string { return p.keyPEM }

func (p Pair) String() string {
	if p.Leaf == nil {
		return "no certificate"
	}
	return fmt.Sprintf("certificate %s (serial %s, until %s)", NewSANs(namesOf(p.Leaf)...), p.Leaf.SerialNumber, p.Leaf.NotAfter.UTC().Format(time.RFC3339))
}

// GoString hides the key from %#v.
func (p Pair) GoString() string { return p.String() }

// Same says whether p and o serve the same leaf.
func (p Pair) Same(o Pair) bool {
	return p.Leaf != nil && o.Leaf != nil && bytes.Equal(p.Leaf.Raw, o.Leaf.Raw)
}

func namesOf(c *x509.Certificate) []string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}

// Issued is a certificate a provider issued: the leaf, the CA that signed
// it and the chain it sent (leaf first, as the library orders it; any
// order is accepted).
type Issued struct {
	Certificate string
	CA          string
	Chain       []string
}

// ParseLeaf reads the first certificate of a PEM text.
func ParseLeaf(p string) (*x509.Certificate, error) {
	certs, err := parseCerts(p)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}

// Build checks an issued certificate against key, the names it was asked
// for and the time, and returns the pair to serve: the leaf, then every
// intermediate of the chain (and the CA when it is one) once each, the
// root left out. The error says why it cannot be served.
func Build(in Issued, key *Key, asked SANs, now time.Time) (Pair, error) {
	p, err := in.check(asked, now)
	if err != nil {
		return Pair{}, err
	}
	if !samePublic(key.Public(), p.Leaf.PublicKey) {
		return Pair{}, errors.New("it is not for the gateway's private key")
	}
	p.keyPEM = key.PEM()
	return p, nil
}

// check is Build without the key: the leaf checked against the names and
// the time, and the chain to serve.
func (in Issued) check(asked SANs, now time.Time) (Pair, error) {
	p, err := in.chain()
	if err != nil {
		return Pair{}, err
	}
	if p.Leaf.IsCA {
		return Pair{}, errors.New("it is a CA certificate")
	}
	if err := inDate(p.Leaf, now); err != nil {
		return Pair{}, err
	}
	if err := asked.coveredBy(p.Leaf); err != nil {
		return Pair{}, err
	}
	return p, nil
}

// RedactedKey stands for the private key where a pair is shown to a
// person (charm render): the key itself is never printed.
const RedactedKey = "(the private key, held in a Juju secret: never shown)"

// Shown is the pair the charm would serve for in, to show: the chain as
// served and RedactedKey. With keyPEM set, it must be in's key. Dates and
// names are not checked.
func Shown(in Issued, keyPEM string) (Pair, error) {
	p, err := in.chain()
	if err != nil {
		return Pair{}, err
	}
	if keyPEM != "" {
		key, err := ParseKey(keyPEM)
		if err != nil {
			return Pair{}, err
		}
		if !samePublic(key.Public(), p.Leaf.PublicKey) {
			return Pair{}, errors.New("it is not for the private key given")
		}
	}
	p.keyPEM = RedactedKey
	return p, nil
}

// chain parses the leaf and builds the chain to serve.
func (in Issued) chain() (Pair, error) {
	leaf, err := ParseLeaf(in.Certificate)
	if err != nil {
		return Pair{}, err
	}
	var rest []*x509.Certificate
	for _, p := range append(append([]string(nil), in.Chain...), in.CA) {
		if strings.TrimSpace(p) == "" {
			continue
		}
		certs, err := parseCerts(p)
		if err != nil {
			return Pair{}, fmt.Errorf("its chain: %w", err)
		}
		rest = append(rest, certs...)
	}
	var chain bytes.Buffer
	seen := [][]byte{leaf.Raw}
	chain.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}))
	for _, c := range rest {
		if selfSigned(c) || containsRaw(seen, c.Raw) {
			continue
		}
		seen = append(seen, c.Raw)
		chain.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return Pair{CertPEM: chain.String(), Leaf: leaf}, nil
}

// Serving checks a pair the gateway already serves (read back from its
// Secret): it parses, the key matches and it is in date. The names are
// not checked: a pair for the names of before keeps serving until the
// certificate for the new ones arrives.
func Serving(certPEM, keyPEM string, now time.Time) (Pair, error) {
	kp, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		if _, err := ParseLeaf(certPEM); err != nil {
			return Pair{}, err // the certificate itself is at fault
		}
		// The message may describe the key; say only that it does not match.
		return Pair{}, errors.New("its private key does not match it")
	}
	if err := inDate(kp.Leaf, now); err != nil {
		return Pair{}, err
	}
	return Pair{CertPEM: certPEM, keyPEM: keyPEM, Leaf: kp.Leaf}, nil
}

func inDate(leaf *x509.Certificate, now time.Time) error {
	switch {
	case now.After(leaf.NotAfter):
		return fmt.Errorf("it expired on %s", leaf.NotAfter.UTC().Format(time.RFC3339))
	case now.Before(leaf.NotBefore):
		return fmt.Errorf("it is not valid before %s", leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	return nil
}

// RenewAt is when a certificate should be replaced: notify seconds before
// it expires when the provider recommends it, else once 90% of its life
// has passed (the library's default).
func RenewAt(leaf *x509.Certificate, notify *int64) time.Time {
	life := leaf.NotAfter.Sub(leaf.NotBefore)
	if notify != nil && *notify > 0 && time.Duration(*notify)*time.Second < life {
		return leaf.NotAfter.Add(-time.Duration(*notify) * time.Second)
	}
	return leaf.NotBefore.Add(life * 9 / 10)
}

func parseCerts(p string) ([]*x509.Certificate, error) {
	rest := []byte(p)
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("it does not parse as a certificate: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("it holds no PEM certificate")
	}
	return out, nil
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}

func containsRaw(list [][]byte, raw []byte) bool {
	for _, r := range list {
		if bytes.Equal(r, raw) {
			return true
		}
	}
	return false
}
