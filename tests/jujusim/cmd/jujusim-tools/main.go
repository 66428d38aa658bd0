// Command jujusim-tools is every simulated Juju hook tool in one binary,
// acting as the tool it is linked as (relation-get, status-set and the
// rest); it imports only hooktools.
package main

import (
	"os"
	"path/filepath"

	"github.com/canonical/istio-ingress-k8s-go/tests/jujusim/hooktools"
)

func main() {
	os.Exit(hooktools.Main(filepath.Base(os.Args[0]), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}
