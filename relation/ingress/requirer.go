package ingress

import (
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// Defaults the Python library omits from the health-check object.
const (
	defaultInterval = "30s"
	defaultTimeout  = "5s"
)

// ErrNoURL: the provider has not published a URL (yet), or has revoked it.
// It matches ErrMissing too.
var ErrNoURL = fmt.Errorf("no ingress URL published: %w", ErrMissing)

// Bag is the application databag a requirer leader writes, encoded exactly
// as the Python library writes it: JSON values, Python's json.dumps
// formatting, and fields at their default omitted (strip-prefix and
// redirect-https when false, scheme when http, healthcheck_params when nil).
// Port must be within the library's range 1..65534, since a Python provider
// refuses 65535.
func (d AppData) Bag() (map[string]string, error) {
	switch {
	case d.Model == "":
		return nil, missing(KeyModel)
	case d.Name == "":
		return nil, missing(KeyName)
	case d.Port < 1 || d.Port > maxPort-1:
		return nil, invalid(KeyPort, fmt.Sprintf("must be between 1 and %d", maxPort-1))
	case d.Scheme != "" && !validScheme(d.Scheme):
		return nil, invalid(KeyScheme, "must be one of http, https, h2c")
	}
	bag := map[string]string{
		KeyModel: string(wire.PyString(d.Model)),
		KeyName:  string(wire.PyString(d.Name)),
		KeyPort:  string(wire.PyInt(d.Port)),
	}
	if hc := d.HealthCheck; hc != nil {
		bag[KeyHealthCheck] = string(hc.encode())
	}
	if d.StripPrefix {
		bag[KeyStripPrefix] = string(wire.PyBool(true))
	}
	if d.RedirectHTTPS {
		bag[KeyRedirectHTTPS] = string(wire.PyBool(true))
	}
	if d.Scheme != "" && d.Scheme != DefaultScheme {
		bag[KeyScheme] = string(wire.PyString(d.Scheme))
	}
	return bag, nil
}

// encode writes the health check in the library's field order, defaults
// omitted.
func (hc *HealthCheck) encode() []byte {
	fields := []wire.PyField{{Key: "path", Value: wire.PyString(hc.Path)}}
	if hc.Scheme != "" {
		fields = append(fields, wire.PyField{Key: "scheme", Value: wire.PyString(hc.Scheme)})
	}
	if hc.Hostname != "" {
		fields = append(fields, wire.PyField{Key: "hostname", Value: wire.PyString(hc.Hostname)})
	}
	if hc.Port != 0 {
		fields = append(fields, wire.PyField{Key: "port", Value: wire.PyInt(hc.Port)})
	}
	if hc.Interval != "" && hc.Interval != defaultInterval {
		fields = append(fields, wire.PyField{Key: "interval", Value: wire.PyString(hc.Interval)})
	}
	if hc.Timeout != "" && hc.Timeout != defaultTimeout {
		fields = append(fields, wire.PyField{Key: "timeout", Value: wire.PyString(hc.Timeout)})
	}
	return wire.PyObject(fields)
}

// Bag is the unit databag a requirer unit writes: host, and ip when known
// (the library omits a null ip).
func (u UnitData) Bag() (map[string]string, error) {
	if u.Host == "" {
		return nil, missing(KeyHost)
	}
	bag := map[string]string{KeyHost: string(wire.PyString(u.Host))}
	if u.IP.IsValid() {
		bag[KeyIP] = string(wire.PyString(u.IP.String()))
	}
	return bag, nil
}

// ReadURL returns the URL a provider published in its application databag
// (the "ingress" key), validated and normalised like the library's
// AnyHttpUrl. It returns ErrNoURL when nothing is published.
func ReadURL(bag map[string]string) (string, error) {
	v, ok, err := lookup(bag, KeyIngress)
	if err != nil {
		return "", err
	}
	if !ok || v == nil {
		return "", ErrNoURL
	}
	obj, isObject := v.(map[string]any)
	if !isObject {
		return "", invalid(KeyIngress, "must be a JSON object")
	}
	raw, present := obj["url"]
	if !present || raw == nil {
		return "", ErrNoURL
	}
	s, isString := raw.(string)
	if !isString {
		return "", invalid(KeyIngress+".url", "must be a JSON string")
	}
	norm, err := normaliseHTTPURL(s)
	if err != nil {
		return "", &FieldError{Path: KeyIngress + ".url", Msg: "rejected", Kind: ErrInvalid, Cause: err}
	}
	return norm, nil
}
