package hooks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/gateway"
	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/snapshot"
	"github.com/canonical/istio-ingress-k8s-go/workload"
)

// Status messages users see in juju status.
const (
	msgStandby         = "Backup unit; standing by for leader takeover"
	msgInvalidHostname = "Invalid hostname provided, Please ensure this adheres to RFC 1123."
)

// gatewayState is what the cluster says about the gateway Istio runs for
// us, read against what the snapshot asks.
type gatewayState struct {
	// localAddress is the gateway's own address: external_hostname when
	// valid, else the load balancer's.
	localAddress string
	// badHostname is set when external_hostname is set but invalid.
	badHostname bool
	// waiting says what is missing before the gateway can serve.
	waiting []string
}

// readGatewayState decides readiness by the metrics-proxy check when it
// has a verdict (Juju's check hooks follow it, and it sees a gateway stop
// answering before the Deployment's status does), else by the Deployment.
func readGatewayState(cr clusterReads, d snapshot.Desired, check workload.Readiness) (gatewayState, error) {
	g := gatewayState{localAddress: d.Address, badHostname: d.BadHostname != ""}
	if d.BadHostname == "" && d.Address == "" {
		if cr.lbErr != nil {
			return g, fmt.Errorf("reading the gateway address: %w", cr.lbErr)
		}
		g.waiting = append(g.waiting, cr.lbReason)
	}
	switch {
	case check.Known:
		if !check.Ready {
			g.waiting = append(g.waiting, check.Reason)
		}
	case cr.readyErr != nil:
		return g, fmt.Errorf("reading the gateway readiness: %w", cr.readyErr)
	case !cr.ready:
		g.waiting = append(g.waiting, cr.readyReason)
	}
	return g, nil
}

// advertised is the address published to requirers; "" until the gateway
// can serve at it.
func (g gatewayState) advertised() string {
	if g.badHostname || len(g.waiting) > 0 {
		return ""
	}
	return g.localAddress
}

// statusCheck is one source of the unit status: what needs the operator
// (blocked) and what the charm waits for. A feature with something to say
// adds one.
type statusCheck func(outcome) (blocked, waiting []string)

// outcome is what a reconcile found and did: what every status check reads.
type outcome struct {
	gw       gatewayState
	plan     gateway.Plan
	desired  snapshot.Desired
	workload workloadResult
	cert     *certState
}

// statusChecks lists them, most urgent first: refused, invalid or rejected
// requests come before an invalid hostname, as the reference charm puts
// conflicts first.
func statusChecks() []statusCheck {
	return []statusCheck{planStatus, authStatus, hostnameStatus, upstreamStatus, certStatus, unservedStatus, gatewayWaiting, workloadWaiting}
}

// unservedStatus names related endpoints whose feature the charm does not
// serve yet: what they ask is not done, and what they set up is only kept.
func unservedStatus(o outcome) (blocked, _ []string) {
	if len(o.desired.Unserved) > 0 {
		blocked = append(blocked, fmt.Sprintf("Not served yet, objects kept as they are: %s", strings.Join(o.desired.Unserved, ", ")))
	}
	return blocked, nil
}

func planStatus(o outcome) (blocked, _ []string) {
	if !o.plan.Status.OK() {
		blocked = append(blocked, capitalise(o.plan.Status.Message()))
	}
	return blocked, nil
}

func hostnameStatus(o outcome) (blocked, _ []string) {
	if o.gw.badHostname {
		blocked = append(blocked, msgInvalidHostname)
	}
	return blocked, nil
}

func gatewayWaiting(o outcome) (_, waiting []string) {
	if len(o.gw.waiting) > 0 {
		waiting = append(waiting, "Waiting for the gateway: "+strings.Join(o.gw.waiting, "; "))
	}
	return nil, waiting
}

// upstreamStatus names an outer ingress whose answer cannot be used; it is
// ignored meanwhile and requirers are served at the gateway's own address.
func upstreamStatus(o outcome) (blocked, _ []string) {
	if u := o.desired.Upstream; u != nil && u.Err != nil {
		blocked = append(blocked, fmt.Sprintf("Ignoring the upstream-ingress answer of %s: %v", u.App, u.Err))
	}
	return blocked, nil
}

// authStatus says which half of forward auth is missing while the
// authenticated routes are closed, which JWT rules are refused (requests
// without a valid token are denied meanwhile), and which unauthenticated
// routes the policy cannot let through exactly.
func authStatus(o outcome) (blocked, waiting []string) {
	a := o.plan.Auth
	if a.Mode == gateway.AuthClosed {
		line := "Authenticated routes closed: " + a.Missing
		if a.Blocked {
			blocked = append(blocked, line)
		} else {
			waiting = append(waiting, line)
		}
	}
	var bad []string
	for _, r := range a.InvalidJWT {
		bad = append(bad, r.App)
	}
	if len(bad) > 0 {
		blocked = append(blocked, "Invalid istio-request-auth data from: "+strings.Join(bad, ", ")+" (requests without a valid JWT are denied)")
	}
	if len(a.Narrowed) > 0 {
		var names []string
		for _, n := range a.Narrowed {
			names = append(names, n.Relation.String())
		}
		slices.Sort(names)
		blocked = append(blocked, "Unauthenticated routes kept authenticated: "+strings.Join(slices.Compact(names), ", "))
	}
	return blocked, waiting
}

// status picks the unit status: blocked when anything needs the operator,
// waiting while the gateway cannot serve yet, otherwise serving.
func (o outcome) status() juju.Status {
	var blocked, waiting []string
	for _, check := range statusChecks() {
		b, w := check(o)
		blocked, waiting = append(blocked, b...), append(waiting, w...)
	}
	switch {
	case len(blocked) > 0:
		return juju.Status{Name: juju.StatusBlocked, Message: strings.Join(blocked, "; ")}
	case len(waiting) > 0:
		return juju.Status{Name: juju.StatusWaiting, Message: strings.Join(waiting, "; ")}
	}
	at := o.gw.localAddress
	if o.desired.Upstream.Answered() {
		at = o.desired.Upstream.URL()
	}
	return juju.Status{Name: juju.StatusActive, Message: "Serving at " + at}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// planWarnings are the plan's lines for the operator: who is not served
// and why, and what is served differently from what was asked.
func planWarnings(plan gateway.Plan) []string {
	var lines []string
	for _, c := range plan.Status.Conflicts {
		lines = append(lines, fmt.Sprintf("Route conflict: %s", c))
	}
	for _, res := range slices.Concat(plan.Status.Invalid, plan.Status.NoRoom, plan.Status.Denied) {
		lines = append(lines, fmt.Sprintf("Cannot serve %s: %s", res.Relation, res.Reason))
	}
	for _, res := range plan.Status.Rejected {
		lines = append(lines, fmt.Sprintf("Kubernetes refused the objects of %s: %s", res.Relation, res.Reason))
	}
	if plan.Auth.Mode == gateway.AuthClosed {
		lines = append(lines, "Authenticated routes are denied: "+plan.Auth.Missing)
	}
	for _, res := range plan.Auth.InvalidJWT {
		lines = append(lines, fmt.Sprintf("Ignoring the JWT rules of %s (requests without a valid JWT are denied): %s", res.Relation, res.Reason))
	}
	for _, n := range plan.Auth.Narrowed {
		lines = append(lines, "Unauthenticated "+n.String())
	}
	for _, res := range plan.Results {
		for _, w := range res.Warnings {
			lines = append(lines, fmt.Sprintf("Serving %s: %s", res.Relation, w))
		}
	}
	return lines
}
