package juju

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Runner executes one hook tool. stdin may be nil. On failure it returns a
// *ToolError (possibly wrapped) so the Client can classify it from stderr.
type Runner interface {
	Run(ctx context.Context, stdin []byte, tool string, args ...string) ([]byte, error)
}

// ToolError is a hook tool that could not run or exited non-zero.
type ToolError struct {
	Tool     string
	Args     []string
	ExitCode int    // -1 when the tool could not be started or was interrupted
	Stderr   string // as printed by the tool, e.g. "ERROR relation not found\n"
	Err      error  // underlying cause (exec.ErrNotFound, context.Canceled, ...), may be nil
}

func (e *ToolError) Error() string {
	var b strings.Builder
	b.WriteString(e.Tool)
	for _, a := range e.Args {
		b.WriteByte(' ')
		b.WriteString(a)
	}
	if e.ExitCode >= 0 {
		fmt.Fprintf(&b, ": exit status %d", e.ExitCode)
	}
	if msg := strings.TrimSpace(e.Stderr); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	} else if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap exposes the underlying cause, so errors.Is(err, context.Canceled)
// and errors.Is(err, exec.ErrNotFound) work.
func (e *ToolError) Unwrap() error { return e.Err }

// ExecRunner runs hook tools as processes, resolving the tool name through
// PATH and inheriting the whole environment: the tools need
// JUJU_CONTEXT_ID and JUJU_AGENT_SOCKET_* to reach the unit agent.
type ExecRunner struct{}

// Run implements Runner.
func (ExecRunner) Run(ctx context.Context, stdin []byte, tool string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, tool, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	te := &ToolError{Tool: tool, Args: args, ExitCode: -1, Stderr: stderr.String(), Err: err}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() >= 0 {
		te.ExitCode = exitErr.ExitCode()
		te.Err = nil // the exit code and stderr say everything
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		te.ExitCode = -1
		te.Err = ctxErr
	}
	return stdout.Bytes(), te
}
