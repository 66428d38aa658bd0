package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// newRootCmd builds the CLI people use; Juju never reaches it.
func newRootCmd(version string) *cobra.Command {
	root := &cobra.Command{
		Use:   "charm",
		Short: "The istio-ingress-k8s Juju charm",
		Long: `istio-ingress-k8s exposes Juju applications outside Kubernetes through an
Istio Gateway API ingress.

Juju runs this binary through the charm's dispatch script, with JUJU_DISPATCH_PATH
naming the hook. Run by hand, it offers the commands below.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newVersionCmd(version))
	root.AddCommand(newRenderCmd(time.Now))
	return root
}

func newVersionCmd(version string) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the charm version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), version)
			return err
		},
	}
}
