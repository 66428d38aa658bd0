package jujusim

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/simstate"
)

// UnitContext is a hook context opened on a unit outside any hook, as
// `juju exec --unit` does: tools run through it see the unit's view of the
// model, and Close commits their buffered changes or drops them.
type UnitContext struct {
	m         *Model
	unit      string
	contextID string
	env       []string
}

// OpenContext opens a hook context on unit. Its Run method is a juju.Runner,
// so the charm's hook-tool client can be pointed at the simulated model.
func (m *Model) OpenContext(unit string) *UnitContext {
	m.t.Helper()
	if _, ok := m.load().Units[unit]; !ok {
		m.fatalf("open context: unit %s not found", unit)
	}
	m.contexts++
	contextID := unit + "-exec-" + itoa(m.contexts)
	env := m.env(hookSpec{unit: unit}, contextID)
	env = slicesDeleteKey(env, "JUJU_DISPATCH_PATH", "JUJU_HOOK_NAME")
	return &UnitContext{m: m, unit: unit, contextID: contextID, env: env}
}

// Run runs a hook tool in the context. Failures are *juju.ToolError, as
// from juju.ExecRunner, so the client classifies them the same way.
func (c *UnitContext) Run(ctx context.Context, stdin []byte, tool string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.m.binDir, tool), args...)
	cmd.Env = c.env
	cmd.Dir = c.m.charmDir(c.unit)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	te := &juju.ToolError{Tool: tool, Args: args, ExitCode: -1, Stderr: stderr.String(), Err: err}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		te.ExitCode, te.Err = exitErr.ExitCode(), nil
	}
	return stdout.Bytes(), te
}

// Close ends the context: commit applies its buffered changes, as when a
// hook exits 0; otherwise they are dropped. Relation data it changed is
// delivered to a related charm by the next operation or Settle.
func (c *UnitContext) Close(commit bool) {
	c.m.t.Helper()
	path := simstate.PendingPath(c.m.modelPath, c.contextID)
	if commit {
		c.m.commit(c.unit, path)
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		c.m.fatalf("%v", err)
	}
}

var _ juju.Runner = (*UnitContext)(nil)
