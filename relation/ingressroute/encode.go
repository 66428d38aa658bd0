package ingressroute

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Encode returns the wire form of c: the exact bytes the Python library's
// requirer writes for the same config (pydantic's model_dump_json: compact,
// fields in declaration order, None as null, only '"', '\' and control
// characters escaped). Nil Filters are left out, so a config without filters
// matches every library version byte for byte.
//
// Encode validates c first (see Validate) and never writes a config the
// provider would reject.
func (c *Config) Encode() ([]byte, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: no config", ErrInvalidConfig)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	e := &encoder{buf: make([]byte, 0, 256)}
	e.config(c)
	return e.buf, nil
}

type encoder struct{ buf []byte }

func (e *encoder) raw(s string) { e.buf = append(e.buf, s...) }
func (e *encoder) key(k string) { e.str(k); e.buf = append(e.buf, ':') }
func (e *encoder) int(n int)    { e.buf = strconv.AppendInt(e.buf, int64(n), 10) }
func (e *encoder) null()        { e.raw("null") }

// str writes a JSON string the way pydantic (serde_json) does: short escapes
// for \b \f \n \r \t, \u00xx (lower-case hex) for other control characters,
// everything else — '<', '&', U+2028, non-ASCII — written raw.
func (e *encoder) str(s string) {
	const hex = "0123456789abcdef"
	e.buf = append(e.buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			e.raw(`\"`)
		case c == '\\':
			e.raw(`\\`)
		case c == '\b':
			e.raw(`\b`)
		case c == '\f':
			e.raw(`\f`)
		case c == '\n':
			e.raw(`\n`)
		case c == '\r':
			e.raw(`\r`)
		case c == '\t':
			e.raw(`\t`)
		case c < 0x20:
			e.buf = append(e.buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			e.buf = append(e.buf, c)
		}
	}
	e.buf = append(e.buf, '"')
}

func (e *encoder) optStr(s *string) {
	if s == nil {
		e.null()
		return
	}
	e.str(*s)
}

func (e *encoder) optInt(n *int) {
	if n == nil {
		e.null()
		return
	}
	e.int(*n)
}

// list writes n items with item(i); used for every array so nil and empty
// slices are both written as [].
func (e *encoder) list(n int, item func(i int)) {
	e.buf = append(e.buf, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		item(i)
	}
	e.buf = append(e.buf, ']')
}

// writeOptionalList writes list[T] | None: nil as null, otherwise the items.
func writeOptionalList[T any](e *encoder, items []T, item func(*T)) {
	if items == nil {
		e.null()
		return
	}
	e.list(len(items), func(i int) { item(&items[i]) })
}

func (e *encoder) config(c *Config) {
	e.raw("{")
	e.key("model")
	e.str(c.Model)
	e.raw(",")
	e.key("listeners")
	e.list(len(c.Listeners), func(i int) { e.listener(c.Listeners[i]) })
	e.raw(",")
	e.key("http_routes")
	e.list(len(c.HTTPRoutes), func(i int) { e.httpRoute(&c.HTTPRoutes[i]) })
	e.raw(",")
	e.key("grpc_routes")
	e.list(len(c.GRPCRoutes), func(i int) { e.grpcRoute(&c.GRPCRoutes[i]) })
	e.raw("}")
}

func (e *encoder) listener(l Listener) {
	e.raw("{")
	e.key("port")
	e.int(l.Port)
	e.raw(",")
	e.key("protocol")
	e.str(string(l.Protocol))
	e.raw("}")
}

func (e *encoder) routeBase(name string, l Listener, backends []BackendRef, hostnames []string) {
	e.key("name")
	e.str(name)
	e.raw(",")
	e.key("listener")
	e.listener(l)
	e.raw(",")
	e.key("backends")
	e.list(len(backends), func(i int) {
		b := backends[i]
		e.raw("{")
		e.key("service")
		e.str(b.Service)
		e.raw(",")
		e.key("port")
		e.int(b.Port)
		e.raw(",")
		e.key("weight")
		e.optInt(b.Weight)
		e.raw("}")
	})
	e.raw(",")
	e.key("hostnames")
	writeOptionalList(e, hostnames, func(h *string) { e.str(*h) })
}

func (e *encoder) headers(h Headers) {
	if h == nil {
		e.null()
		return
	}
	e.raw("{")
	for i, hd := range h {
		if i > 0 {
			e.raw(",")
		}
		e.key(hd.Name)
		e.str(hd.Value)
	}
	e.raw("}")
}

func (e *encoder) httpRoute(r *HTTPRoute) {
	e.raw("{")
	e.routeBase(r.Name, r.Listener, r.Backends, r.Hostnames)
	e.raw(",")
	e.key("matches")
	writeOptionalList(e, r.Matches, e.httpMatch)
	if r.Filters != nil {
		e.raw(",")
		e.key("filters")
		e.list(len(r.Filters), func(i int) { e.httpFilter(&r.Filters[i]) })
	}
	e.raw("}")
}

func (e *encoder) httpMatch(m *HTTPRouteMatch) {
	e.raw("{")
	e.key("headers")
	e.headers(m.Headers)
	e.raw(",")
	e.key("path")
	if m.Path == nil {
		e.null()
	} else {
		typ := m.Path.Type
		if typ == "" {
			typ = PathMatchPathPrefix
		}
		e.raw("{")
		e.key("type")
		e.str(string(typ))
		e.raw(",")
		e.key("value")
		e.str(m.Path.Value)
		e.raw("}")
	}
	e.raw(",")
	e.key("method")
	if m.Method == nil {
		e.null()
	} else {
		e.str(string(*m.Method))
	}
	e.raw("}")
}

func (e *encoder) grpcMatch(m *GRPCRouteMatch) {
	e.raw("{")
	e.key("headers")
	e.headers(m.Headers)
	e.raw(",")
	e.key("method")
	if m.Method == nil {
		e.null()
	} else {
		e.raw("{")
		e.key("service")
		e.str(m.Method.Service)
		e.raw(",")
		e.key("method")
		e.optStr(m.Method.Method)
		e.raw("}")
	}
	e.raw("}")
}

func (e *encoder) grpcRoute(r *GRPCRoute) {
	e.raw("{")
	e.routeBase(r.Name, r.Listener, r.Backends, r.Hostnames)
	e.raw(",")
	e.key("matches")
	writeOptionalList(e, r.Matches, e.grpcMatch)
	if r.Filters != nil {
		e.raw(",")
		e.key("filters")
		e.list(len(r.Filters), func(i int) { e.redirectFilter(&r.Filters[i].RequestRedirect) })
	}
	e.raw("}")
}

// Filters are written as the newer library does: the spec first, then the
// computed "type" field.
func (e *encoder) httpFilter(f *HTTPRouteFilter) {
	if f.Type == FilterRequestRedirect {
		e.redirectFilter(f.RequestRedirect)
		return
	}
	e.raw("{")
	e.key("urlRewrite")
	e.raw("{")
	e.key("hostname")
	e.optStr(f.URLRewrite.Hostname)
	e.raw(",")
	e.key("path")
	e.pathModifier(f.URLRewrite.Path)
	e.raw("},")
	e.key("type")
	e.str(string(FilterURLRewrite))
	e.raw("}")
}

func (e *encoder) redirectFilter(r *RequestRedirect) {
	status := r.StatusCode
	if status == 0 {
		status = DefaultRedirectStatusCode
	}
	e.raw("{")
	e.key("requestRedirect")
	e.raw("{")
	e.key("scheme")
	e.optStr(r.Scheme)
	e.raw(",")
	e.key("hostname")
	e.optStr(r.Hostname)
	e.raw(",")
	e.key("path")
	e.pathModifier(r.Path)
	e.raw(",")
	e.key("port")
	e.optInt(r.Port)
	e.raw(",")
	e.key("statusCode")
	e.int(status)
	e.raw("},")
	e.key("type")
	e.str(string(FilterRequestRedirect))
	e.raw("}")
}

func (e *encoder) pathModifier(p *PathModifier) {
	if p == nil {
		e.null()
		return
	}
	e.raw("{")
	e.key("type")
	e.str(string(p.Type))
	e.raw(",")
	if p.Type == ReplaceFullPath {
		e.key("replaceFullPath")
	} else {
		e.key("replacePrefixMatch")
	}
	e.str(p.Value)
	e.raw("}")
}

// Validate reports every field of c that the provider would reject, and
// strings that are not valid UTF-8 (they cannot be sent as JSON text). The
// error is a *ValidationError wrapped in ErrInvalidConfig.
func (c *Config) Validate() error {
	v := &validator{}
	v.str("model", c.Model)
	for i, l := range c.Listeners {
		v.listener(fmt.Sprintf("listeners[%d]", i), l)
	}
	for i := range c.HTTPRoutes {
		r := &c.HTTPRoutes[i]
		p := fmt.Sprintf("http_routes[%d]", i)
		v.route(p, r.Name, r.Listener, r.Backends, r.Hostnames)
		for j, m := range r.Matches {
			mp := fmt.Sprintf("%s.matches[%d]", p, j)
			v.headers(mp, m.Headers)
			if m.Path != nil {
				if m.Path.Type != "" && !m.Path.Type.Valid() {
					v.fail(mp+".path.type", "must be one of \"Exact\", \"PathPrefix\", \"RegularExpression\"")
				}
				v.str(mp+".path.value", m.Path.Value)
			}
			if m.Method != nil && !m.Method.Valid() {
				v.fail(mp+".method", "must be one of the nine HTTP methods (upper case)")
			}
		}
		for j, f := range r.Filters {
			fp := fmt.Sprintf("%s.filters[%d]", p, j)
			switch {
			case f.Type == FilterURLRewrite && f.URLRewrite != nil && f.RequestRedirect == nil:
				v.optStr(fp+".urlRewrite.hostname", f.URLRewrite.Hostname)
				v.pathModifier(fp+".urlRewrite.path", f.URLRewrite.Path)
			case f.Type == FilterRequestRedirect && f.RequestRedirect != nil && f.URLRewrite == nil:
				v.redirect(fp+".requestRedirect", f.RequestRedirect)
			default:
				v.fail(fp, "Type must be URLRewrite or RequestRedirect and exactly the matching field must be set")
			}
		}
	}
	for i := range c.GRPCRoutes {
		r := &c.GRPCRoutes[i]
		p := fmt.Sprintf("grpc_routes[%d]", i)
		v.route(p, r.Name, r.Listener, r.Backends, r.Hostnames)
		for j, m := range r.Matches {
			mp := fmt.Sprintf("%s.matches[%d]", p, j)
			v.headers(mp, m.Headers)
			if m.Method != nil {
				v.str(mp+".method.service", m.Method.Service)
				v.optStr(mp+".method.method", m.Method.Method)
			}
		}
		for j := range r.Filters {
			v.redirect(fmt.Sprintf("%s.filters[%d].requestRedirect", p, j), &r.Filters[j].RequestRedirect)
		}
	}
	if len(v.errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, &ValidationError{Fields: v.errs})
	}
	return nil
}

type validator struct{ errs []FieldError }

func (v *validator) fail(path, msg string) {
	v.errs = append(v.errs, FieldError{Path: path, Msg: msg})
}

func (v *validator) str(path, s string) {
	if !utf8.ValidString(s) {
		v.fail(path, "must be valid UTF-8")
	}
}

func (v *validator) optStr(path string, s *string) {
	if s != nil {
		v.str(path, *s)
	}
}

func (v *validator) port(path string, p int) {
	if p < 1 || p > 65535 {
		v.fail(path, "must be between 1 and 65535")
	}
}

func (v *validator) listener(path string, l Listener) {
	v.port(path+".port", l.Port)
	if !l.Protocol.Valid() {
		v.fail(path+".protocol", `must be one of "HTTP", "GRPC"`)
	}
}

func (v *validator) route(path, name string, l Listener, backends []BackendRef, hostnames []string) {
	v.str(path+".name", name)
	v.listener(path+".listener", l)
	for i, b := range backends {
		bp := fmt.Sprintf("%s.backends[%d]", path, i)
		v.str(bp+".service", b.Service)
		v.port(bp+".port", b.Port)
		if b.Weight != nil && (*b.Weight < 1 || *b.Weight > 100) {
			v.fail(bp+".weight", "must be between 1 and 100")
		}
	}
	for i, h := range hostnames {
		v.str(fmt.Sprintf("%s.hostnames[%d]", path, i), h)
	}
}

func (v *validator) headers(path string, h Headers) {
	seen := map[string]bool{}
	for _, hd := range h {
		hp := fmt.Sprintf("%s.headers[%q]", path, hd.Name)
		v.str(hp, hd.Name)
		v.str(hp, hd.Value)
		if seen[hd.Name] {
			v.fail(hp, "duplicate header name")
		}
		seen[hd.Name] = true
	}
}

func (v *validator) pathModifier(path string, p *PathModifier) {
	if p == nil {
		return
	}
	if !p.Type.Valid() {
		v.fail(path+".type", `must be one of "ReplaceFullPath", "ReplacePrefixMatch"`)
	}
	v.str(path+".value", p.Value)
}

func (v *validator) redirect(path string, r *RequestRedirect) {
	v.optStr(path+".scheme", r.Scheme)
	v.optStr(path+".hostname", r.Hostname)
	v.pathModifier(path+".path", r.Path)
	if r.Port != nil {
		v.port(path+".port", *r.Port)
	}
}
