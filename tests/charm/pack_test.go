package charm

import (
	"archive/zip"
	"debug/elf"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/canonical/istio-ingress-k8s-go/tools/charmarchive"
)

const testVersion = "v9.8.7-packaging-test"

// packedCharm is what the tests below inspect: the archive and where it was
// unpacked.
type packedCharm struct {
	archive string
	dir     string
	files   map[string]*zip.File
}

func buildAndUnpack(t *testing.T) packedCharm {
	t.Helper()
	archive := Build(t, testVersion)
	zr, err := zip.OpenReader(archive)
	require.NoError(t, err)
	t.Cleanup(func() { zr.Close() })
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	dir := t.TempDir()
	require.NoError(t, charmarchive.Extract(archive, dir))
	return packedCharm{archive: archive, dir: dir, files: files}
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, into))
}

// TestPackedCharm checks, in one build, everything Juju relies on in the
// archive: files and modes, a static binary, a dispatch that runs it, and the
// metadata a deployment needs.
func TestPackedCharm(t *testing.T) {
	c := buildAndUnpack(t)

	t.Run("files and modes", func(t *testing.T) {
		want := map[string]fs.FileMode{
			"bin/":          fs.ModeDir | 0o755,
			"dispatch":      0o755,
			"bin/charm":     0o755,
			"metadata.yaml": 0o644,
			"config.yaml":   0o644,
			"manifest.yaml": 0o644,
		}
		got := map[string]fs.FileMode{}
		for name, f := range c.files {
			got[name] = f.Mode()
		}
		assert.Equal(t, want, got)
		for _, name := range []string{"dispatch", "bin/charm"} {
			st, err := os.Stat(filepath.Join(c.dir, name))
			require.NoError(t, err)
			assert.Equal(t, fs.FileMode(0o755), st.Mode().Perm(), "%s after unpacking", name)
		}
	})

	t.Run("binary is static", func(t *testing.T) {
		f, err := elf.Open(filepath.Join(c.dir, "bin/charm"))
		require.NoError(t, err)
		defer f.Close()
		for _, p := range f.Progs {
			assert.NotEqual(t, elf.PT_INTERP, p.Type, "a dynamic loader is required; the charm container has no libc guarantees")
		}
		assert.Equal(t, elf.EM_X86_64, f.Machine)
	})

	t.Run("dispatch runs the CLI", func(t *testing.T) {
		tests := []struct {
			name      string
			args      []string
			elsewhere bool // run from a directory other than the charm's
			want      string
			exact     bool
		}{
			{name: "help without a hook", args: nil, want: "Available Commands:"},
			{name: "version", args: []string{"version"}, want: testVersion + "\n", exact: true},
			{name: "version from another directory", args: []string{"version"}, elsewhere: true, want: testVersion + "\n", exact: true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cmd := exec.CommandContext(t.Context(), filepath.Join(c.dir, "dispatch"), tt.args...)
				cmd.Env = withoutJujuEnv(os.Environ())
				cmd.Dir = c.dir
				if tt.elsewhere {
					cmd.Dir = t.TempDir()
				}
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, "%s", out)
				if tt.exact {
					assert.Equal(t, tt.want, string(out))
				} else {
					assert.Contains(t, string(out), tt.want)
				}
			})
		}
	})

	t.Run("manifest declares the ubuntu 24.04 amd64 base", func(t *testing.T) {
		var manifest struct {
			CharmcraftVersion string `yaml:"charmcraft-version"`
			StartedAt         string `yaml:"charmcraft-started-at"`
			Bases             []struct {
				Name          string   `yaml:"name"`
				Channel       string   `yaml:"channel"`
				Architectures []string `yaml:"architectures"`
			} `yaml:"bases"`
		}
		readYAML(t, filepath.Join(c.dir, "manifest.yaml"), &manifest)
		assert.NotEmpty(t, manifest.CharmcraftVersion)
		assert.NotEmpty(t, manifest.StartedAt)
		require.Len(t, manifest.Bases, 1)
		assert.Equal(t, "ubuntu", manifest.Bases[0].Name)
		assert.Equal(t, "24.04", manifest.Bases[0].Channel)
		assert.Equal(t, []string{"amd64"}, manifest.Bases[0].Architectures)
	})

	t.Run("archive entries are unpacked byte for byte", func(t *testing.T) {
		for name, f := range c.files {
			if f.Mode().IsDir() {
				continue
			}
			rc, err := f.Open()
			require.NoError(t, err)
			want, err := io.ReadAll(rc)
			rc.Close()
			require.NoError(t, err)
			got, err := os.ReadFile(filepath.Join(c.dir, name))
			require.NoError(t, err)
			assert.Equal(t, want, got, name)
		}
	})

	t.Run("metadata", func(t *testing.T) { checkMetadata(t, filepath.Join(c.dir, "metadata.yaml")) })
	t.Run("config", func(t *testing.T) { checkConfig(t, filepath.Join(c.dir, "config.yaml")) })
}

// withoutJujuEnv drops every Juju variable so dispatch runs as a person would.
func withoutJujuEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "JUJU_") || strings.HasPrefix(kv, "CHARM_DIR=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
