package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"syscall"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// MissingCRDError reports kinds the cluster does not serve, so nothing of
// those kinds could be applied. Its message names what to install.
type MissingCRDError struct {
	Kinds []resource.Kind
}

func (e *MissingCRDError) Error() string {
	bySet := map[string][]string{}
	for _, k := range e.Kinds {
		set := crdSet(k)
		bySet[set] = append(bySet[set], k.Kind)
	}
	sets := make([]string, 0, len(bySet))
	for set := range bySet {
		sets = append(sets, set)
	}
	sort.Strings(sets)
	parts := make([]string, 0, len(sets))
	for _, set := range sets {
		parts = append(parts, fmt.Sprintf("install %s (missing %s)", set, strings.Join(bySet[set], ", ")))
	}
	return "cluster lacks required CRDs: " + strings.Join(parts, "; ")
}

// Install lists what to install, e.g. ["the Gateway API CRDs"], sorted.
func (e *MissingCRDError) Install() []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range e.Kinds {
		if s := crdSet(k); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func crdSet(k resource.Kind) string {
	switch {
	case strings.HasSuffix(k.Group, "gateway.networking.k8s.io"):
		return "the Gateway API CRDs"
	case strings.HasSuffix(k.Group, "istio.io"):
		return "the Istio CRDs"
	default:
		return "the API group " + k.GroupVersion().String()
	}
}

// kindGoneError is an apply that found its kind no longer served (its CRD
// deleted since the listing): the operator fixes it like any missing CRD,
// so the apply joins it to the *MissingCRDError.
type kindGoneError struct{ key string }

func (e *kindGoneError) Error() string { return e.key + " is no longer served" }

// ErrForeignObject means a desired object's name is taken by an object this
// charm instance does not own; it is left alone.
var ErrForeignObject = errors.New("an object with this name exists and is not managed by this charm instance")

// ObjectError is a failure on one object, named as "Kind namespace/name".
type ObjectError struct {
	Op        string // "apply", "delete" or "validate"
	Kind      string
	Namespace string
	Name      string
	Err       error
}

func (e *ObjectError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Op, e.Object(), e.Err)
}

// Object names the object the error concerns, as the plan names it.
func (e *ObjectError) Object() resource.ObjectID {
	return resource.ObjectID{Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}
}

func (e *ObjectError) Unwrap() error { return e.Err }

// Refused reports whether the cluster refused the object itself: its
// content, its namespace (missing or terminating), its name (taken by an
// object we do not own) or our permission to write it. Retrying the same
// object cannot succeed; server errors, timeouts and lost connections can.
func (e *ObjectError) Refused() bool {
	if errors.Is(e.Err, ErrForeignObject) {
		return true
	}
	return apierrors.IsInvalid(e.Err) || apierrors.IsBadRequest(e.Err) || isNamespaceNotFound(e.Err) ||
		apierrors.IsForbidden(e.Err) || apierrors.IsRequestEntityTooLargeError(e.Err)
}

// isNamespaceNotFound tells a missing namespace (the object's fault) from
// the 404 of a kind the server does not serve (a missing CRD: nobody's
// request is at fault).
func isNamespaceNotFound(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	d := status.Status().Details
	return d != nil && d.Kind == "namespaces"
}

// ObjectErrors returns every *ObjectError in err's tree, in order.
func ObjectErrors(err error) []*ObjectError {
	var out []*ObjectError
	var walk func(error)
	walk = func(err error) {
		if oe, ok := err.(*ObjectError); ok {
			out = append(out, oe)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// RemainingError lists the objects we own that are still in the cluster
// after a delete of everything.
type RemainingError struct {
	Objects []resource.ObjectID
}

func (e *RemainingError) Error() string {
	const shown = 10
	names := make([]string, 0, shown)
	for i, id := range e.Objects {
		if i == shown {
			names = append(names, fmt.Sprintf("and %d more", len(e.Objects)-shown))
			break
		}
		names = append(names, id.String())
	}
	return fmt.Sprintf("%d object(s) still present: %s", len(e.Objects), strings.Join(names, ", "))
}

// Unavailable reports whether err says the API server could not be reached
// or could not answer in time (a lost connection, a timeout, throttling, a
// server shutting down): nothing the charm or the operator must change,
// the next try may well succeed.
func Unavailable(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) ||
		(errors.As(err, &netErr) && netErr.Timeout()) ||
		apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) ||
		apierrors.IsTooManyRequests(err) || apierrors.IsServiceUnavailable(err)
}
