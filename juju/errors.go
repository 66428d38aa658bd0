package juju

import (
	"errors"
	"fmt"
	"strings"
)

// Errors callers branch on. They are matched with errors.Is; the *ToolError
// that caused them stays reachable with errors.As.
var (
	// ErrRelationNotFound: the relation is unknown or already dead.
	ErrRelationNotFound = errors.New("juju: relation not found")
	// ErrNotLeader: the operation needs leadership (or access) this unit does not have.
	ErrNotLeader = errors.New("juju: not the leader")
	// ErrSecretNotFound: the secret does not exist or this unit cannot see it.
	ErrSecretNotFound = errors.New("juju: secret not found")
)

// classify maps a failed tool call to a typed error from its stderr, the
// way ops does (ops/model.py _wrap_hookcmd): exit codes are not reliable,
// the message text is. The original error stays in the chain.
func classify(tool string, err error) error {
	if err == nil {
		return nil
	}
	var te *ToolError
	if !errors.As(err, &te) {
		return fmt.Errorf("%s: %w", tool, err)
	}
	stderr := strings.ToLower(te.Stderr)
	switch {
	case (strings.HasPrefix(tool, "relation-") || strings.HasPrefix(tool, "network-")) &&
		strings.Contains(stderr, "relation not found"):
		return fmt.Errorf("%w: %w", ErrRelationNotFound, err)
	case strings.HasPrefix(tool, "secret-") && strings.Contains(stderr, "not found"):
		return fmt.Errorf("%w: %w", ErrSecretNotFound, err)
	case strings.Contains(stderr, "permission denied"),
		strings.Contains(stderr, "not the leader"),
		strings.Contains(stderr, "cannot write relation settings"):
		return fmt.Errorf("%w: %w", ErrNotLeader, err)
	}
	return err
}
