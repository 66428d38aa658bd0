package charmarchive

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Extract unpacks a charm archive into dir as Juju does, keeping each file's
// Unix permission bits. Entries that would land outside dir are refused.
func Extract(archive, dir string) error {
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return fmt.Errorf("open %s: %w", archive, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if err := extractOne(f, dir); err != nil {
			return err
		}
	}
	return nil
}

func extractOne(f *zip.File, dir string) error {
	name := filepath.FromSlash(f.Name)
	if !filepath.IsLocal(name) {
		return fmt.Errorf("archive entry %q escapes the target directory", f.Name)
	}
	target := filepath.Join(dir, name)
	if f.Mode().IsDir() || strings.HasSuffix(f.Name, "/") {
		return os.MkdirAll(target, 0o755)
	}
	if !f.Mode().IsRegular() {
		return fmt.Errorf("archive entry %q is not a regular file", f.Name)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("extract %s: %w", f.Name, err)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("extract %s: %w", f.Name, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, f.Mode().Perm()|0o200)
	if err != nil {
		return fmt.Errorf("extract %s: %w", f.Name, err)
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return fmt.Errorf("extract %s: %w", f.Name, err)
	}
	if err := out.Chmod(f.Mode().Perm()); err != nil {
		out.Close()
		return fmt.Errorf("extract %s: %w", f.Name, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("extract %s: %w", f.Name, err)
	}
	return nil
}
