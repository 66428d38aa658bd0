package state

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// published is the kind of value the charm caches: what it last wrote to
// each relation.
type published struct {
	RemoteApp string            `json:"remote_app"`
	Databag   map[string]string `json:"databag"`
}

func TestMissingFileIsEmptyState(t *testing.T) {
	t.Parallel()
	st, warning, err := Load(filepath.Join(t.TempDir(), FileName))
	require.NoError(t, err)
	require.NoError(t, warning)
	assert.Empty(t, st.Keys())
	var v published
	ok, err := st.Get("anything", &v)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)
	st, _, err := Load(path)
	require.NoError(t, err)
	want := map[string]published{
		"ingress:4":             {RemoteApp: "blog", Databag: map[string]string{"url": "http://1.2.3.4/cos-blog"}},
		"istio-ingress-route:9": {RemoteApp: "api", Databag: map[string]string{}},
	}
	require.NoError(t, st.Put("published", want))
	require.NoError(t, st.Put("gone", 1))
	st.Delete("gone")
	require.NoError(t, st.Save())

	again, warning, err := Load(path)
	require.NoError(t, err)
	require.NoError(t, warning)
	assert.Equal(t, []string{"published"}, again.Keys())
	var got map[string]published
	ok, err := again.Get("published", &got)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, want, got)

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"version": 1`, "the schema version is on disk")
}

func TestSaveMakesFilePrivate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)
	// A pre-existing world-readable file must not stay readable after Save.
	require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"data":{}}`), 0o644))
	st, warning, err := Load(path)
	require.NoError(t, err)
	require.NoError(t, warning)
	require.NoError(t, st.Put("k", "v"))
	require.NoError(t, st.Save())
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	assert.Equal(t, []string{FileName}, dirNames(t, filepath.Dir(path)), "no temporary file left behind")
}

func TestUnusableFileIsMovedAside(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content, wantErr string
	}{
		{"truncated JSON", `{"version":1,"data":{"a":`, "unexpected end"},
		{"not JSON", "\x00\x01garbage", "invalid character"},
		{"unknown version", `{"version":99,"data":{}}`, "version 99"},
		{"no version", `{"data":{"a":1}}`, "version 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), FileName)
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))

			st, warning, err := Load(path)
			require.NoError(t, err)
			assert.Empty(t, st.Keys(), "starts empty")
			var ce *CorruptError
			require.ErrorAs(t, warning, &ce)
			assert.ErrorContains(t, warning, tc.wantErr)
			assert.Equal(t, path+".corrupt-1", ce.MovedTo)
			kept, err := os.ReadFile(ce.MovedTo)
			require.NoError(t, err)
			assert.Equal(t, tc.content, string(kept), "the bad file is kept for inspection")
			_, err = os.Stat(path)
			assert.ErrorIs(t, err, os.ErrNotExist)

			// The fresh state saves normally.
			require.NoError(t, st.Put("k", "v"))
			require.NoError(t, st.Save())
			_, warning, err = Load(path)
			require.NoError(t, err)
			require.NoError(t, warning)
		})
	}
}

func TestSecondCorruptFileDoesNotOverwriteTheFirst(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)
	for i, content := range []string{"first{", "second{"} {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		_, warning, err := Load(path)
		require.NoError(t, err)
		var ce *CorruptError
		require.ErrorAs(t, warning, &ce)
		assert.Equal(t, path+".corrupt-"+string(rune('1'+i)), ce.MovedTo)
	}
	first, err := os.ReadFile(path + ".corrupt-1")
	require.NoError(t, err)
	assert.Equal(t, "first{", string(first))
}

func TestUnreadableFileIsAnError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)
	require.NoError(t, os.Mkdir(path, 0o700)) // a directory where the file should be
	_, _, err := Load(path)
	require.Error(t, err)
}

// TestFailedSaveKeepsPreviousFile breaks each step of the atomic replace and
// checks the previous file is untouched and no temporary file is left.
func TestFailedSaveKeepsPreviousFile(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"create", "write", "sync", "chmod", "close", "rename"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), FileName)
			st, _, err := Load(path)
			require.NoError(t, err)
			require.NoError(t, st.Put("generation", 1))
			require.NoError(t, st.Save())
			before, err := os.ReadFile(path)
			require.NoError(t, err)

			st.fs = failingFS{failAt: step}
			require.NoError(t, st.Put("generation", 2))
			err = st.Save()
			require.ErrorIs(t, err, errInjected)

			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(before), string(after))
			assert.Equal(t, []string{FileName}, dirNames(t, filepath.Dir(path)), "temporary file removed")

			reloaded, warning, err := Load(path)
			require.NoError(t, err)
			require.NoError(t, warning)
			var gen int
			_, err = reloaded.Get("generation", &gen)
			require.NoError(t, err)
			assert.Equal(t, 1, gen)
		})
	}
}

func TestSaveReportsDirectorySyncFailureWithNewContentInPlace(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)
	st, _, err := Load(path)
	require.NoError(t, err)
	st.fs = failingFS{failAt: "syncdir"}
	require.NoError(t, st.Put("k", "v"))
	require.ErrorIs(t, st.Save(), errInjected)
	again, _, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"k"}, again.Keys())
}

// A real failure: the directory is gone, so no temporary file can be made.
func TestSaveIntoMissingDirectoryFails(t *testing.T) {
	t.Parallel()
	st, _, err := Load(filepath.Join(t.TempDir(), "gone", FileName))
	require.NoError(t, err)
	require.Error(t, st.Save())
}

// A real failure where the directory is read-only. Root ignores directory
// permissions, so this only runs as an ordinary user; the injected
// failures above cover the same path everywhere.
func TestSaveIntoReadOnlyDirectoryKeepsPreviousFile(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root bypasses directory permissions")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	st, _, err := Load(path)
	require.NoError(t, err)
	require.NoError(t, st.Put("generation", 1))
	require.NoError(t, st.Save())
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o500))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })

	require.NoError(t, st.Put("generation", 2))
	require.Error(t, st.Save())
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestGetWrongTypeIsAnError(t *testing.T) {
	t.Parallel()
	st, _, err := Load(filepath.Join(t.TempDir(), FileName))
	require.NoError(t, err)
	require.NoError(t, st.Put("k", "a string"))
	var n int
	ok, err := st.Get("k", &n)
	assert.True(t, ok)
	require.Error(t, err)
	require.Error(t, st.Put("bad", func() {}), "unencodable values are refused")
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

var errInjected = errors.New("injected failure")

// failingFS is the real file system with one step made to fail.
type failingFS struct{ failAt string }

func (f failingFS) CreateTemp(dir, pattern string) (tempFile, error) {
	if f.failAt == "create" {
		return nil, errInjected
	}
	tmp, err := osFS{}.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return failingFile{tempFile: tmp, failAt: f.failAt}, nil
}

func (f failingFS) Rename(from, to string) error {
	if f.failAt == "rename" {
		return errInjected
	}
	return osFS{}.Rename(from, to)
}

func (f failingFS) Remove(path string) error { return osFS{}.Remove(path) }

func (f failingFS) SyncDir(dir string) error {
	if f.failAt == "syncdir" {
		return errInjected
	}
	return osFS{}.SyncDir(dir)
}

type failingFile struct {
	tempFile
	failAt string
}

func (f failingFile) Write(p []byte) (int, error) {
	if f.failAt == "write" {
		// A partial write: some bytes reach the temporary file.
		n, _ := f.tempFile.Write(p[:len(p)/2])
		return n, errInjected
	}
	return f.tempFile.Write(p)
}

func (f failingFile) Sync() error {
	if f.failAt == "sync" {
		return errInjected
	}
	return f.tempFile.Sync()
}

func (f failingFile) Chmod(m os.FileMode) error {
	if f.failAt == "chmod" {
		return errInjected
	}
	return f.tempFile.Chmod(m)
}

func (f failingFile) Close() error {
	if f.failAt == "close" {
		_ = f.tempFile.Close()
		return errInjected
	}
	return f.tempFile.Close()
}
