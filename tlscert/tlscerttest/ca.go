// Package tlscerttest is a certificate authority for tests: a root, an
// optional intermediate, and signing of certificate signing requests the
// way a tls-certificates provider does (the request's names and key, the
// CA's chain). Keys are ECDSA P-256: quick to make, and a provider may use
// any key type for its CA.
package tlscerttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// CA signs certificates. With an intermediate, leaves are signed by it and
// Chain is leaf, intermediate, root, as the v4 provider sends it.
type CA struct {
	root, signer *x509.Certificate
	rootKey, key *ecdsa.PrivateKey
}

// NewCA makes a root CA named name valid around now; with intermediate
// set, leaves are signed by an intermediate CA under it.
func NewCA(name string, now time.Time, intermediate bool) (*CA, error) {
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := caTemplate(name, now)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	root, _ := x509.ParseCertificate(der)
	ca := &CA{root: root, signer: root, rootKey: rootKey, key: rootKey}
	if intermediate {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.CreateCertificate(rand.Reader, caTemplate(name+" intermediate", now), root, &key.PublicKey, rootKey)
		if err != nil {
			return nil, err
		}
		ca.signer, _ = x509.ParseCertificate(der)
		ca.key = key
	}
	return ca, nil
}

func caTemplate(name string, now time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

// RootPEM is the root certificate: what clients trust and the bag's "ca"
// when there is no intermediate.
func (c *CA) RootPEM() string { return pemCert(c.root.Raw) }

// CAPEM is the certificate that signs leaves: the bag's "ca".
func (c *CA) CAPEM() string { return pemCert(c.signer.Raw) }

// Pool trusts the root only.
func (c *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.root)
	return p
}

// Sign issues a certificate for csr, valid from notBefore to notAfter, for
// the names and key the request carries.
func (c *CA) Sign(csrPEM string, notBefore, notAfter time.Time) (string, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(csrPEM)))
	if block == nil {
		return "", errors.New("csr is not PEM")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("csr: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return "", fmt.Errorf("csr signature: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: csr.Subject.CommonName},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		DNSNames:     csr.DNSNames,
		IPAddresses:  csr.IPAddresses,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.signer, csr.PublicKey, c.key)
	if err != nil {
		return "", err
	}
	return pemCert(der), nil
}

// Chain is what the v4 provider sends as "chain" for leaf: the leaf, then
// the intermediate (if any), then the root.
func (c *CA) Chain(leaf string) []string {
	out := []string{strings.TrimSpace(leaf)}
	if c.signer != c.root {
		out = append(out, strings.TrimSpace(c.CAPEM()))
	}
	return append(out, strings.TrimSpace(c.RootPEM()))
}

func pemCert(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
