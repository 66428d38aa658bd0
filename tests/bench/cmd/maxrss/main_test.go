package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperEnv makes the test binary, run as a command, touch helperMB of
// memory and exit instead of running tests.
const helperEnv = "MAXRSS_TEST_ALLOC"

const helperMB = 96

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		buf := make([]byte, helperMB<<20)
		for i := range buf {
			buf[i] = 1
		}
		os.Exit(int(buf[len(buf)-1]) + 1) // 2: uses buf, and checks the exit code passes through
	}
	os.Exit(m.Run())
}

func TestRunReportsOwnAndTreePeaks(t *testing.T) {
	self, err := os.Executable()
	require.NoError(t, err)
	t.Setenv(helperEnv, "1")
	const big, small = helperMB * 1024, 16 * 1024 // KB
	tests := []struct {
		name       string
		args       []string
		ownAtLeast int64
		ownBelow   int64
	}{
		// The command itself allocates: its own peak shows it.
		{name: "command allocates", args: []string{self}, ownAtLeast: big},
		// A child the command waits for allocates: only the tree shows it
		// (the shell forks, since a command follows).
		{name: "child allocates", args: []string{"sh", "-c", `"$0"; exit $?`, self}, ownBelow: small},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "rss")
			require.Equal(t, 2, run(tt.args, out), "the command's exit code")
			raw, err := os.ReadFile(out)
			require.NoError(t, err)
			var own, tree int64
			_, err = fmt.Sscan(string(raw), &own, &tree)
			require.NoError(t, err, "output %q", raw)
			assert.GreaterOrEqual(t, tree, int64(big), "tree peak")
			if tt.ownAtLeast > 0 {
				assert.GreaterOrEqual(t, own, tt.ownAtLeast, "own peak")
			}
			if tt.ownBelow > 0 {
				assert.Less(t, own, tt.ownBelow, "own peak")
				assert.Positive(t, own)
			}
		})
	}
}

func TestVmHWM(t *testing.T) {
	tests := []struct {
		name   string
		status string
		want   int64
		ok     bool
	}{
		{"running", "Name:\tcharm\nVmPeak:\t  900 kB\nVmHWM:\t   51234 kB\nVmRSS:\t 40000 kB\n", 51234, true},
		{"zombie has no memory lines", "Name:\tcharm\nState:\tZ (zombie)\n", 0, false},
		{"reaped reads nothing", "", 0, false},
		{"garbled", "VmHWM:\tlots kB\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := vmHWM(tt.status)
			assert.Equal(t, tt.ok, ok)
			if ok {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func TestRunWithoutCommand(t *testing.T) {
	assert.Equal(t, 2, run(nil, ""))
	assert.Equal(t, 127, run([]string{filepath.Join(t.TempDir(), "missing")}, ""))
}
