package ingress

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// Kinds of databag problem, for callers that treat "not sent yet" apart
// from "sent but wrong". Every error returned by the parsers matches one of
// them with errors.Is.
var (
	// ErrMissing: a required key is absent, e.g. the requirer has not
	// published yet.
	ErrMissing = wire.ErrMissing
	// ErrInvalid: a key is present but its value is malformed or out of range.
	ErrInvalid = wire.ErrInvalid
)

// FieldError names the databag key (or "healthcheck_params.<field>") whose
// value was rejected and why, e.g. "port: must be between 1 and 65535".
type FieldError = wire.FieldError

func missing(key string) error { return wire.Missing(key) }

func invalid(key, reason string) error { return wire.Invalid(key, reason) }

// maxPort is the highest port accepted from a requirer. The Python library
// refuses 65535 as well (0 < port < 65535); we accept every TCP port on
// input, which only makes us more tolerant than a Python provider, but our
// requirer writer stays within the library's range (see AppData.Bag).
const maxPort = 65535

// lookup returns the JSON value stored under key. An empty value counts as
// absent: Juju deletes a key that is set to "".
func lookup(bag map[string]string, key string) (v any, ok bool, err error) {
	raw, ok := bag[key]
	if !ok || raw == "" {
		return nil, false, nil
	}
	if !json.Valid([]byte(raw)) {
		return nil, true, &FieldError{Path: key, Msg: fmt.Sprintf("not valid JSON: %.60q", raw), Kind: ErrInvalid}
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber() // keep integers exact and tell 8080 from 8080.0
	if err := dec.Decode(&v); err != nil {
		return nil, true, &FieldError{Path: key, Msg: "not valid JSON", Kind: ErrInvalid, Cause: err}
	}
	return v, true, nil
}

// ParseRequirerAppData decodes and validates a requirer's whole application
// databag, following the Python library's IngressRequirerAppData: model,
// name and port are required; scheme defaults to http and must be one of
// http, https, h2c; strip-prefix and redirect-https default to false;
// healthcheck_params is optional but must be well formed when present.
// Unknown keys are ignored. Beyond the library, an empty model or name is
// refused: neither can name a Kubernetes namespace or Service.
func ParseRequirerAppData(bag map[string]string) (*AppData, error) {
	var d AppData
	var err error
	if d.Model, err = requiredString(bag, KeyModel); err != nil {
		return nil, err
	}
	if d.Name, err = requiredString(bag, KeyName); err != nil {
		return nil, err
	}
	if d.Port, err = requiredPort(bag, KeyPort); err != nil {
		return nil, err
	}
	if d.Scheme, err = scheme(bag); err != nil {
		return nil, err
	}
	if d.StripPrefix, err = optionalBool(bag, KeyStripPrefix); err != nil {
		return nil, err
	}
	if d.RedirectHTTPS, err = optionalBool(bag, KeyRedirectHTTPS); err != nil {
		return nil, err
	}
	if d.HealthCheck, err = healthCheck(bag); err != nil {
		return nil, err
	}
	return &d, nil
}

// ParseUnitData decodes a requirer unit's databag: host (a JSON string,
// required) and ip (a JSON string holding an IPv4 or IPv6 address, or null).
// The charm does not use unit data; this mirrors the library's readiness
// check for callers that want it.
func ParseUnitData(bag map[string]string) (*UnitData, error) {
	v, ok, err := lookup(bag, KeyHost)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, missing(KeyHost)
	}
	host, isString := v.(string)
	if !isString {
		return nil, invalid(KeyHost, "must be a JSON string")
	}
	u := UnitData{Host: host}
	v, ok, err = lookup(bag, KeyIP)
	if err != nil {
		return nil, err
	}
	if ok && v != nil {
		s, isString := v.(string)
		if !isString {
			return nil, invalid(KeyIP, "must be a JSON string or null")
		}
		if u.IP, err = netip.ParseAddr(s); err != nil {
			return nil, &FieldError{Path: KeyIP, Msg: fmt.Sprintf("%.60q is not a valid IP address", s), Kind: ErrInvalid}
		}
	}
	return &u, nil
}

func requiredString(bag map[string]string, key string) (string, error) {
	v, ok, err := lookup(bag, key)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", missing(key)
	}
	s, isString := v.(string)
	if !isString {
		return "", invalid(key, "must be a JSON string")
	}
	if s == "" {
		return "", invalid(key, "must not be empty")
	}
	return s, nil
}

func requiredPort(bag map[string]string, key string) (int, error) {
	v, ok, err := lookup(bag, key)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, missing(key)
	}
	return portValue(key, v, 1, maxPort)
}

// portValue accepts a JSON integer (not 8080.0, not "8080": the library
// asserts a Python int) within [lo, hi].
func portValue(key string, v any, lo, hi int) (int, error) {
	n, isNumber := v.(json.Number)
	if !isNumber || strings.ContainsAny(string(n), ".eE") {
		return 0, invalid(key, "must be a JSON integer")
	}
	p, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || p < int64(lo) || p > int64(hi) || p > math.MaxInt32 {
		return 0, invalid(key, fmt.Sprintf("must be between %d and %d", lo, hi))
	}
	return int(p), nil
}

func scheme(bag map[string]string) (string, error) {
	v, ok, err := lookup(bag, KeyScheme)
	if err != nil {
		return "", err
	}
	if !ok {
		return DefaultScheme, nil
	}
	s, isString := v.(string)
	if !isString || !validScheme(s) {
		return "", invalid(KeyScheme, "must be one of http, https, h2c")
	}
	return s, nil
}

func validScheme(s string) bool {
	return s == SchemeHTTP || s == SchemeHTTPS || s == SchemeH2C
}

// optionalBool accepts what pydantic's lax bool accepts from JSON, so a
// requirer that a Python provider serves is served by us too: true/false,
// null (= false), 0/1, and the strings true/false/yes/no/on/off/t/f/y/n/1/0.
func optionalBool(bag map[string]string, key string) (bool, error) {
	v, ok, err := lookup(bag, key)
	if err != nil || !ok {
		return false, err
	}
	switch t := v.(type) {
	case nil:
		return false, nil
	case bool:
		return t, nil
	case json.Number:
		switch f, err := t.Float64(); {
		case err == nil && f == 0:
			return false, nil
		case err == nil && f == 1:
			return true, nil
		}
	case string:
		switch strings.ToLower(t) {
		case "true", "yes", "on", "t", "y", "1":
			return true, nil
		case "false", "no", "off", "f", "n", "0":
			return false, nil
		}
	}
	return false, invalid(key, "must be a JSON boolean")
}

// healthCheck validates healthcheck_params like the library's
// IngressHealthCheck: an object with a string path; scheme and hostname
// strings or null; port an integer or null; interval and timeout strings.
// Unknown members are ignored.
func healthCheck(bag map[string]string) (*HealthCheck, error) {
	v, ok, err := lookup(bag, KeyHealthCheck)
	if err != nil || !ok || v == nil {
		return nil, err
	}
	obj, isObject := v.(map[string]any)
	if !isObject {
		return nil, invalid(KeyHealthCheck, "must be a JSON object")
	}
	sub := func(k string) string { return KeyHealthCheck + "." + k }
	var hc HealthCheck
	path, ok := obj["path"]
	if !ok {
		return nil, missing(sub("path"))
	}
	if hc.Path, ok = path.(string); !ok {
		return nil, invalid(sub("path"), "must be a JSON string")
	}
	for _, f := range []struct {
		key      string
		dst      *string
		nullable bool
	}{
		{"scheme", &hc.Scheme, true},
		{"hostname", &hc.Hostname, true},
		{"interval", &hc.Interval, false},
		{"timeout", &hc.Timeout, false},
	} {
		val, present := obj[f.key]
		if !present || (val == nil && f.nullable) {
			continue
		}
		s, isString := val.(string)
		if !isString {
			return nil, invalid(sub(f.key), "must be a JSON string")
		}
		*f.dst = s
	}
	if port, present := obj["port"]; present && port != nil {
		if hc.Port, err = laxInt(sub("port"), port); err != nil {
			return nil, err
		}
	}
	return &hc, nil
}

// laxInt accepts what pydantic's lax int accepts from JSON for the health
// check port (ignored by the charm, so never stricter than the library): an
// integer, an integral float such as 9000.0, or a string holding either.
func laxInt(key string, v any) (int, error) {
	var n wire.WideInt
	msg := "must be an integer"
	switch t := v.(type) {
	case json.Number:
		if n, msg = wire.IntLiteral(string(t)), ""; strings.ContainsAny(string(t), ".eE") {
			n, msg = wire.FloatAsInt(string(t))
		}
	case string:
		n, msg = wire.StringAsInt(t)
	}
	if msg != "" || n.Big != 0 || n.Val < math.MinInt32 || n.Val > math.MaxInt32 {
		return 0, invalid(key, "must be an integer")
	}
	return int(n.Val), nil
}
