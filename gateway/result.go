package gateway

import (
	"fmt"
	"strings"
)

// State is what the plan does for one relation.
type State string

// Relation states.
const (
	// StateServed: everything the relation asked for is rendered.
	StateServed State = "served"
	// StateRefused: an older relation already holds part of what it asked
	// for; nothing of it is rendered.
	StateRefused State = "refused"
	// StateInvalid: its request could not be decoded or cannot be rendered;
	// nothing of it is rendered.
	StateInvalid State = "invalid"
	// StatePending: the requirer has not asked for anything yet.
	StatePending State = "pending"
	// StateRejected: the cluster refused its objects (Input.Rejected);
	// nothing of it is rendered.
	StateRejected State = "rejected"
)

// Result is the outcome for one relation.
type Result struct {
	Relation
	State State
	// Reason says why a relation is refused, invalid or pending.
	Reason string
	// Conflict is the collision that refused the relation.
	Conflict *Conflict
	// Warnings name parts of a served request that could not be honoured
	// exactly (for example filters GRPCRoute cannot express).
	Warnings []string
	// PathPrefix and Scheme (ingress v2 only) make up the published URL:
	// scheme://address + PathPrefix.
	PathPrefix string
	Scheme     string
}

// Conflict is one collision between a newer relation and the older one that
// keeps the contested listener or route.
type Conflict struct {
	Refused   Relation
	Incumbent Relation // App == "" when the port is the charm's own ingress listener
	Listener  string   // e.g. "http-80"
	Hostname  string   // the overlapping hostname, "*" for any
	Match     string   // the identical match, or what else collided
}

// Collision describes what collided and who holds it, without the refused
// relation.
func (c Conflict) Collision() string {
	holder := "the charm's own ingress listener"
	if c.Incumbent.App != "" {
		holder = c.Incumbent.String()
	}
	return fmt.Sprintf("listener %s, hostname %s, %s is already held by %s", c.Listener, c.Hostname, c.Match, holder)
}

// String describes the refused relation and the collision in one line.
func (c Conflict) String() string { return c.Refused.String() + ": " + c.Collision() }

// Status summarises what needs an operator's attention.
type Status struct {
	Conflicts []Conflict
	// Invalid lists relations whose request cannot be served, with why.
	Invalid []Result
	// Rejected lists relations whose objects the cluster refused, with why.
	Rejected []Result
	// NoRoom lists relations refused because their ports would take the
	// Gateway past MaxListeners.
	NoRoom []Result
	// Denied lists relations refused because they ask for a namespace
	// they may not be served in (see Tenancy).
	Denied []Result
	// BadCIDRs are entries of external-traffic-policy-cidrs that are not
	// CIDRs or addresses; they are left out of the policy.
	BadCIDRs []string
	// NoCIDRs says external-traffic-policy-cidrs lists nothing (empty or
	// blank): the external traffic policy is neither rendered nor deleted,
	// so the last good one stays in force.
	NoCIDRs bool
}

// OK reports whether nothing needs attention.
func (s Status) OK() bool {
	return len(s.Conflicts) == 0 && len(s.Invalid) == 0 && len(s.Rejected) == 0 && len(s.NoRoom) == 0 && len(s.Denied) == 0 && len(s.BadCIDRs) == 0 && !s.NoCIDRs
}

// Message is a one-line summary for the unit status ("" when OK).
func (s Status) Message() string {
	var parts []string
	if len(s.Conflicts) > 0 {
		var refused []string
		for _, c := range s.Conflicts {
			refused = append(refused, fmt.Sprintf("%s on %s %s", c.Refused.App, c.Listener, c.Match))
		}
		parts = append(parts, "route conflict, refused: "+strings.Join(refused, "; "))
	}
	if len(s.Invalid) > 0 {
		parts = append(parts, "invalid request from: "+apps(s.Invalid))
	}
	if len(s.Rejected) > 0 {
		parts = append(parts, "rejected by Kubernetes: "+apps(s.Rejected))
	}
	if len(s.NoRoom) > 0 {
		parts = append(parts, fmt.Sprintf("no room for more listener ports (at most %d) for: %s", MaxListeners, apps(s.NoRoom)))
	}
	if len(s.Denied) > 0 {
		parts = append(parts, "namespace not allowed for: "+apps(s.Denied))
	}
	if len(s.BadCIDRs) > 0 {
		parts = append(parts, "invalid external-traffic-policy-cidrs: "+strings.Join(s.BadCIDRs, ", "))
	}
	if s.NoCIDRs {
		parts = append(parts, "external-traffic-policy-cidrs is empty: keeping the last external traffic policy")
	}
	return strings.Join(parts, "; ")
}

// apps lists the results' applications, comma-separated.
func apps(results []Result) string {
	names := make([]string, 0, len(results))
	for _, r := range results {
		names = append(names, r.App)
	}
	return strings.Join(names, ", ")
}
