// Command charm is the istio-ingress-k8s charm, which Juju runs through the
// dispatch script for every hook and a person runs as a small CLI; it may
// import any package of the charm, none of tests or tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// version is the charm's version, set at build time with
// -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// hookRunner handles one Juju hook and returns the process exit code.
type hookRunner func(ctx context.Context, getenv func(string) string, stderr io.Writer) int

// run is main without the process: it picks hook mode or CLI mode and
// returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(ctx, args, getenv, stdin, stdout, stderr, runHook)
}

func runWith(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer, hook hookRunner) int {
	if isHookInvocation(getenv("JUJU_DISPATCH_PATH")) {
		return hook(ctx, getenv, stderr)
	}
	root := newRootCmd(version)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 1
	}
	return 0
}

// isHookInvocation reports whether Juju is running a hook or action. The
// dispatch script defaults JUJU_DISPATCH_PATH to its own path ($0) for old
// agents that ran hooks/<name> links; when a person runs ./dispatch directly
// that default names the script itself, which is not a hook.
func isHookInvocation(dispatchPath string) bool {
	return dispatchPath != "" && filepath.Base(dispatchPath) != "dispatch"
}
