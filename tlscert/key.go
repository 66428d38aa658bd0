// Package tlscert holds the gateway's key and certificates: it generates
// the private key and certificate signing requests, checks a certificate
// before the gateway serves it (it parses, matches the key, is in date,
// covers the names asked, is not revoked) and builds the chain the gateway
// presents. It does no I/O: randomness and time are passed in. No error or
// String of this package contains key material.
package tlscert

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
)

// KeyBits is the size of the RSA keys generated, as the tls-certificates
// library makes them: every provider signs RSA requests.
const KeyBits = 2048

// Key is the gateway's private key. Its String never shows the key.
type Key struct {
	priv *rsa.PrivateKey
}

// GenerateKey makes a new RSA key from rand (crypto/rand.Reader in the charm).
func GenerateKey(rand io.Reader) (*Key, error) {
	priv, err := rsa.GenerateKey(rand, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("generating a private key: %w", err)
	}
	return &Key{priv: priv}, nil
}

// ErrBadKey is a private key that cannot be used. Its message never
// quotes the key.
var ErrBadKey = errors.New("the private key does not parse as an RSA key")

// ParseKey reads a PEM private key (PKCS#1 or PKCS#8 RSA).
func ParseKey(p string) (*Key, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return nil, ErrBadKey
	}
	if priv, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return &Key{priv: priv}, nil
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, ErrBadKey // the parser's message may quote the input
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, ErrBadKey
	}
	return &Key{priv: priv}, nil
}

// PEM is the key as "RSA PRIVATE KEY" PEM, as the library stores it.
func (k *Key) PEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.priv)}))
}

// Public is the key's public half.
func (k *Key) Public() crypto.PublicKey { return &k.priv.PublicKey }

// String hides the key from any %v or log line that meets it.
func (k *Key) String() string { return "[private key]" }

// GoString hides the key from %#v too.
func (k *Key) GoString() string { return k.String() }

// samePublic says whether two public keys are the same key.
func samePublic(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}
