package ingressroute

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// ErrInvalidConfig is wrapped by every error ParseConfig returns, so callers
// can tell "the requirer sent bad data" from I/O failures.
var ErrInvalidConfig = errors.New("invalid istio_ingress_route config")

// FieldError is one problem with one field; Path is the field's location,
// e.g. "http_routes[0].backends[1].weight", empty for the whole value.
type FieldError = wire.FieldError

// ValidationError lists every field that does not validate, in the order
// the fields are declared.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return strings.Join(msgs, "; ")
}

// ParseConfig decodes the value of a requirer's "config" databag key.
//
// It accepts exactly what the Python provider library accepts: pydantic's lax
// rules (an integer field also takes an integral float, a bool, or a numeric
// string), defaults for omitted lists and path types, unknown fields ignored.
// On failure the error wraps ErrInvalidConfig and either a *SyntaxError or a
// *ValidationError naming every bad field.
func ParseConfig(data []byte) (*Config, error) {
	tree, err := parseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	d := &decoder{}
	cfg := d.config(tree)
	if len(d.errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, &ValidationError{Fields: d.errs})
	}
	return cfg, nil
}

// decoder walks a parsed tree, collecting every field error, like pydantic.
type decoder struct {
	path []string
	errs []FieldError
}

func (d *decoder) push(seg string) { d.path = append(d.path, seg) }
func (d *decoder) pop()            { d.path = d.path[:len(d.path)-1] }

func (d *decoder) fail(format string, args ...any) {
	var b strings.Builder
	for i, seg := range d.path {
		if i > 0 && !strings.HasPrefix(seg, "[") {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	d.errs = append(d.errs, FieldError{Path: b.String(), Msg: fmt.Sprintf(format, args...)})
}

// maxEcho is how much of a requirer's value an error message repeats.
const maxEcho = 64

// field runs fn on obj's member key (nil if absent), with the path extended.
func (d *decoder) field(obj *jsonValue, key string, fn func(v *jsonValue)) {
	v, _ := obj.get(key)
	d.push(key)
	fn(v)
	d.pop()
}

// required reports whether v is present, recording "field required" if not.
func (d *decoder) required(v *jsonValue) bool {
	if v == nil {
		d.fail("field required")
		return false
	}
	return true
}

func (d *decoder) object(v *jsonValue) bool {
	if v.kind != jsonObject {
		d.fail("must be an object")
		return false
	}
	return true
}

func (d *decoder) str(v *jsonValue) (string, bool) {
	if v.kind != jsonString {
		d.fail("must be a string")
		return "", false
	}
	return v.text, true
}

func (d *decoder) requiredStr(v *jsonValue) string {
	if !d.required(v) {
		return ""
	}
	s, _ := d.str(v)
	return s
}

// optionalStr decodes str | None: absent or null is nil.
func (d *decoder) optionalStr(v *jsonValue) *string {
	if v == nil || v.kind == jsonNull {
		return nil
	}
	s, ok := d.str(v)
	if !ok {
		return nil
	}
	return &s
}

// list decodes a JSON array, calling item for each element with the index in
// the path. It reports whether v was an array.
func (d *decoder) list(v *jsonValue, item func(v *jsonValue)) bool {
	if v.kind != jsonArray {
		d.fail("must be a list")
		return false
	}
	for i, it := range v.items {
		d.push("[" + strconv.Itoa(i) + "]")
		item(it)
		d.pop()
	}
	return true
}

// readOptionalList decodes list[T] | None: absent or null is nil, an array is
// a non-nil slice (empty stays empty, so [] and null round-trip).
func readOptionalList[T any](d *decoder, v *jsonValue, item func(v *jsonValue) T) []T {
	if v == nil || v.kind == jsonNull {
		return nil
	}
	out := []T{}
	d.list(v, func(v *jsonValue) { out = append(out, item(v)) })
	return out
}

// integer applies pydantic's lax int rules and then the [lo, hi] bounds.
func (d *decoder) integer(v *jsonValue, lo, hi int64) (int, bool) {
	n, msg := laxInt(v)
	if msg != "" {
		d.fail("%s", msg)
		return 0, false
	}
	if n.Big != 0 || n.Val < lo || n.Val > hi {
		d.fail("must be between %d and %d", lo, hi)
		return 0, false
	}
	return int(n.Val), true
}

// laxInt converts v like pydantic's lax int validator on JSON input. It
// returns a non-empty message if v is not an integer.
func laxInt(v *jsonValue) (wire.WideInt, string) {
	switch v.kind {
	case jsonInt:
		return wire.IntLiteral(v.text), ""
	case jsonBool:
		if v.boolean {
			return wire.WideInt{Val: 1}, ""
		}
		return wire.WideInt{}, ""
	case jsonFloat:
		return wire.FloatAsInt(v.text)
	case jsonString:
		return wire.StringAsInt(v.text)
	default:
		return wire.WideInt{}, "must be an integer"
	}
}

// enum decodes a case-sensitive string enum.
func enum[T ~string](d *decoder, v *jsonValue, valid func(T) bool, allowed ...T) (T, bool) {
	if v.kind == jsonString && valid(T(v.text)) {
		return T(v.text), true
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = strconv.Quote(string(a))
	}
	d.fail("must be one of %s", strings.Join(quoted, ", "))
	return "", false
}

func (d *decoder) config(v *jsonValue) *Config {
	cfg := &Config{Listeners: []Listener{}, HTTPRoutes: []HTTPRoute{}, GRPCRoutes: []GRPCRoute{}}
	if !d.object(v) {
		return cfg
	}
	d.field(v, "model", func(v *jsonValue) { cfg.Model = d.requiredStr(v) })
	d.field(v, "listeners", func(v *jsonValue) {
		if v != nil {
			d.list(v, func(v *jsonValue) { cfg.Listeners = append(cfg.Listeners, d.listener(v)) })
		}
	})
	d.field(v, "http_routes", func(v *jsonValue) {
		if v != nil {
			d.list(v, func(v *jsonValue) { cfg.HTTPRoutes = append(cfg.HTTPRoutes, d.httpRoute(v)) })
		}
	})
	d.field(v, "grpc_routes", func(v *jsonValue) {
		if v != nil {
			d.list(v, func(v *jsonValue) { cfg.GRPCRoutes = append(cfg.GRPCRoutes, d.grpcRoute(v)) })
		}
	})
	return cfg
}

func (d *decoder) listener(v *jsonValue) Listener {
	var l Listener
	if !d.object(v) {
		return l
	}
	d.field(v, "port", func(v *jsonValue) {
		if d.required(v) {
			l.Port, _ = d.integer(v, 1, 65535)
		}
	})
	d.field(v, "protocol", func(v *jsonValue) {
		if d.required(v) {
			l.Protocol, _ = enum(d, v, Protocol.Valid, ProtocolHTTP, ProtocolGRPC)
		}
	})
	return l
}

func (d *decoder) backend(v *jsonValue) BackendRef {
	var b BackendRef
	if !d.object(v) {
		return b
	}
	d.field(v, "service", func(v *jsonValue) { b.Service = d.requiredStr(v) })
	d.field(v, "port", func(v *jsonValue) {
		if d.required(v) {
			b.Port, _ = d.integer(v, 1, 65535)
		}
	})
	d.field(v, "weight", func(v *jsonValue) {
		if v == nil || v.kind == jsonNull {
			return
		}
		if w, ok := d.integer(v, 1, 100); ok {
			b.Weight = &w
		}
	})
	return b
}

// routeBase decodes the fields every route shares: name, listener, backends
// and hostnames.
func (d *decoder) routeBase(v *jsonValue) (name string, l Listener, backends []BackendRef, hostnames []string) {
	d.field(v, "name", func(v *jsonValue) { name = d.requiredStr(v) })
	d.field(v, "listener", func(v *jsonValue) {
		if d.required(v) {
			l = d.listener(v)
		}
	})
	d.field(v, "backends", func(v *jsonValue) {
		if !d.required(v) {
			return
		}
		backends = []BackendRef{}
		d.list(v, func(v *jsonValue) { backends = append(backends, d.backend(v)) })
	})
	d.field(v, "hostnames", func(v *jsonValue) {
		hostnames = readOptionalList(d, v, func(v *jsonValue) string {
			s, _ := d.str(v)
			return s
		})
	})
	return name, l, backends, hostnames
}

func (d *decoder) httpRoute(v *jsonValue) HTTPRoute {
	var r HTTPRoute
	if !d.object(v) {
		return r
	}
	r.Name, r.Listener, r.Backends, r.Hostnames = d.routeBase(v)
	d.field(v, "matches", func(v *jsonValue) { r.Matches = readOptionalList(d, v, d.httpMatch) })
	d.field(v, "filters", func(v *jsonValue) { r.Filters = readOptionalList(d, v, d.httpFilter) })
	return r
}

func (d *decoder) grpcRoute(v *jsonValue) GRPCRoute {
	var r GRPCRoute
	if !d.object(v) {
		return r
	}
	r.Name, r.Listener, r.Backends, r.Hostnames = d.routeBase(v)
	d.field(v, "matches", func(v *jsonValue) { r.Matches = readOptionalList(d, v, d.grpcMatch) })
	d.field(v, "filters", func(v *jsonValue) {
		r.Filters = readOptionalList(d, v, func(v *jsonValue) GRPCRouteFilter {
			var f GRPCRouteFilter
			if d.object(v) {
				d.field(v, "requestRedirect", func(v *jsonValue) {
					if d.required(v) {
						f.RequestRedirect = d.requestRedirect(v)
					}
				})
			}
			return f
		})
	})
	return r
}

// headers decodes a header-match object, keeping the requirer's key order.
// A repeated key keeps its first position and its last value, as a Python
// dict built from the object would.
func (d *decoder) headers(v *jsonValue) Headers {
	if v == nil || v.kind == jsonNull {
		return nil
	}
	if !d.object(v) {
		return nil
	}
	hs := Headers{}
	index := map[string]int{}
	for _, m := range v.members {
		// The name is echoed in the path: at most a short prefix of it.
		d.push("[" + strconv.Quote(wire.Clip(m.key, maxEcho)) + "]")
		val, _ := d.str(m.val)
		d.pop()
		if i, seen := index[m.key]; seen {
			hs[i].Value = val
			continue
		}
		index[m.key] = len(hs)
		hs = append(hs, Header{Name: m.key, Value: val})
	}
	return hs
}

func (d *decoder) httpMatch(v *jsonValue) HTTPRouteMatch {
	var m HTTPRouteMatch
	if !d.object(v) {
		return m
	}
	d.field(v, "headers", func(v *jsonValue) { m.Headers = d.headers(v) })
	d.field(v, "path", func(v *jsonValue) {
		if v == nil || v.kind == jsonNull || !d.object(v) {
			return
		}
		p := HTTPPathMatch{Type: PathMatchPathPrefix}
		d.field(v, "type", func(v *jsonValue) {
			if v != nil {
				p.Type, _ = enum(d, v, HTTPPathMatchType.Valid,
					PathMatchExact, PathMatchPathPrefix, PathMatchRegularExpression)
			}
		})
		d.field(v, "value", func(v *jsonValue) { p.Value = d.requiredStr(v) })
		m.Path = &p
	})
	d.field(v, "method", func(v *jsonValue) {
		if v == nil || v.kind == jsonNull {
			return
		}
		if meth, ok := enum(d, v, HTTPMethod.Valid, HTTPMethods()...); ok {
			m.Method = &meth
		}
	})
	return m
}

func (d *decoder) grpcMatch(v *jsonValue) GRPCRouteMatch {
	var m GRPCRouteMatch
	if !d.object(v) {
		return m
	}
	d.field(v, "headers", func(v *jsonValue) { m.Headers = d.headers(v) })
	d.field(v, "method", func(v *jsonValue) {
		if v == nil || v.kind == jsonNull || !d.object(v) {
			return
		}
		var mm GRPCMethodMatch
		d.field(v, "service", func(v *jsonValue) { mm.Service = d.requiredStr(v) })
		d.field(v, "method", func(v *jsonValue) { mm.Method = d.optionalStr(v) })
		m.Method = &mm
	})
	return m
}

// httpFilter decodes URLRewriteFilter | RequestRedirectFilter. Like the
// library's union, the filter's kind comes from which spec key validates,
// not from "type" (a computed field the library ignores on input); when both
// validate, URLRewrite (declared first) wins.
func (d *decoder) httpFilter(v *jsonValue) HTTPRouteFilter {
	if !d.object(v) {
		return HTTPRouteFilter{}
	}
	rewrite, rewriteErrs := d.trial(func() any {
		var f *URLRewrite
		d.field(v, "urlRewrite", func(v *jsonValue) {
			if d.required(v) {
				f = d.urlRewrite(v)
			}
		})
		return f
	})
	if len(rewriteErrs) == 0 {
		return HTTPRouteFilter{Type: FilterURLRewrite, URLRewrite: rewrite.(*URLRewrite)}
	}
	redirect, redirectErrs := d.trial(func() any {
		var f RequestRedirect
		d.field(v, "requestRedirect", func(v *jsonValue) {
			if d.required(v) {
				f = d.requestRedirect(v)
			}
		})
		return f
	})
	if len(redirectErrs) == 0 {
		rr := redirect.(RequestRedirect)
		return HTTPRouteFilter{Type: FilterRequestRedirect, RequestRedirect: &rr}
	}
	d.errs = append(d.errs, rewriteErrs...)
	d.errs = append(d.errs, redirectErrs...)
	return HTTPRouteFilter{}
}

// trial runs fn and returns the errors it recorded instead of keeping them.
func (d *decoder) trial(fn func() any) (any, []FieldError) {
	saved := d.errs
	d.errs = nil
	out := fn()
	errs := d.errs
	d.errs = saved
	return out, errs
}

func (d *decoder) urlRewrite(v *jsonValue) *URLRewrite {
	if !d.object(v) {
		return nil
	}
	u := &URLRewrite{}
	d.field(v, "hostname", func(v *jsonValue) { u.Hostname = d.optionalStr(v) })
	d.field(v, "path", func(v *jsonValue) { u.Path = d.pathModifier(v) })
	return u
}

func (d *decoder) requestRedirect(v *jsonValue) RequestRedirect {
	r := RequestRedirect{StatusCode: DefaultRedirectStatusCode}
	if !d.object(v) {
		return r
	}
	d.field(v, "scheme", func(v *jsonValue) { r.Scheme = d.optionalStr(v) })
	d.field(v, "hostname", func(v *jsonValue) { r.Hostname = d.optionalStr(v) })
	d.field(v, "path", func(v *jsonValue) { r.Path = d.pathModifier(v) })
	d.field(v, "port", func(v *jsonValue) {
		if v == nil || v.kind == jsonNull {
			return
		}
		if p, ok := d.integer(v, 1, 65535); ok {
			r.Port = &p
		}
	})
	d.field(v, "statusCode", func(v *jsonValue) {
		if v != nil {
			// The library bounds nothing here; only values beyond 64 bits
			// (useless as a status code) are refused.
			r.StatusCode, _ = d.integer(v, math.MinInt64, math.MaxInt64)
		}
	})
	return r
}

// pathModifier decodes the Gateway API form {"type", "replacePrefixMatch"} /
// {"type", "replaceFullPath"} and the library's own {"type", "value"}. With a
// replace key present the type defaults to that key's kind.
func (d *decoder) pathModifier(v *jsonValue) *PathModifier {
	if v == nil || v.kind == jsonNull || !d.object(v) {
		return nil
	}
	pm := &PathModifier{}
	valueKey, defType := "value", PathModifierType("")
	if _, ok := v.get("replacePrefixMatch"); ok {
		valueKey, defType = "replacePrefixMatch", ReplacePrefixMatch
	} else if _, ok := v.get("replaceFullPath"); ok {
		valueKey, defType = "replaceFullPath", ReplaceFullPath
	}
	d.field(v, "type", func(v *jsonValue) {
		if v == nil && defType != "" {
			pm.Type = defType
			return
		}
		if d.required(v) {
			pm.Type, _ = enum(d, v, PathModifierType.Valid, ReplaceFullPath, ReplacePrefixMatch)
		}
	})
	d.field(v, valueKey, func(v *jsonValue) { pm.Value = d.requiredStr(v) })
	return pm
}
