package main

import (
	"context"
	"fmt"
	"io"
)

// runHook handles the hook Juju is running.
func runHook(_ context.Context, getenv func(string) string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "hook %s: hook handling is not built into this binary\n", getenv("JUJU_DISPATCH_PATH"))
	return 1
}
