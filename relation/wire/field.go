package wire

import (
	"errors"
	"fmt"
)

// Kinds of databag problem, for callers that treat "not sent yet" apart
// from "sent but wrong"; a FieldError matches its Kind with errors.Is.
var (
	// ErrMissing: a required key is absent, e.g. the peer has not
	// published yet.
	ErrMissing = errors.New("required")
	// ErrInvalid: a key is present but its value is malformed or out of range.
	ErrInvalid = errors.New("invalid")
)

// FieldError is one problem with one field. Path is the field's location,
// e.g. "port" or "http_routes[0].backends[1].weight"; it is empty for the
// whole value.
type FieldError struct {
	Path  string
	Msg   string
	Kind  error // ErrMissing, ErrInvalid or nil
	Cause error // underlying decoder error, if any
}

func (e FieldError) Error() string {
	msg := e.Msg
	if e.Cause != nil {
		msg = fmt.Sprintf("%s: %v", msg, e.Cause)
	}
	if e.Path == "" {
		return msg
	}
	return e.Path + ": " + msg
}

// Unwrap exposes both the kind and the cause to errors.Is/As.
func (e FieldError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

// Missing is the error for a required key that is absent.
func Missing(path string) error {
	return &FieldError{Path: path, Msg: "required", Kind: ErrMissing}
}

// Invalid is the error for a key whose value is rejected.
func Invalid(path, msg string) error {
	return &FieldError{Path: path, Msg: msg, Kind: ErrInvalid}
}

// Clip shortens untrusted data for a message: a requirer's value is echoed
// at most n bytes long, so a huge bag never floods a log or a status.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
