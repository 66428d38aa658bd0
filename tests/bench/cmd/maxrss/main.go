// Command maxrss runs a command and writes the peak resident set size of its
// process tree, in kilobytes, to the file named by $MAXRSS_OUT (appending one
// line per run). The hook benchmark puts it in front of a unit's dispatch.
// Its exit code is the command's.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// outEnv names the variable holding the output file.
const outEnv = "MAXRSS_OUT"

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: maxrss COMMAND [ARG...]")
		return 2
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintf(os.Stderr, "maxrss: %v\n", err)
		return 127
	}
	// wait4's rusage of a child covers the child and the descendants it
	// waited for; Maxrss is the largest of them, in kilobytes on Linux.
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if path := os.Getenv(outEnv); path != "" {
			if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err == nil {
				fmt.Fprintln(f, ru.Maxrss)
				f.Close()
			}
		}
	}
	return cmd.ProcessState.ExitCode()
}
