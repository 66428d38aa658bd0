// Package requirercharm builds and packs the route-requirer test charm (hook
// logic in package requirer, binary in cmd/requirer-charm) so that end-to-end
// tests can relate it to the packed istio-ingress-k8s charm; it may import
// tools/charmarchive, and its tests the simulated Juju.
package requirercharm

import (
	"context"
	"embed"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/tools/charmarchive"
)

// AppName is the charm's name, and the application name tests deploy it as.
const AppName = "route-requirer"

// charmFiles are the charm's dispatch script and metadata.
//
//go:embed charm/dispatch charm/metadata.yaml
var charmFiles embed.FS

const mainPackage = "github.com/canonical/istio-ingress-k8s-go/tests/requirercharm/cmd/requirer-charm"

// Build compiles the charm into a static binary and packs it with
// charmarchive, as make charm packs the gateway charm. It returns the
// archive's path.
func Build(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatalf("requirercharm: %v", err)
	}
	for _, name := range []string{"dispatch", "metadata.yaml"} {
		b, err := charmFiles.ReadFile("charm/" + name)
		if err != nil {
			t.Fatalf("requirercharm: %v", err)
		}
		if err := os.WriteFile(filepath.Join(src, name), b, 0o644); err != nil {
			t.Fatalf("requirercharm: %v", err)
		}
	}
	binary := filepath.Join(dir, "charm")
	cmd := exec.CommandContext(context.Background(), "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", binary, mainPackage)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // static: Juju's charm containers have no libc to link against
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("requirercharm: build: %v\n%s", err, out)
	}
	archive := filepath.Join(dir, AppName+".charm")
	err := charmarchive.Pack(charmarchive.Options{
		SourceDir: src, Binary: binary, Out: archive, StartedAt: time.Unix(0, 0).UTC(),
	})
	if err != nil {
		t.Fatalf("requirercharm: pack: %v", err)
	}
	return archive
}
