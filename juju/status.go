package juju

import (
	"context"
	"fmt"
)

// StatusName is a workload status a charm may set.
type StatusName string

// Statuses accepted by status-set.
const (
	StatusActive      StatusName = "active"
	StatusBlocked     StatusName = "blocked"
	StatusWaiting     StatusName = "waiting"
	StatusMaintenance StatusName = "maintenance"
)

// Status is a workload status and its message.
type Status struct {
	Name    StatusName
	Message string
}

func (s Status) String() string {
	if s.Message == "" {
		return string(s.Name)
	}
	return string(s.Name) + ": " + s.Message
}

func (s Status) validate() error {
	switch s.Name {
	case StatusActive, StatusBlocked, StatusWaiting, StatusMaintenance:
		return nil
	}
	return fmt.Errorf("status-set: invalid status %q (want active, blocked, waiting or maintenance)", s.Name)
}

// StatusSet sets this unit's status
// (status-set --application=False <status> -- <message>). The message is
// passed after -- so text starting with '-' is not read as a flag. Unlike
// most tools, status-set takes effect at once, even if the hook later fails.
func (c *Client) StatusSet(ctx context.Context, s Status) error {
	return c.statusSet(ctx, "False", s)
}

// StatusSetApp sets the application's status
// (status-set --application=True <status> -- <message>).
func (l *Leader) StatusSetApp(ctx context.Context, s Status) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	return c.statusSet(ctx, "True", s)
}

func (c *Client) statusSet(ctx context.Context, application string, s Status) error {
	if err := s.validate(); err != nil {
		return err
	}
	_, err := c.run(ctx, nil, "status-set", "--application="+application, string(s.Name), "--", s.Message)
	return err
}

// StatusInfo is a status as status-get reports it, including statuses Juju
// sets itself (unknown, error, terminated, ...).
type StatusInfo struct {
	Name    string         `json:"status"`
	Message string         `json:"message"`
	Data    map[string]any `json:"status-data"`
}

// StatusGet reads this unit's status
// (status-get --include-data --format=json --application=false).
func (c *Client) StatusGet(ctx context.Context) (StatusInfo, error) {
	var st StatusInfo
	err := c.runJSON(ctx, &st, "status-get", "--include-data", "--format=json", "--application=false")
	return st, err
}

// AppStatus is the application's status and that of each of its units.
type AppStatus struct {
	StatusInfo
	Units map[string]StatusInfo `json:"units"`
}

// StatusGetApp reads the application's status
// (status-get --include-data --format=json --application=true).
func (l *Leader) StatusGetApp(ctx context.Context) (AppStatus, error) {
	c, err := l.client()
	if err != nil {
		return AppStatus{}, err
	}
	var out struct {
		App AppStatus `json:"application-status"`
	}
	err = c.runJSON(ctx, &out, "status-get", "--include-data", "--format=json", "--application=true")
	return out.App, err
}

// ApplicationVersionSet sets the workload version shown by juju status
// (application-version-set -- <version>).
func (c *Client) ApplicationVersionSet(ctx context.Context, version string) error {
	_, err := c.run(ctx, nil, "application-version-set", "--", version)
	return err
}
