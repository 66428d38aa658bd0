package workload

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/canonical/pebble/client"
)

// Pebble is the part of *client.Client the charm uses; tests wrap it.
type Pebble interface {
	PlanBytes(*client.PlanOptions) ([]byte, error)
	AddLayer(*client.AddLayerOptions) error
	Replan(*client.ServiceOptions) (string, error)
	WaitChange(string, *client.WaitChangeOptions) (*client.Change, error)
	Services(*client.ServicesOptions) ([]*client.ServiceInfo, error)
	Checks(*client.ChecksOptions) ([]*client.CheckInfo, error)
}

// Bounds on the time a hook gives Pebble. A started service is judged
// after one second, so startWait is ample; answerTimeout is longer so a
// WaitChange is never cut by the transport, and short enough that a hung
// Pebble cannot hold the hook.
const (
	dialTimeout   = time.Second
	startWait     = 10 * time.Second
	answerTimeout = startWait + 5*time.Second
)

// NotUpError says Pebble does not answer on its socket yet: the container
// is starting (its pebble-ready hook follows) or restarting.
type NotUpError struct {
	Socket string
	Err    error
}

func (e *NotUpError) Error() string {
	return fmt.Sprintf("Pebble is not up at %s: %v", e.Socket, e.Err)
}

func (e *NotUpError) Unwrap() error { return e.Err }

// Connect returns a client of the Pebble on socket, or a *NotUpError when
// nothing listens there. It dials once first because the client retries a
// failing GET for five seconds, which would stall every hook run before
// the container is up.
func Connect(socket string) (*client.Client, error) {
	conn, err := net.DialTimeout("unix", socket, dialTimeout)
	if err != nil {
		return nil, &NotUpError{Socket: socket, Err: err}
	}
	conn.Close()
	c, err := client.New(&client.Config{Socket: socket})
	if err != nil {
		return nil, fmt.Errorf("Pebble client for %s: %w", socket, err)
	}
	// The client's requests carry no deadline of their own.
	if t := c.Requester().Transport(); t != nil {
		t.ResponseHeaderTimeout = answerTimeout
	}
	return c, nil
}

// Report is what Ensure did and saw.
type Report struct {
	// Replanned says the layer was (re)added and Pebble replanned, or the
	// service was started again after it had stopped.
	Replanned bool
	// Gateway is the gateway's readiness as the layer's check sees it.
	Gateway Readiness
}

// Readiness is the check's verdict on the gateway.
type Readiness struct {
	// Known is false until the check has a verdict Juju's check hooks
	// follow: it is down, or up after at least one success. Before that
	// the caller decides by other means.
	Known bool
	Ready bool
	// Reason says why it is not ready, fit for a status message.
	Reason string
}

// Ensure puts the charm's layer in place and the service running, and
// reads the check. When the plan already holds the layer it writes
// nothing: one plan read, one services read and one checks read.
func Ensure(p Pebble, s Spec) (Report, error) {
	var rep Report
	want := desiredLayer(s)
	plan, err := p.PlanBytes(nil)
	if err != nil {
		return rep, fmt.Errorf("reading Pebble's plan: %w", err)
	}
	ok, err := inPlace(plan, want)
	if err != nil {
		return rep, err
	}
	if !ok {
		data, err := want.yaml()
		if err != nil {
			return rep, err
		}
		if err := p.AddLayer(&client.AddLayerOptions{Combine: true, Label: LayerLabel, LayerData: data}); err != nil {
			return rep, fmt.Errorf("adding the %s layer: %w", LayerLabel, err)
		}
	} else if ok, err = running(p); err != nil {
		return rep, err
	}
	if !ok {
		// Replan (re)starts what changed and any enabled service that is
		// not running, and starts the new check.
		rep.Replanned = true
		if err := replan(p); err != nil {
			return rep, err
		}
	}
	rep.Gateway, err = gatewayReadiness(p, s)
	return rep, err
}

// running reports whether the service is up, or being restarted by Pebble
// after a crash (backoff). A service whose start failed stays inactive
// until something starts it.
func running(p Pebble) (bool, error) {
	svcs, err := p.Services(&client.ServicesOptions{Names: []string{Service}})
	if err != nil {
		return false, fmt.Errorf("reading the %s service: %w", Service, err)
	}
	for _, svc := range svcs {
		if svc.Name == Service {
			return svc.Current == client.StatusActive || svc.Current == client.StatusBackoff, nil
		}
	}
	return false, nil
}

func replan(p Pebble) error {
	id, err := p.Replan(&client.ServiceOptions{})
	if err != nil {
		return fmt.Errorf("replanning: %w", err)
	}
	ch, err := p.WaitChange(id, &client.WaitChangeOptions{Timeout: startWait})
	if err != nil {
		return fmt.Errorf("waiting for the replan: %w", err)
	}
	if ch.Err != "" {
		return &StartError{Msg: ch.Err}
	}
	return nil
}

// StartError says Pebble could not start the service; the next hook tries
// again.
type StartError struct{ Msg string }

func (e *StartError) Error() string { return fmt.Sprintf("%s did not start: %s", Service, e.Msg) }

func gatewayReadiness(p Pebble, s Spec) (Readiness, error) {
	checks, err := p.Checks(&client.ChecksOptions{Names: []string{Check}})
	if err != nil {
		return Readiness{}, fmt.Errorf("reading the %s check: %w", Check, err)
	}
	for _, c := range checks {
		if c.Name == Check {
			return verdict(c, s.healthURL()), nil
		}
	}
	return Readiness{}, errors.New("the " + Check + " check is missing from Pebble's plan")
}

// verdict reads a check the way Juju's check hooks do: check-failed fires
// when it goes down, check-recovered when it comes back up. An up check
// that has never succeeded has not decided yet; trusting it either way
// could leave a change with no hook to report it.
func verdict(c *client.CheckInfo, url string) Readiness {
	switch {
	case c.Status == client.CheckStatusDown:
		return Readiness{Known: true, Reason: fmt.Sprintf("%s failed %d checks in a row", url, c.Failures)}
	case c.Status == client.CheckStatusUp && c.Successes != nil && *c.Successes > 0:
		return Readiness{Known: true, Ready: true}
	}
	return Readiness{}
}
