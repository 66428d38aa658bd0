// Command packcharm writes a Juju charm archive (.charm) from a built charm
// binary and the charm's metadata files, without charmcraft, and imports only
// tools/charmarchive. It can also list or unpack an archive, so no zip tools
// are needed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/tools/charmarchive"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, time.Now, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "packcharm:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, now func() time.Time, stdout io.Writer) error {
	fs := flag.NewFlagSet("packcharm", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var opts charmarchive.Options
	fs.StringVar(&opts.SourceDir, "src", ".", "charm source directory (dispatch, metadata.yaml, config.yaml, actions.yaml)")
	fs.StringVar(&opts.Binary, "binary", "", "built charm binary, stored as "+charmarchive.BinaryPath)
	fs.StringVar(&opts.Out, "out", "", "archive to write")
	list := fs.String("list", "", "print the entries of this archive instead of packing")
	extract := fs.String("extract", "", "unpack this archive into -dir instead of packing")
	dir := fs.String("dir", "", "directory for -extract")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *list != "":
		return charmarchive.List(*list, stdout)
	case *extract != "":
		if *dir == "" {
			return errors.New("-extract needs -dir")
		}
		return charmarchive.Extract(*extract, *dir)
	}
	if opts.Binary == "" || opts.Out == "" {
		return errors.New("-binary and -out are required")
	}
	started, err := startTime(getenv("SOURCE_DATE_EPOCH"), now)
	if err != nil {
		return err
	}
	opts.StartedAt = started
	return charmarchive.Pack(opts)
}

// startTime honours SOURCE_DATE_EPOCH so archives can be reproducible.
func startTime(sourceDateEpoch string, now func() time.Time) (time.Time, error) {
	if sourceDateEpoch == "" {
		return now().UTC(), nil
	}
	secs, err := strconv.ParseInt(sourceDateEpoch, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", sourceDateEpoch, err)
	}
	return time.Unix(secs, 0).UTC(), nil
}
