//go:build tools

// Package tools pins the Pebble daemon the tests run, the same version as
// the charm's Pebble client, without adding its command's dependencies to
// the charm's go.mod.
package tools

import _ "github.com/canonical/pebble/cmd/pebble"
