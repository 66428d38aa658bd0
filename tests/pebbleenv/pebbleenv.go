// Package pebbleenv runs a real Pebble daemon for tests, the version the
// charm's client speaks to, with a stand-in metrics-proxy on its PATH.
package pebbleenv

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Env is one running Pebble.
type Env struct {
	// Dir is $PEBBLE, Pebble's state directory.
	Dir string
	// Socket is Pebble's API socket: what the charm's client dials.
	Socket string
	// MetricsURL is where the stand-in metrics-proxy serves once Pebble
	// has started it.
	MetricsURL string
	// Log is Pebble's output, services' included.
	Log string

	cmd  *exec.Cmd
	done chan struct{}
}

// Start builds the stand-in metrics-proxy, runs `pebble run` in a fresh
// directory and waits until its socket answers. Pebble is stopped when the
// test ends. It never skips: a missing binary fails with the fix.
func Start(t testing.TB) *Env {
	t.Helper()
	bin, err := pebbleBinary()
	if err != nil {
		t.Fatal(err)
	}
	// Unix socket paths are limited to 108 bytes: t.TempDir can be longer.
	dir, err := os.MkdirTemp("", "pebble")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	binDir := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(binDir, "metrics-proxy"),
		"github.com/canonical/istio-ingress-k8s-go/tests/pebbleenv/metricsproxy")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the stand-in metrics-proxy: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{
		Dir:        filepath.Join(dir, "pebble"),
		MetricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", port),
		Log:        filepath.Join(dir, "pebble.log"),
		done:       make(chan struct{}),
	}
	e.Socket = filepath.Join(e.Dir, ".pebble.socket")
	logFile, err := os.Create(e.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	e.cmd = exec.Command(bin, "run", "--create-dirs")
	// Services inherit Pebble's environment: PORT places the stand-in.
	e.cmd.Env = append(withoutPebbleVars(os.Environ()),
		"PEBBLE="+e.Dir, fmt.Sprintf("PORT=%d", port),
		"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	e.cmd.Stdout, e.cmd.Stderr = logFile, logFile
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("starting pebble: %v", err)
	}
	go func() { _ = e.cmd.Wait(); close(e.done) }()
	t.Cleanup(e.Stop)
	if err := e.waitUp(30 * time.Second); err != nil {
		t.Fatalf("%v\n%s", err, e.output())
	}
	return e
}

// Stop ends Pebble and its services, as a container restart does.
func (e *Env) Stop() {
	select {
	case <-e.done:
		return
	default:
	}
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
	}
}

func (e *Env) waitUp(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		conn, err := net.Dial("unix", e.Socket)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-e.done:
			return errors.New("pebble exited before its socket answered")
		case <-ctx.Done():
			return fmt.Errorf("pebble's socket %s did not answer within %v: %w", e.Socket, limit, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (e *Env) output() string {
	data, _ := os.ReadFile(e.Log)
	return string(data)
}

// Output is Pebble's log so far, for failure messages.
func (e *Env) Output() string { return e.output() }

func withoutPebbleVars(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PEBBLE") && !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "PORT=") {
			out = append(out, kv)
		}
	}
	return out
}

func pebbleBinary() (string, error) {
	path := os.Getenv("PEBBLE_BIN")
	if path == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", err
		}
		path = filepath.Join(root, ".cache", "bin", "pebble")
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("pebbleenv: pebble binary not found at %s (run `make pebble` to build it, or set PEBBLE_BIN): %w", path, err)
	}
	return path, nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("pebbleenv: go env GOMOD: %w", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

// freePort finds a port for the stand-in to bind later, below Linux's
// ephemeral range (32768-60999 by default): a port the kernel hands out
// for outgoing connections could be taken by one between now and then.
func freePort() (int, error) {
	var err error
	for range 100 {
		port := 20000 + rand.IntN(12000)
		var l net.Listener
		if l, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			l.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free port below the ephemeral range: %w", err)
}
