// Command maxrss runs a command and appends one line to the file named by
// $MAXRSS_OUT: "<own KB> <tree KB>", two peak resident set sizes in
// kilobytes; it imports only the standard library. The hook benchmark puts it
// in front of a unit's dispatch. Its exit code is the command's.
//
//   - own: the command's own process. dispatch execs the charm binary, so
//     the pid stays the same; maxrss polls VmHWM (the kernel's high-water
//     mark of the process's resident set, which only grows) from
//     /proc/<pid>/status every millisecond until the process exits. The
//     file is opened once and re-read, so it stays bound to that process
//     (never a later one reusing the pid). What the charm gains in the last
//     millisecond before exit can be missed; nothing else.
//   - tree: wait4's Maxrss, the largest of the command and every
//     descendant it waited for, hook tools included.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// outEnv names the variable holding the output file.
const outEnv = "MAXRSS_OUT"

// pollEvery is how often the command's high-water mark is read.
const pollEvery = time.Millisecond

func main() { os.Exit(run(os.Args[1:], os.Getenv(outEnv))) }

// run runs args and appends the line to the file out (none when empty).
func run(args []string, out string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: maxrss COMMAND [ARG...]")
		return 2
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "maxrss: %v\n", err)
		return 127
	}
	own := make(chan int64, 1)
	go func() { own <- pollHWM(cmd.Process.Pid) }()
	err := cmd.Wait()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintf(os.Stderr, "maxrss: %v\n", err)
		return 127
	}
	ownKB := <-own
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if out != "" && ok && ownKB > 0 {
		if f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err == nil {
			// Maxrss is in kilobytes on Linux.
			fmt.Fprintln(f, ownKB, ru.Maxrss)
			f.Close()
		}
	}
	return cmd.ProcessState.ExitCode()
}

// pollHWM returns the largest VmHWM, in kilobytes, read from pid's status
// until the process has exited (its status then has no VmHWM, or reads
// nothing once reaped); 0 if it was never read.
func pollHWM(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 8192)
	var peak int64
	for {
		n, _ := f.ReadAt(buf, 0)
		kb, ok := vmHWM(string(buf[:n]))
		if !ok {
			return peak
		}
		peak = max(peak, kb)
		time.Sleep(pollEvery)
	}
}

// vmHWM parses the "VmHWM:  1234 kB" line of a /proc/<pid>/status.
func vmHWM(status string) (int64, bool) {
	for line := range strings.Lines(status) {
		v, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		return kb, err == nil
	}
	return 0, false
}
