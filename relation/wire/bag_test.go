package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestChangesAsTheLibrariesClearAndDump(t *testing.T) {
	wiped := map[string]string{"ingress": ""}
	served := map[string]string{"ingress": `{"url": "http://10.1.2.3/m-a"}`}
	moved := map[string]string{"ingress": `{"url": "http://10.9.9.9/m-a"}`}
	tests := []struct {
		name  string
		held  map[string]string
		known bool
		want  map[string]string
		delta map[string]string
	}{
		{name: "already published", held: served, known: true, want: served, delta: nil},
		{name: "first publish", held: map[string]string{}, known: true, want: served, delta: served},
		{name: "address moved", held: served, known: true, want: moved, delta: moved},
		{name: "wipe a published URL", held: served, known: true, want: wiped, delta: wiped},
		{name: "wipe an empty bag is a no-op", held: map[string]string{}, known: true, want: wiped, delta: nil},
		{name: "wipe a nil bag is a no-op", held: nil, known: true, want: wiped, delta: nil},
		{name: "unknown held bag: write everything", held: nil, known: false, want: served, delta: served},
		{name: "unknown held bag: wipe anyway", held: served, known: false, want: wiped, delta: wiped},
		{
			name: "stale keys are cleared like the library's clear-then-dump",
			held: map[string]string{"ingress": served["ingress"], "url": "legacy"}, known: true, want: served,
			delta: map[string]string{"url": ""},
		},
		{
			name: "Juju's own unit keys are never deleted",
			held: map[string]string{"host": `"h"`, "ip": `"10.0.0.1"`, "ingress-address": "10.0.0.1", "private-address": "10.0.0.1", "egress-subnets": "10.0.0.1/32"}, known: true,
			want:  map[string]string{"host": `"h"`},
			delta: map[string]string{"ip": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Changes(tt.held, tt.known, tt.want)
			assert.Equal(t, tt.delta, got)
		})
	}
}
