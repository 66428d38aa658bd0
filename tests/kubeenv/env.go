// Package kubeenv runs a real etcd and kube-apiserver for integration tests,
// with the Gateway API and Istio CRDs installed; it may import client-go and
// the modules that ship the CRDs, nothing of the charm. There are no
// controllers: tests play Istio's part through the helpers in fixtures.go.
package kubeenv

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	modulePath = "github.com/canonical/istio-ingress-k8s-go"
	dirPrefix  = "kubeenv-"
	ownerFile  = "owner.pid"
	// stopGrace is how long a process gets to exit after SIGTERM.
	stopGrace   = 15 * time.Second
	pollEvery   = 100 * time.Millisecond
	startTries  = 3
	userName    = "kubeenv-admin"
	adminsGroup = "system:masters"
)

// Env is one running etcd + kube-apiserver pair.
type Env struct {
	repoRoot       string
	dir            string
	kubeconfigPath string
	token          string
	caPEM          []byte

	launcher *launcher
	etcd     *process

	mu            sync.Mutex // guards apiserver across Restart
	apiserver     *process
	apiserverBin  string
	apiserverArgs []string
	host          string

	stopOnce sync.Once
	stopErr  error
}

// Option changes how Start sets up the environment.
type Option func(*options)

type options struct {
	skipCRDs bool
}

// WithoutCRDs leaves the Gateway API and Istio CRDs uninstalled, for tests of
// what happens when a cluster lacks them (install later with InstallCRDs).
func WithoutCRDs() Option { return func(o *options) { o.skipCRDs = true } }

// Start launches etcd and kube-apiserver on free loopback ports, writes a
// kubeconfig and installs the CRDs. Call Stop when done.
func Start(ctx context.Context, opts ...Option) (*Env, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	root, err := findRepoRoot()
	if err != nil {
		return nil, err
	}
	apiserverBin, err := apiserverBinary(root)
	if err != nil {
		return nil, err
	}
	etcdBin, err := etcdBinary()
	if err != nil {
		return nil, err
	}
	base := scratchBase()
	sweepStaleDirs(base)
	dir, err := os.MkdirTemp(base, dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("create temp dir: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("write owner file: %w", err)
	}
	e := &Env{repoRoot: root, dir: dir, apiserverBin: apiserverBin, launcher: newLauncher()}
	if err := e.start(ctx, etcdBin, o); err != nil {
		_ = e.Stop()
		return nil, err
	}
	return e, nil
}

func (e *Env) start(ctx context.Context, etcdBin string, o options) error {
	if err := e.startEtcd(ctx, etcdBin); err != nil {
		return err
	}
	if err := e.prepareAPIServer(); err != nil {
		return err
	}
	if err := e.startAPIServer(ctx); err != nil {
		return err
	}
	if err := e.writeKubeconfig(); err != nil {
		return err
	}
	if !o.skipCRDs {
		return e.InstallCRDs(ctx, GatewayAPICRDs, IstioCRDs)
	}
	return nil
}

func (e *Env) startEtcd(ctx context.Context, bin string) error {
	var lastErr error
	for range startTries {
		ports, err := freePorts(2)
		if err != nil {
			return err
		}
		dataDir := filepath.Join(e.dir, "etcd")
		if err := os.RemoveAll(dataDir); err != nil {
			return fmt.Errorf("reset etcd data dir: %w", err)
		}
		client := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
		peer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
		p, err := e.launcher.run("etcd", filepath.Join(e.dir, "etcd.log"), bin,
			"--name=kubeenv",
			"--data-dir="+dataDir,
			"--listen-client-urls="+client,
			"--advertise-client-urls="+client,
			"--listen-peer-urls="+peer,
			"--initial-advertise-peer-urls="+peer,
			"--initial-cluster=kubeenv="+peer,
			// Large CRDs (HTTPRoute) exceed the 1.5 MiB default request size.
			"--max-request-bytes=10485760",
		)
		if err != nil {
			return err
		}
		e.etcd = p
		err = waitReady(ctx, p, func(c context.Context) bool { return etcdHealthy(c, client) })
		if err == nil {
			e.apiserverArgs = append(e.apiserverArgs, "--etcd-servers="+client)
			return nil
		}
		p.stop(stopGrace)
		if !errors.Is(err, errAddrInUse) {
			return err
		}
		lastErr = err
	}
	return lastErr
}

// prepareAPIServer writes the keys, certificate and token file and fixes the
// flags (all but the port), so Restart reuses them exactly.
func (e *Env) prepareAPIServer() error {
	saKey := filepath.Join(e.dir, "sa.key")
	if err := writeServiceAccountKey(saKey); err != nil {
		return err
	}
	certFile, keyFile := filepath.Join(e.dir, "serving.crt"), filepath.Join(e.dir, "serving.key")
	caPEM, err := writeServingCert(certFile, keyFile)
	if err != nil {
		return err
	}
	e.caPEM = caPEM
	token, err := randomToken()
	if err != nil {
		return err
	}
	e.token = token
	tokens := filepath.Join(e.dir, "tokens.csv")
	line := fmt.Sprintf("%s,%s,%s,%q\n", token, userName, userName, adminsGroup)
	if err := os.WriteFile(tokens, []byte(line), 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	e.apiserverArgs = append(e.apiserverArgs,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--cert-dir="+filepath.Join(e.dir, "certs"),
		"--tls-cert-file="+certFile,
		"--tls-private-key-file="+keyFile,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+saKey,
		"--service-account-signing-key-file="+saKey,
		"--token-auth-file="+tokens,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.96.0.0/16",
	)
	return nil
}

func (e *Env) startAPIServer(ctx context.Context) error {
	var lastErr error
	for range startTries {
		ports, err := freePorts(1)
		if err != nil {
			return err
		}
		err = e.runAPIServer(ctx, ports[0])
		if err == nil || !errors.Is(err, errAddrInUse) {
			return err
		}
		lastErr = err
	}
	return lastErr
}

func (e *Env) runAPIServer(ctx context.Context, port int) error {
	args := append(append([]string(nil), e.apiserverArgs...), "--secure-port="+strconv.Itoa(port))
	p, err := e.launcher.run("kube-apiserver", filepath.Join(e.dir, "kube-apiserver.log"), e.apiserverBin, args...)
	if err != nil {
		return err
	}
	host := fmt.Sprintf("https://127.0.0.1:%d", port)
	probe, err := e.probeClient()
	if err != nil {
		p.stop(stopGrace)
		return err
	}
	err = waitReady(ctx, p, func(c context.Context) bool { return e.apiserverReady(c, probe, host) })
	if err != nil {
		p.stop(stopGrace)
		return err
	}
	e.apiserver, e.host = p, host
	return nil
}

func (e *Env) probeClient() (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(e.caPEM) {
		return nil, errors.New("serving certificate is not valid PEM")
	}
	return &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}, nil
}

func (e *Env) apiserverReady(ctx context.Context, c *http.Client, host string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, host+"/readyz", nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

func etcdHealthy(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
	if err != nil {
		return false
	}
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`"true"`))
}

// waitReady polls ready until it holds, the process exits, or ctx ends.
func waitReady(ctx context.Context, p *process, ready func(context.Context) bool) error {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		if ready(ctx) {
			return nil
		}
		if p.exited() {
			return p.startFailure()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w; last log lines:\n%s", p.name, ctx.Err(), p.logTail(20))
		case <-t.C:
		}
	}
}

func (e *Env) writeKubeconfig() error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kubeenv"] = &clientcmdapi.Cluster{Server: e.host, CertificateAuthorityData: e.caPEM}
	cfg.AuthInfos["kubeenv"] = &clientcmdapi.AuthInfo{Token: e.token}
	cfg.Contexts["kubeenv"] = &clientcmdapi.Context{Cluster: "kubeenv", AuthInfo: "kubeenv"}
	cfg.CurrentContext = "kubeenv"
	e.kubeconfigPath = filepath.Join(e.dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, e.kubeconfigPath); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

// RESTConfig returns a fresh copy of the admin client config each call, so a
// test may wrap its transport (e.g. to count requests) without affecting others.
func (e *Env) RESTConfig() *rest.Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return &rest.Config{
		Host:            e.host,
		BearerToken:     e.token,
		TLSClientConfig: rest.TLSClientConfig{CAData: append([]byte(nil), e.caPEM...)},
	}
}

// KubeconfigPath is a kubeconfig file for the admin user (for KUBECONFIG).
func (e *Env) KubeconfigPath() string { return e.kubeconfigPath }

// Dynamic returns an unthrottled dynamic client for test set-up and checks.
func (e *Env) Dynamic() dynamic.Interface {
	cfg := e.RESTConfig()
	cfg.QPS, cfg.Burst = -1, 0
	cfg.WarningHandler = rest.NoWarnings{} // CRD schema warnings are not ours to fix
	return dynamic.NewForConfigOrDie(cfg)
}

// Restart stops the API server and starts it again on the same port with the
// same flags and etcd, as a control-plane upgrade or crash would.
func (e *Env) Restart(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	port, err := portOf(e.host)
	if err != nil {
		return err
	}
	e.apiserver.stop(stopGrace)
	// The port is free again, but an outgoing connection may hold it for a
	// moment (it is in the kernel's ephemeral range): try for a while.
	for range 20 {
		err = e.runAPIServer(ctx, port)
		if !errors.Is(err, errAddrInUse) {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("restart kube-apiserver: %w", err)
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("restart kube-apiserver: %w", err)
	}
	return nil
}

// Stop kills both processes (their whole process groups) and removes the
// temp directory. Safe to call more than once.
func (e *Env) Stop() error {
	e.stopOnce.Do(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.apiserver != nil {
			e.apiserver.stop(stopGrace)
		}
		if e.etcd != nil {
			e.etcd.stop(stopGrace)
		}
		e.launcher.close()
		if err := os.RemoveAll(e.dir); err != nil {
			e.stopErr = fmt.Errorf("remove %s: %w", e.dir, err)
		}
	})
	return e.stopErr
}

func portOf(host string) (int, error) {
	_, p, err := net.SplitHostPort(strings.TrimPrefix(host, "https://"))
	if err != nil {
		return 0, fmt.Errorf("parse API server address %q: %w", host, err)
	}
	return strconv.Atoi(p)
}

// freePorts reserves n distinct loopback ports at once and releases them for
// the child to bind (a rare race is handled by retrying the start).
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func findRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(data), "module "+modulePath+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("kubeenv: no go.mod for %s above the working directory", modulePath)
		}
		dir = parent
	}
}

func apiserverBinary(root string) (string, error) {
	path := os.Getenv("KUBE_APISERVER")
	if path == "" {
		path = filepath.Join(root, ".cache", "bin", "kube-apiserver")
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("kubeenv: kube-apiserver binary not found at %s (run `make kube-apiserver` to build it, or set KUBE_APISERVER): %w", path, err)
	}
	return path, nil
}

func etcdBinary() (string, error) {
	if path := os.Getenv("ETCD"); path != "" {
		return path, nil
	}
	path, err := exec.LookPath("etcd")
	if err != nil {
		return "", fmt.Errorf("kubeenv: etcd not found on PATH (install Debian's etcd-server package: apt-get install etcd-server, or set ETCD): %w", err)
	}
	return path, nil
}

// scratchBase prefers tmpfs: etcd fsyncs every write and the data is
// throwaway. Only a roomy one: each etcd preallocates 64 MB WAL segments,
// and a container's /dev/shm is often 64 MB in all.
func scratchBase() string {
	const room = 1 << 30 // a few servers at once, with margin
	var fs syscall.Statfs_t
	if syscall.Access("/dev/shm", 0o2) == nil && syscall.Statfs("/dev/shm", &fs) == nil && fs.Bavail*uint64(fs.Bsize) >= room {
		return "/dev/shm"
	}
	return os.TempDir()
}

// sweepStaleDirs removes directories left by test binaries that died without
// Stop (their children died with them through Pdeathsig).
func sweepStaleDirs(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, ent := range entries {
		if !ent.IsDir() || !strings.HasPrefix(ent.Name(), dirPrefix) {
			continue
		}
		dir := filepath.Join(base, ent.Name())
		data, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // being created right now, or not ours
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(dir)
		}
	}
}
