// Package charm builds the packed istio-ingress-k8s charm for tests, the way
// a user does (make charm), and holds the packaging tests; it may import
// tools/charmarchive, nothing of the charm's code.
package charm

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ArchiveEnv names a variable holding the path of an already packed charm;
// make test sets it so the suite packs the charm once.
const ArchiveEnv = "ISTIO_INGRESS_CHARM"

// ArchiveName is the file make charm writes.
const ArchiveName = "istio-ingress-k8s_amd64.charm"

// Packed returns a packed charm: the one named by ArchiveEnv, or a fresh one
// built into a temporary directory.
func Packed(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ArchiveEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v", ArchiveEnv, p, err)
		}
		return p
	}
	return Build(t, "")
}

// Build runs make charm into a temporary directory and returns the archive.
// A non-empty version is injected into the binary instead of git's.
func Build(t testing.TB, version string) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, ArchiveName)
	args := []string{"-C", root, "--no-print-directory", "charm",
		"CHARM=" + out, "BUILD_DIR=" + filepath.Join(dir, "build")}
	if version != "" {
		args = append(args, "VERSION="+version)
	}
	cmd := exec.CommandContext(t.Context(), "make", args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make charm: %v\n%s", err, b)
	}
	return out
}

// RepoRoot finds the module root (the directory holding go.mod and the
// Makefile) above the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Makefile")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no go.mod with a Makefile above the working directory")
		}
		dir = parent
	}
}
