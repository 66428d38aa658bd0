// Package charmarchive writes, lists and unpacks Juju charm archives (.charm
// zip files) with the Unix modes Juju needs, without charmcraft or zip tools;
// it imports only the standard library.
package charmarchive

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// BinaryPath is where the charm binary sits inside the archive; dispatch
// execs it.
const BinaryPath = "bin/charm"

// manifestCharmcraftVersion fills manifest.yaml's charmcraft-version field,
// which Juju and Charmhub expect to be present.
const manifestCharmcraftVersion = "4.0.0"

// Options says what goes into the archive.
type Options struct {
	SourceDir string    // holds dispatch, metadata.yaml, config.yaml and optionally actions.yaml
	Binary    string    // the static charm binary
	Out       string    // the .charm file to write
	StartedAt time.Time // recorded in manifest.yaml and used as every entry's mtime
}

// entry is one file of the archive.
type entry struct {
	name     string
	mode     fs.FileMode
	path     string // read from disk when set
	data     []byte // used when path is empty
	optional bool   // skipped when path does not exist
}

// Pack writes the archive atomically: a reader of Out sees the previous
// archive or the complete new one.
func Pack(opts Options) error {
	entries := []entry{
		{name: "dispatch", mode: 0o755, path: filepath.Join(opts.SourceDir, "dispatch")},
		{name: BinaryPath, mode: 0o755, path: opts.Binary},
		{name: "metadata.yaml", mode: 0o644, path: filepath.Join(opts.SourceDir, "metadata.yaml")},
		{name: "config.yaml", mode: 0o644, path: filepath.Join(opts.SourceDir, "config.yaml"), optional: true},
		{name: "actions.yaml", mode: 0o644, path: filepath.Join(opts.SourceDir, "actions.yaml"), optional: true},
		{name: "manifest.yaml", mode: 0o644, data: manifest(opts.StartedAt)},
	}
	dir := filepath.Dir(opts.Out)
	tmp, err := os.CreateTemp(dir, ".packcharm-*.charm")
	if err != nil {
		return fmt.Errorf("create archive: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename

	if err := writeZip(tmp, entries, opts.StartedAt); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod archive: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close archive: %w", err)
	}
	if err := os.Rename(tmp.Name(), opts.Out); err != nil {
		return fmt.Errorf("install archive: %w", err)
	}
	return nil
}

func writeZip(w io.Writer, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	if err := addDir(zw, "bin/", mtime); err != nil {
		return err
	}
	for _, e := range entries {
		data := e.data
		if e.path != "" {
			b, err := os.ReadFile(e.path)
			if errors.Is(err, fs.ErrNotExist) && e.optional {
				continue
			}
			if err != nil {
				return fmt.Errorf("read %s: %w", e.name, err)
			}
			data = b
		}
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime}
		hdr.SetMode(e.mode)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("add %s: %w", e.name, err)
		}
		if _, err := fw.Write(data); err != nil {
			return fmt.Errorf("write %s: %w", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish archive: %w", err)
	}
	return nil
}

func addDir(zw *zip.Writer, name string, mtime time.Time) error {
	hdr := &zip.FileHeader{Name: name, Method: zip.Store, Modified: mtime}
	hdr.SetMode(fs.ModeDir | 0o755)
	if _, err := zw.CreateHeader(hdr); err != nil {
		return fmt.Errorf("add %s: %w", name, err)
	}
	return nil
}

// manifest renders manifest.yaml as charmcraft writes it; Juju 3 reads the
// charm's bases from it.
func manifest(startedAt time.Time) []byte {
	return fmt.Appendf(nil, `charmcraft-version: %s
charmcraft-started-at: '%s'
bases:
- name: ubuntu
  channel: '24.04'
  architectures:
  - amd64
analysis:
  attributes:
  - name: language
    result: unknown
  - name: framework
    result: unknown
`, manifestCharmcraftVersion, startedAt.UTC().Format("2006-01-02T15:04:05.000000Z"))
}
