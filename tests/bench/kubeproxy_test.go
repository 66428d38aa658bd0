package bench

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// kubeCounts is what the charm asked the API server for.
type kubeCounts struct {
	Reads     int // GET (get, list, watch)
	Writes    int // everything else (apply, create, update, delete)
	Discovery int // /api, /apis, /openapi, /version and group-version roots; also counted as reads
	WriteLog  []string
}

// countingProxy is a TLS reverse proxy in front of the API server that
// counts requests. The charm is pointed at it through its own kubeconfig,
// so it still pays for TLS and HTTP/2 as it would against a real cluster.
type countingProxy struct {
	kubeconfig string
	srv        *http.Server

	mu     sync.Mutex
	counts kubeCounts
}

func startCountingProxy(tb testing.TB, upstream *rest.Config) *countingProxy {
	tb.Helper()
	target, err := url.Parse(upstream.Host)
	if err != nil {
		tb.Fatalf("proxy: upstream %q: %v", upstream.Host, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(upstream.CAData) {
		tb.Fatal("proxy: no upstream CA")
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
		MaxIdleConns:      64, MaxIdleConnsPerHost: 64,
	}
	rp.FlushInterval = -1 // stream watches as they come

	cert, certPEM, err := selfSignedCert()
	if err != nil {
		tb.Fatalf("proxy: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("proxy: %v", err)
	}
	p := &countingProxy{}
	p.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.count(r)
			rp.ServeHTTP(w, r)
		}),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: time.Minute,
	}
	go func() {
		if err := p.srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			tb.Errorf("proxy: %v", err)
		}
	}()
	tb.Cleanup(func() { _ = p.srv.Close() })

	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["bench"] = &clientcmdapi.Cluster{Server: "https://" + ln.Addr().String(), CertificateAuthorityData: certPEM}
	cfg.AuthInfos["bench"] = &clientcmdapi.AuthInfo{Token: upstream.BearerToken}
	cfg.Contexts["bench"] = &clientcmdapi.Context{Cluster: "bench", AuthInfo: "bench"}
	cfg.CurrentContext = "bench"
	p.kubeconfig = filepath.Join(tb.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, p.kubeconfig); err != nil {
		tb.Fatalf("proxy: %v", err)
	}
	return p
}

func (p *countingProxy) count(r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if isDiscovery(r.URL.Path) {
		p.counts.Discovery++
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		p.counts.Reads++
		return
	}
	p.counts.Writes++
	p.counts.WriteLog = append(p.counts.WriteLog, r.Method+" "+r.URL.Path)
}

// take returns the counts since the last take and resets them.
func (p *countingProxy) take() kubeCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.counts
	p.counts = kubeCounts{}
	return c
}

// isDiscovery reports the paths a client reads to learn what the server
// serves, rather than to read objects: /api, /apis, /api/v1,
// /apis/<group>[/<version>], /openapi/..., /version.
func isDiscovery(path string) bool {
	path = strings.TrimSuffix(path, "/")
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch parts[0] {
	case "openapi", "version":
		return true
	case "api":
		return len(parts) <= 2
	case "apis":
		return len(parts) <= 3
	}
	return false
}

// selfSignedCert makes the proxy's serving certificate for 127.0.0.1, the
// same key type as the test API server's.
func selfSignedCert() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "hookbench-proxy"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	return cert, certPEM, err
}
