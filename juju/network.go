package juju

import (
	"context"
	"fmt"
	"sort"
	"strconv"
)

// Protocol is a port protocol for open-port.
type Protocol string

// Protocols open-port accepts.
const (
	TCP Protocol = "tcp"
	UDP Protocol = "udp"
)

// OpenPort opens a port on the application's Service
// (open-port <port>/<protocol>). On Kubernetes this works whether or not the
// application is exposed.
func (c *Client) OpenPort(ctx context.Context, port int, proto Protocol) error {
	spec, err := portSpec(port, proto)
	if err != nil {
		return fmt.Errorf("open-port: %w", err)
	}
	_, err = c.run(ctx, nil, "open-port", spec)
	return err
}

// ClosePort closes a port opened with OpenPort (close-port <port>/<protocol>).
func (c *Client) ClosePort(ctx context.Context, port int, proto Protocol) error {
	spec, err := portSpec(port, proto)
	if err != nil {
		return fmt.Errorf("close-port: %w", err)
	}
	_, err = c.run(ctx, nil, "close-port", spec)
	return err
}

func portSpec(port int, proto Protocol) (string, error) {
	if port < 1 || port > 65535 {
		return "", fmt.Errorf("port %d out of range 1-65535", port)
	}
	switch proto {
	case "":
		proto = TCP
	case TCP, UDP:
	default:
		return "", fmt.Errorf("protocol %q: want tcp or udp", proto)
	}
	return strconv.Itoa(port) + "/" + string(proto), nil
}

// Network is the network-get view of one binding.
type Network struct {
	BindAddresses    []BindAddress `json:"bind-addresses"`
	EgressSubnets    []string      `json:"egress-subnets"`
	IngressAddresses []string      `json:"ingress-addresses"`
}

// BindAddress is one interface a binding is bound to.
type BindAddress struct {
	MACAddress    string           `json:"mac-address"`
	InterfaceName string           `json:"interface-name"`
	Addresses     []InterfaceAddrs `json:"addresses"`
}

// InterfaceAddrs is one address of an interface.
type InterfaceAddrs struct {
	Hostname string `json:"hostname"`
	Value    string `json:"value"`
	CIDR     string `json:"cidr"`
}

// NetworkGet returns the network configuration of an endpoint binding,
// optionally as seen by one relation
// (network-get --format=json [-r <rel>] <binding>).
func (c *Client) NetworkGet(ctx context.Context, binding string, rel *RelationID) (Network, error) {
	args := []string{"--format=json"}
	if rel != nil {
		args = append(args, "-r", rel.String())
	}
	var n Network
	err := c.runJSON(ctx, &n, "network-get", append(args, binding)...)
	return n, err
}

// GoalState is what Juju intends the model around this unit to become.
type GoalState struct {
	Units     map[string]GoalStatus            `json:"units"`
	Relations map[string]map[string]GoalStatus `json:"relations"` // endpoint → app or unit → status
}

// GoalStatus is the intended status of a unit or application.
type GoalStatus struct {
	Status string `json:"status"`
	Since  string `json:"since"`
}

// GoalState reads the goal state (goal-state --format=json).
func (c *Client) GoalState(ctx context.Context) (GoalState, error) {
	var gs GoalState
	err := c.runJSON(ctx, &gs, "goal-state", "--format=json")
	return gs, err
}

// RelatedEndpoints lists, sorted, the endpoints Juju means to keep a
// relation on: those with an entry that is not dying.
func (gs GoalState) RelatedEndpoints() []string {
	var out []string
	for ep, entries := range gs.Relations {
		for _, e := range entries {
			if e.Status != "dying" {
				out = append(out, ep)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// PlannedUnits counts this application's units that are not going away
// (status other than "dying"), as ops does.
func (gs GoalState) PlannedUnits() int {
	n := 0
	for _, u := range gs.Units {
		if u.Status != "dying" {
			n++
		}
	}
	return n
}
