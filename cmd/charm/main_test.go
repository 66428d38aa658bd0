package main

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsHookInvocation(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{path: "", want: false},
		{path: "hooks/install", want: true},
		{path: "hooks/ingress-relation-changed", want: true},
		{path: "actions/show-config", want: true},
		{path: "/var/lib/juju/agents/unit-x-0/charm/hooks/start", want: true},
		{path: "./dispatch", want: false},
		{path: "dispatch", want: false},
		{path: "/tmp/charm/dispatch", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			assert.Equal(t, tt.want, isHookInvocation(tt.path))
		})
	}
}

func TestRunPicksHookOrCLI(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		env          map[string]string
		hookCode     int
		wantCode     int
		wantHookRuns int
		wantStdout   string
	}{
		{
			name:         "hook exit code is passed through",
			env:          map[string]string{"JUJU_DISPATCH_PATH": "hooks/config-changed"},
			hookCode:     3,
			wantCode:     3,
			wantHookRuns: 1,
		},
		{
			name:         "successful hook",
			env:          map[string]string{"JUJU_DISPATCH_PATH": "hooks/install"},
			wantCode:     0,
			wantHookRuns: 1,
		},
		{
			name:       "no dispatch path prints help",
			wantCode:   0,
			wantStdout: "Available Commands:",
		},
		{
			name:       "dispatch script run by hand is the CLI",
			args:       []string{"version"},
			env:        map[string]string{"JUJU_DISPATCH_PATH": "./dispatch"},
			wantCode:   0,
			wantStdout: version + "\n",
		},
		{
			name:     "unknown command fails",
			args:     []string{"frobnicate"},
			wantCode: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hookRuns := 0
			hook := func(_ context.Context, getenv func(string) string, _ io.Writer) int {
				hookRuns++
				assert.Equal(t, tt.env["JUJU_DISPATCH_PATH"], getenv("JUJU_DISPATCH_PATH"))
				return tt.hookCode
			}
			getenv := func(k string) string { return tt.env[k] }
			var stdout, stderr bytes.Buffer

			code := runWith(t.Context(), tt.args, getenv, nil, &stdout, &stderr, hook)

			require.Equal(t, tt.wantCode, code, "stderr: %s", stderr.String())
			assert.Equal(t, tt.wantHookRuns, hookRuns)
			assert.Contains(t, stdout.String(), tt.wantStdout)
		})
	}
}

func TestVersionRejectsArguments(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"version", "extra"}, func(string) string { return "" }, nil, &stdout, &stderr, nil)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "unknown command")
}
