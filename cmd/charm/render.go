package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
	"github.com/canonical/istio-ingress-k8s-go/snapshot/inputfile"
)

// newRenderCmd prints the manifests the charm would apply for a described
// situation, without Juju or a cluster; now dates the certificate check.
func newRenderCmd(now func() time.Time) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "render FILE",
		Short: "Print the Kubernetes objects a set of relation databags would produce",
		Long: `render reads a JSON file describing the charm's situation - app and model
names, config options, the gateway address, TLS state, unit count and every
relation with the remote databags exactly as Juju stores them - and prints the
objects the charm would apply, so that

    charm render FILE | kubectl apply -f -

reproduces them. Use "-" to read the file from standard input. Per-relation
results (served, refused with the collision, invalid, pending) and the status
go to standard error. See examples/ for input files.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "yaml" && output != "json" {
				return fmt.Errorf("--output must be yaml or json, not %q", output)
			}
			data, err := readInput(cmd.InOrStdin(), args[0])
			if err != nil {
				return err
			}
			snap, err := inputfile.Parse(data)
			if err != nil {
				name := args[0]
				if name == "-" {
					name = "standard input"
				}
				return fmt.Errorf("%s: %w", name, err)
			}
			var certNote string
			if c := snap.Certificate; c != nil {
				certNote = "serving " + c.String()
				if t := now(); t.After(c.Leaf.NotAfter) || t.Before(c.Leaf.NotBefore) {
					certNote = fmt.Sprintf("not serving %s: it is not valid now", c)
					snap.Certificate = nil
				}
			}
			desired := snap.Desired()
			plan := gateway.Build(desired.Input)
			var out []byte
			if output == "json" {
				out, err = gateway.MarshalJSON(plan.Objects)
			} else {
				out, err = gateway.MarshalYAML(plan.Objects)
			}
			if err != nil {
				return err
			}
			if _, err := cmd.OutOrStdout().Write(out); err != nil {
				return fmt.Errorf("write manifests: %w", err)
			}
			if certNote != "" {
				if _, err := fmt.Fprintf(cmd.ErrOrStderr(), "certificate: %s\n", certNote); err != nil {
					return err
				}
			}
			return writeSummary(cmd.ErrOrStderr(), desired, plan)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "yaml", "output format: yaml (a multi-document stream) or json (a v1 List)")
	return cmd
}

func readInput(stdin io.Reader, path string) ([]byte, error) {
	if path == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read input file: %w", err)
	}
	return data, nil
}

// writeSummary prints one line per relation, then the status. A served
// relation shows what the charm publishes to it.
func writeSummary(w io.Writer, parsed snapshot.Desired, plan gateway.Plan) error {
	var err error
	printf := func(format string, a ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, a...)
		}
	}
	address := parsed.Address
	for _, r := range plan.Results {
		switch {
		case r.State == gateway.StateServed && parsed.BadHostname != "":
			printf("%-8s %s: nothing published while external_hostname is invalid\n", r.State, r.Relation)
		case r.State == gateway.StateServed && address == "":
			printf("%-8s %s: nothing published until the gateway has an address\n", r.State, r.Relation)
		case r.State == gateway.StateServed && r.Scheme != "":
			printf("%-8s %s: %s\n", r.State, r.Relation, ingress.JoinURL(r.Scheme, address, r.PathPrefix))
		case r.State == gateway.StateServed:
			printf("%-8s %s: external_host %s\n", r.State, r.Relation, address)
		default:
			printf("%-8s %s: %s\n", r.State, r.Relation, r.Reason)
		}
		for _, warning := range r.Warnings {
			printf("         warning: %s\n", warning)
		}
	}
	for _, rel := range parsed.Ignored {
		printf("%-8s %s: endpoint %s does not affect these manifests\n", "ignored", rel, rel.ID.Endpoint)
	}
	if a := plan.Auth; a.Mode != gateway.AuthOff {
		printf("%-8s forward auth %s%s\n", "auth", a.Mode, map[bool]string{true: ": " + a.Missing, false: ""}[a.Missing != ""])
	}
	if plan.Auth.DenyWithoutJWT {
		printf("%-8s requests without a valid JWT are denied\n", "auth")
	}
	for _, r := range plan.Auth.InvalidJWT {
		printf("%-8s %s: %s\n", r.State, r.Relation, r.Reason)
	}
	for _, n := range plan.Auth.Narrowed {
		printf("%-8s unauthenticated %s\n", "auth", n)
	}
	var problems []string
	if parsed.BadHostname != "" {
		problems = append(problems, fmt.Sprintf("external_hostname %q is not a valid hostname (RFC 1123)", parsed.BadHostname))
	}
	if msg := plan.Status.Message(); msg != "" {
		problems = append(problems, msg)
	}
	if len(parsed.Unserved) > 0 {
		problems = append(problems, "not served yet, objects kept as they are: "+strings.Join(parsed.Unserved, ", "))
	}
	if len(plan.Auth.InvalidJWT) > 0 || len(plan.Auth.Narrowed) > 0 || plan.Auth.Mode == gateway.AuthClosed {
		problems = append(problems, "authentication needs attention (see the auth lines)")
	}
	if len(problems) == 0 {
		problems = append(problems, "ok")
	}
	printf("status: %s\n", strings.Join(problems, "; "))
	return err
}
