// Package jujutest is the one in-memory Juju for unit tests; it may import
// only the juju package and the standard library.
//
// Runner is a fake juju.Runner: it records every hook-tool call (tool,
// argv, stdin) and answers from per-tool handlers, so tests can assert the
// exact argv and simulate any stdout or failure. Model is one unit's view
// of a Juju model (leadership, config, goal state, relations and their app
// bags) whose Runner answers the hook tools from it by Juju's rules.
package jujutest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// Call is one recorded hook-tool invocation.
type Call struct {
	Tool  string
	Args  []string
	Stdin []byte
}

// Argv returns the tool followed by its arguments.
func (c Call) Argv() []string { return append([]string{c.Tool}, c.Args...) }

// Handler answers one call: stdout, or an error (usually a *juju.ToolError).
type Handler func(args []string, stdin []byte) ([]byte, error)

// Runner is a fake juju.Runner. Tools without a handler fail like an
// unknown command, so a test notices calls it did not expect. Safe for
// concurrent use.
type Runner struct {
	mu       sync.Mutex
	handlers map[string]Handler
	calls    []Call
}

// NewRunner returns a Runner with no handlers.
func NewRunner() *Runner { return &Runner{handlers: map[string]Handler{}} }

// Handle sets the handler of a tool, replacing any previous one.
func (r *Runner) Handle(tool string, h Handler) *Runner {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[tool] = h
	return r
}

// Reply makes a tool succeed and print stdout.
func (r *Runner) Reply(tool, stdout string) *Runner {
	return r.Handle(tool, func([]string, []byte) ([]byte, error) { return []byte(stdout), nil })
}

// Accept makes each tool succeed with no output.
func (r *Runner) Accept(tools ...string) *Runner {
	for _, t := range tools {
		r.Reply(t, "")
	}
	return r
}

// Fail makes a tool exit with code and print stderr, as Juju's tools do
// ("ERROR <message>\n").
func (r *Runner) Fail(tool string, code int, stderr string) *Runner {
	return r.Handle(tool, func(args []string, _ []byte) ([]byte, error) {
		return nil, &juju.ToolError{Tool: tool, Args: args, ExitCode: code, Stderr: stderr}
	})
}

// Run implements juju.Runner.
func (r *Runner) Run(_ context.Context, stdin []byte, tool string, args ...string) ([]byte, error) {
	r.mu.Lock()
	r.calls = append(r.calls, Call{Tool: tool, Args: slices.Clone(args), Stdin: slices.Clone(stdin)})
	h := r.handlers[tool]
	r.mu.Unlock()
	if h == nil {
		return nil, &juju.ToolError{Tool: tool, Args: args, ExitCode: 127,
			Stderr: fmt.Sprintf("fake runner: no handler for %s\n", tool)}
	}
	return h(args, stdin)
}

// Calls returns every call so far, in order.
func (r *Runner) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// CallsTo returns the calls of one tool, in order.
func (r *Runner) CallsTo(tool string) []Call {
	var out []Call
	for _, c := range r.Calls() {
		if c.Tool == tool {
			out = append(out, c)
		}
	}
	return out
}
