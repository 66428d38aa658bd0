package charmarchive

import (
	"archive/zip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var started = time.Date(2025, 11, 25, 10, 0, 0, 0, time.UTC)

func writeSource(t *testing.T, files map[string]string) (src, binary string) {
	t.Helper()
	src = t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(src, name), []byte(content), 0o644))
	}
	binary = filepath.Join(t.TempDir(), "charm")
	require.NoError(t, os.WriteFile(binary, []byte("\x7fELF binary"), 0o700))
	return src, binary
}

func readArchive(t *testing.T, path string) map[string]*zip.File {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	t.Cleanup(func() { zr.Close() })
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	return files
}

func content(t *testing.T, f *zip.File) string {
	t.Helper()
	rc, err := f.Open()
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(b)
}

func TestPackWritesCharmLayout(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		wantFiles map[string]fs.FileMode
	}{
		{
			name: "without actions",
			files: map[string]string{
				"dispatch": "#!/bin/sh\n", "metadata.yaml": "name: x\n", "config.yaml": "options: {}\n",
			},
			wantFiles: map[string]fs.FileMode{
				"bin/": fs.ModeDir | 0o755, "dispatch": 0o755, "bin/charm": 0o755,
				"metadata.yaml": 0o644, "config.yaml": 0o644, "manifest.yaml": 0o644,
			},
		},
		{
			name: "with actions",
			files: map[string]string{
				"dispatch": "#!/bin/sh\n", "metadata.yaml": "name: x\n", "config.yaml": "options: {}\n",
				"actions.yaml": "show: {}\n",
			},
			wantFiles: map[string]fs.FileMode{
				"bin/": fs.ModeDir | 0o755, "dispatch": 0o755, "bin/charm": 0o755,
				"metadata.yaml": 0o644, "config.yaml": 0o644, "manifest.yaml": 0o644, "actions.yaml": 0o644,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, binary := writeSource(t, tt.files)
			out := filepath.Join(t.TempDir(), "x.charm")

			require.NoError(t, Pack(Options{SourceDir: src, Binary: binary, Out: out, StartedAt: started}))

			files := readArchive(t, out)
			got := map[string]fs.FileMode{}
			for name, f := range files {
				got[name] = f.Mode()
			}
			assert.Equal(t, tt.wantFiles, got)
			assert.Equal(t, "\x7fELF binary", content(t, files["bin/charm"]))
			assert.Equal(t, "name: x\n", content(t, files["metadata.yaml"]))
			manifest := content(t, files["manifest.yaml"])
			assert.Contains(t, manifest, "charmcraft-started-at: '2025-11-25T10:00:00.000000Z'")
			assert.Contains(t, manifest, "- name: ubuntu\n  channel: '24.04'\n  architectures:\n  - amd64\n")
		})
	}
}

func TestPackIsReproducible(t *testing.T) {
	src, binary := writeSource(t, map[string]string{"dispatch": "#!/bin/sh\n", "metadata.yaml": "name: x\n"})
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.charm"), filepath.Join(dir, "b.charm")
	require.NoError(t, Pack(Options{SourceDir: src, Binary: binary, Out: a, StartedAt: started}))
	require.NoError(t, Pack(Options{SourceDir: src, Binary: binary, Out: b, StartedAt: started}))
	da, err := os.ReadFile(a)
	require.NoError(t, err)
	db, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, da, db)
}

func TestPackFailureKeepsPreviousArchive(t *testing.T) {
	src, binary := writeSource(t, map[string]string{"dispatch": "#!/bin/sh\n"}) // no metadata.yaml
	dir := t.TempDir()
	out := filepath.Join(dir, "x.charm")
	require.NoError(t, os.WriteFile(out, []byte("previous"), 0o644))

	err := Pack(Options{SourceDir: src, Binary: binary, Out: out, StartedAt: started})

	require.ErrorContains(t, err, "metadata.yaml")
	got, readErr := os.ReadFile(out)
	require.NoError(t, readErr)
	assert.Equal(t, "previous", string(got))
	left, readErr := os.ReadDir(dir)
	require.NoError(t, readErr)
	assert.Len(t, left, 1, "no temporary file is left behind")
}

func TestListShowsModes(t *testing.T) {
	src, binary := writeSource(t, map[string]string{"dispatch": "#!/bin/sh\n", "metadata.yaml": "name: x\n"})
	out := filepath.Join(t.TempDir(), "x.charm")
	require.NoError(t, Pack(Options{SourceDir: src, Binary: binary, Out: out, StartedAt: started}))
	var buf strings.Builder

	require.NoError(t, List(out, &buf))

	assert.Contains(t, buf.String(), "-rwxr-xr-x         10  dispatch\n")
	assert.Contains(t, buf.String(), "-rwxr-xr-x         11  bin/charm\n")
	assert.Contains(t, buf.String(), "-rw-r--r--          8  metadata.yaml\n")
}

func TestExtractKeepsModes(t *testing.T) {
	src, binary := writeSource(t, map[string]string{"dispatch": "#!/bin/sh\n", "metadata.yaml": "name: x\n"})
	out := filepath.Join(t.TempDir(), "x.charm")
	require.NoError(t, Pack(Options{SourceDir: src, Binary: binary, Out: out, StartedAt: started}))
	dir := t.TempDir()

	require.NoError(t, Extract(out, dir))

	for name, want := range map[string]fs.FileMode{"dispatch": 0o755, "bin/charm": 0o755, "metadata.yaml": 0o644, "manifest.yaml": 0o644} {
		st, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.Equal(t, want, st.Mode().Perm(), name)
	}
	got, err := os.ReadFile(filepath.Join(dir, "bin/charm"))
	require.NoError(t, err)
	assert.Equal(t, "\x7fELF binary", string(got))
}

func TestExtractRefusesEscapingEntries(t *testing.T) {
	tests := []string{"../evil", "/abs/evil", "bin/../../evil"}
	for _, name := range tests {
		t.Run(name, func(t *testing.T) {
			archive := filepath.Join(t.TempDir(), "bad.charm")
			f, err := os.Create(archive)
			require.NoError(t, err)
			zw := zip.NewWriter(f)
			w, err := zw.Create(name)
			require.NoError(t, err)
			_, err = w.Write([]byte("x"))
			require.NoError(t, err)
			require.NoError(t, zw.Close())
			require.NoError(t, f.Close())
			dir := filepath.Join(t.TempDir(), "unit")

			err = Extract(archive, dir)

			require.ErrorContains(t, err, "escapes")
			_, statErr := os.Stat(filepath.Join(filepath.Dir(dir), "evil"))
			assert.ErrorIs(t, statErr, fs.ErrNotExist)
		})
	}
}
