package charmarchive

import (
	"archive/zip"
	"fmt"
	"io"
)

// List prints each entry of a charm archive with its mode and size, so the
// archive can be inspected without an unzip tool.
func List(path string, w io.Writer) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if _, err := fmt.Fprintf(w, "%s %10d  %s\n", f.Mode(), f.UncompressedSize64, f.Name); err != nil {
			return err
		}
	}
	return nil
}
