// Command requirer-charm is the route-requirer test charm's binary, which
// Juju runs through dispatch for every hook; it imports juju and requirer.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/tests/requirercharm/requirer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "route-requirer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	hook, err := juju.ContextFromEnv(os.Getenv)
	if err != nil {
		return fmt.Errorf("reading the hook environment: %w", err)
	}
	client := juju.NewClient(juju.ExecRunner{})
	if err := requirer.Run(ctx, client, hook); err != nil {
		_ = client.Log(ctx, juju.LogError, err.Error())
		return err
	}
	return nil
}
