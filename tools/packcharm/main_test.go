package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartTime(t *testing.T) {
	started := time.Date(2025, 11, 25, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return started }
	tests := []struct {
		name    string
		epoch   string
		want    time.Time
		wantErr bool
	}{
		{name: "unset uses now", epoch: "", want: started},
		{name: "epoch", epoch: "86400", want: time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)},
		{name: "garbage", epoch: "yesterday", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := startTime(tt.epoch, now)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "got %v", got)
		})
	}
}

func TestRunPackListExtract(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(src, "dispatch"), []byte("#!/bin/sh\n"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "metadata.yaml"), []byte("name: x\n"), 0o644))
	binary := filepath.Join(src, "charm-binary")
	require.NoError(t, os.WriteFile(binary, []byte("bin"), 0o755))
	out := filepath.Join(t.TempDir(), "x.charm")
	getenv := func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": "0"}[k] }

	require.NoError(t, run([]string{"-src", src, "-binary", binary, "-out", out}, getenv, time.Now, io.Discard))

	var listing strings.Builder
	require.NoError(t, run([]string{"-list", out}, getenv, time.Now, &listing))
	assert.Contains(t, listing.String(), "bin/charm")
	dir := t.TempDir()
	require.NoError(t, run([]string{"-extract", out, "-dir", dir}, getenv, time.Now, io.Discard))
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(manifest), "charmcraft-started-at: '1970-01-01T00:00:00.000000Z'")
}

func TestRunRejectsIncompleteArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{args: []string{"-out", "x.charm"}, want: "required"},
		{args: []string{"-binary", "b"}, want: "required"},
		{args: []string{"-extract", "x.charm"}, want: "-dir"},
		{args: []string{"-nope"}, want: "not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := run(tt.args, func(string) string { return "" }, time.Now, io.Discard)
			require.ErrorContains(t, err, tt.want)
		})
	}
}
