package tlscert

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
)

// oidUniqueIdentifier is x500UniqueIdentifier, which the tls-certificates
// library puts in every request's subject: RSA signatures are
// deterministic, so without it a renewal for the same names would repeat
// the request it replaces and the provider would not issue again.
var oidUniqueIdentifier = asn1.ObjectIdentifier{2, 5, 4, 45}

// maxCommonName is the longest common name X.509 allows.
const maxCommonName = 64

// NewCSR makes a PEM certificate signing request for sans, signed by key.
// Its common name is primary (the gateway's own name) when sans holds it
// and it fits, else the first name that fits, so the gateway is not named
// after a requirer's hostname; rand also draws the request's unique
// identifier.
func NewCSR(rand io.Reader, key *Key, sans SANs, primary string) (string, error) {
	if sans.Empty() {
		return "", errors.New("no name to request a certificate for")
	}
	id := make([]byte, 16)
	if _, err := io.ReadFull(rand, id); err != nil {
		return "", fmt.Errorf("making a request identifier: %w", err)
	}
	subject := pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidUniqueIdentifier, Value: hex.EncodeToString(id)}}}
	primary = NewSANs(primary).String()
	names := sans.Names()
	if slices.Contains(names, primary) {
		names = append([]string{primary}, names...)
	}
	for _, n := range names {
		if len(n) <= maxCommonName {
			subject.CommonName = n
			break
		}
	}
	tmpl := &x509.CertificateRequest{Subject: subject, DNSNames: sans.DNS}
	for _, ip := range sans.IPs {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.IP(ip.AsSlice()))
	}
	der, err := x509.CreateCertificateRequest(rand, tmpl, key.priv)
	if err != nil {
		return "", fmt.Errorf("signing the certificate request: %w", err)
	}
	return strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))), nil
}

// Request is what a certificate signing request asks for.
type Request struct {
	SANs   SANs
	Public crypto.PublicKey
}

// ParseCSR reads a PEM certificate signing request.
func ParseCSR(p string) (Request, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(p)))
	if block == nil {
		return Request{}, errors.New("the certificate request is not PEM")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return Request{}, fmt.Errorf("the certificate request does not parse: %w", err)
	}
	return Request{SANs: sansOf(csr.DNSNames, csr.IPAddresses), Public: csr.PublicKey}, nil
}
