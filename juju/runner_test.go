package juju_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// These tests run /bin/sh as a stand-in hook tool.

func TestExecRunnerPassesStdinAndReturnsStdout(t *testing.T) {
	t.Parallel()
	out, err := juju.ExecRunner{}.Run(context.Background(), []byte(`{"a":"b"}`), "sh", "-c", `printf 'got:'; cat`)
	require.NoError(t, err)
	assert.Equal(t, `got:{"a":"b"}`, string(out))
}

func TestExecRunnerFailureCarriesExitCodeAndStderr(t *testing.T) {
	t.Parallel()
	args := []string{"-c", `echo 'ERROR cannot write relation settings' >&2; exit 1`}
	_, err := juju.ExecRunner{}.Run(context.Background(), nil, "sh", args...)
	var te *juju.ToolError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "sh", te.Tool)
	assert.Equal(t, args, te.Args)
	assert.Equal(t, 1, te.ExitCode)
	assert.Equal(t, "ERROR cannot write relation settings\n", te.Stderr)
	assert.Contains(t, err.Error(), "exit status 1")
}

func TestExecRunnerMissingTool(t *testing.T) {
	t.Parallel()
	_, err := juju.ExecRunner{}.Run(context.Background(), nil, "no-such-hook-tool-9f3b")
	var te *juju.ToolError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, -1, te.ExitCode)
	assert.True(t, errors.Is(err, exec.ErrNotFound), "got %v", err)
}

func TestExecRunnerHonoursCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := juju.ExecRunner{}.Run(ctx, nil, "sh", "-c", "sleep 5")
	require.ErrorIs(t, err, context.Canceled)
}

// The environment must reach the tool: hook tools find the unit agent
// through JUJU_CONTEXT_ID and JUJU_AGENT_SOCKET_*.
func TestExecRunnerKeepsEnvironment(t *testing.T) {
	t.Setenv("JUJU_CONTEXT_ID", "istio-ingress-k8s/0-install-123")
	out, err := juju.ExecRunner{}.Run(context.Background(), nil, "sh", "-c", `printf %s "$JUJU_CONTEXT_ID"`)
	require.NoError(t, err)
	assert.Equal(t, "istio-ingress-k8s/0-install-123", string(out))
}

// A fake tool on PATH is found by name, as Juju's tools are.
func TestExecRunnerResolvesThroughPath(t *testing.T) {
	dir := t.TempDir()
	writeExecutable(t, dir+"/is-leader", "#!/bin/sh\necho true\n")
	t.Setenv("PATH", dir+":/usr/bin:/bin")
	leader, err := juju.NewClient(juju.ExecRunner{}).IsLeader(context.Background())
	require.NoError(t, err)
	assert.True(t, leader)
}

func writeExecutable(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o755))
}
