package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string // lines of the table, spaces collapsed
		wantErr string
	}{
		{
			name: "results become rows with the call budget",
			in: "goos: linux\n" +
				"BenchmarkConfigChanged/apps=100/unchanged-2  5  664457234 ns/op  36.59 charm-ms/op  658.9 hook-ms/op  0 k8s-discovery/op  10.00 k8s-reads/op  0 k8s-writes/op  24.05 peak-rss-MB  31.26 tree-rss-MB  109.0 tool-calls/op  622.3 tool-ms/op\n" +
				"    hookbench_test.go:274: writes: PATCH /apis/x\n" +
				"BenchmarkConfigChanged/apps=1/changed  3  1 ns/op  2.5 charm-ms/op\n" +
				"ok  \tpkg\t1.0s\n",
			want: []string{
				"apps case hook ms charm's own ms hook-tool ms tool calls K8s reads K8s writes discovery peak RSS MB tree RSS MB tool-call budget",
				"100 unchanged 658.9 36.6 622.3 109 10 0 0 24.1 31.3 217",
				"1 changed - 2.5 - - - - - - - 19",
			},
		},
		{name: "no results", in: "PASS\n", wantErr: "no benchmark results"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(strings.NewReader(tt.in), &out)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				got = append(got, strings.Join(strings.Fields(line), " "))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
