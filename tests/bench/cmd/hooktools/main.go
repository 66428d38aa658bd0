// Command hooktools is the simulated Juju hook tools (tests/jujusim) plus a
// record of how long each call's process lived, which the tools' own clock
// (HookRun.ToolTime, taken inside the tool's Main) underestimates:
//
//   - start-up: from the charm's fork to main, read from the kernel's
//     per-task run and run-queue times (/proc/self/schedstat; a process that
//     has not slept yet has spent all its life in one or the other);
//   - the rest: from main to just before exit.
//
// Each call appends "context-id <TAB> tool <TAB> start-up ns <TAB> rest ns"
// to the file named by $HOOKBENCH_STARTUP_LOG.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/hooktools"
)

// logEnv names the variable holding the start-up log file.
const logEnv = "HOOKBENCH_STARTUP_LOG"

func main() {
	start := time.Now()
	startup, err := sinceFork()
	tool := filepath.Base(os.Args[0])
	code := hooktools.Main(tool, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if path := os.Getenv(logEnv); path != "" && err == nil {
		if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err == nil {
			fmt.Fprintf(f, "%s\t%s\t%d\t%d\n", os.Getenv("JUJU_CONTEXT_ID"), tool, startup, time.Since(start))
			f.Close()
		}
	}
	os.Exit(code)
}

// sinceFork returns the nanoseconds the main thread has spent running or
// waiting to run since it was forked.
func sinceFork() (int64, error) {
	raw, err := os.ReadFile("/proc/self/schedstat")
	if err != nil {
		return 0, err
	}
	var run, wait int64
	if _, err := fmt.Sscan(string(raw), &run, &wait); err != nil {
		return 0, fmt.Errorf("parse schedstat %q: %w", raw, err)
	}
	return run + wait, nil
}
