package main

import (
	"context"
	"io"

	"github.com/canonical/istio-ingress-k8s-go/hooks"
	"github.com/canonical/istio-ingress-k8s-go/juju"
)

// runHook handles the hook Juju is running, with the real hook tools.
func runHook(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	return hooks.Dispatch(ctx, hooks.Deps{Getenv: getenv, Runner: juju.ExecRunner{}, Stderr: stderr})
}
