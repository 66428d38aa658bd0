package wire

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
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
// at most n bytes long, so a huge bag never floods a log or a status. It
// cuts between characters and replaces invalid UTF-8, so a status or log
// line stays valid text.
func Clip(s string, n int) string {
	if len(s) <= n {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.ToValidUTF8(s[:cut], "\uFFFD") + "…"
}

// HasControl reports whether s holds a control character other than a tab
// (CR, LF and NUL among them): Envoy refuses such a header value, and in a
// path the API server stores it but the proxy cannot match it.
func HasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) >= 0
}

// HasEncodedSeparator reports whether a path holds an encoded "/", "\" or
// NUL (%2F, %5C, %00, either case): the proxy may decode it after matching,
// so such a path can reach a backend under another route's prefix.
func HasEncodedSeparator(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0 && i+2 < len(s); {
		switch strings.ToLower(s[i+1 : i+3]) {
		case "2f", "5c", "00":
			return true
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// CheckPath says what in a requirer's URL path value the API server or the
// proxy would choke on, or "".
func CheckPath(s string) string {
	switch {
	case HasControl(s):
		return "must not contain control characters (CR, LF, NUL)"
	case HasEncodedSeparator(s):
		return "must not contain an encoded separator or NUL (%2F, %5C, %00)"
	}
	return ""
}
