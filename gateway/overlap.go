package gateway

import (
	"cmp"
	"regexp"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// The overlap rule (the README's "No one takes another's traffic"): on one
// listener, a newer relation's match is refused when some request could be
// matched both by it and by an older relation's match from another
// application, unless the Gateway API's precedence provably keeps every
// such request with the older match. The older keeps that request when its
// hostnames are what decides (the newcomer names no hostname and the older
// does), or, with neither naming a hostname, when its match ranks higher:
// an Exact path over a PathPrefix, a longer prefix, then a method, then
// more headers. Anything implementation-specific (a regular expression,
// hostnames on both sides, two matches that tie) is refused whenever the
// two can meet: conservative, so a newcomer may be refused that would in
// fact only have received its own traffic, never the other way round.
//
// Matches are kept in a path trie per (kind, listener port, hostname), so a
// newcomer is compared with the matches on its own path and summaries of the
// subtree below it, never with every match on the listener.

// matchShape is what the overlap rule needs of one match. gRPC matches use
// the same shape: /service/method is an Exact path, /service/* a PathPrefix,
// any method a PathPrefix "/", and a method of any service a regular
// expression (its precedence is not expressible as a path).
type matchShape struct {
	typ     gwv1.PathMatchType
	path    string // Exact or PathPrefix value, normalised; a regex's literal prefix
	method  string
	headers []header // names lowercased
}

// rank orders shapes by Gateway API precedence once paths overlap: higher
// wins. Regular expressions are never ranked (see matchOverlap).
func (s matchShape) rank() [4]int {
	r := 1
	if s.typ == gwv1.PathMatchExact {
		r = 2
	}
	m := 0
	if s.method != "" {
		m = 1
	}
	return [4]int{r, len(s.path), m, len(s.headers)}
}

// outranks reports whether o wins every request both o and n match.
func (o matchShape) outranks(n matchShape) bool {
	a, b := o.rank(), n.rank()
	for i := range a {
		if c := cmp.Compare(a[i], b[i]); c != 0 {
			return c > 0
		}
	}
	return false // a tie goes to the older object's timestamp: not provable
}

// compatible reports whether one request can satisfy both shapes' method
// and header conditions.
func (o matchShape) compatible(n matchShape) bool {
	if o.method != "" && n.method != "" && o.method != n.method {
		return false
	}
	for _, a := range o.headers {
		for _, b := range n.headers {
			if a.name == b.name && a.value != b.value {
				return false
			}
		}
	}
	return true
}

// newShape normalises a path match: a PathPrefix without its trailing
// slashes, percent-encoded unreserved characters decoded (the proxy decodes
// them before matching, so "/a%62" is "/ab"), a regular expression reduced to
// the literal prefix every path it matches starts with.
func newShape(typ gwv1.PathMatchType, value, method string, headers []header) matchShape {
	s := matchShape{typ: typ, method: method}
	for _, h := range headers {
		s.headers = append(s.headers, header{strings.ToLower(h.name), h.value})
	}
	switch typ {
	case gwv1.PathMatchRegularExpression:
		// The proxy matches the whole path, so a leading ^ changes nothing
		// but hides the literal prefix from the parser.
		if re, err := regexp.Compile(strings.TrimPrefix(value, "^")); err == nil {
			s.path, _ = re.LiteralPrefix()
		}
		s.path = decodeUnreserved(s.path)
	case gwv1.PathMatchPathPrefix:
		s.path = decodeUnreserved(value)
		if t := strings.TrimRight(s.path, "/"); t != "" {
			s.path = t
		} else {
			s.path = "/"
		}
	default:
		s.path = decodeUnreserved(value)
	}
	return s
}

// decodeUnreserved decodes %XX escapes of RFC 3986 unreserved characters.
func decodeUnreserved(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			if c, ok := unhex(p[i+1], p[i+2]); ok && isUnreserved(c) {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func unhex(a, b byte) (byte, bool) {
	v := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	hi, ok1 := v(a)
	lo, ok2 := v(b)
	return hi<<4 | lo, ok1 && ok2
}

func isUnreserved(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// segments is the trie path of a shape: an Exact or PathPrefix path's
// segments, a regular expression's complete segments (its literal prefix up
// to the last "/").
func (s matchShape) segments() []string {
	p := s.path
	if s.typ == gwv1.PathMatchRegularExpression {
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return nil
		}
		p = p[:i]
	}
	p = strings.TrimPrefix(p, "/")
	if p == "" && s.typ != gwv1.PathMatchExact {
		return nil
	}
	return strings.Split(p, "/")
}

// entry is one admitted match.
type entry struct {
	holder  Relation
	shape   matchShape
	display string
}

// reps keeps up to two entries of distinct applications: enough to answer
// "is there one of another application than A" for any A.
type reps [2]*entry

func (r *reps) add(e *entry) {
	switch {
	case r[0] == nil:
		r[0] = e
	case r[1] == nil && r[0].holder.App != e.holder.App:
		r[1] = e
	}
}

func (r reps) other(app string) *entry {
	for _, e := range r {
		if e != nil && e.holder.App != app {
			return e
		}
	}
	return nil
}

// pathNode is one path segment of a trie.
type pathNode struct {
	children              map[string]*pathNode
	exact, prefix, regexp []*entry
	below, belowRegexp    reps // entries strictly below this node
}

func (n *pathNode) child(seg string, create bool) *pathNode {
	c := n.children[seg]
	if c == nil && create {
		if n.children == nil {
			n.children = map[string]*pathNode{}
		}
		c = &pathNode{}
		n.children[seg] = c
	}
	return c
}

func (n *pathNode) insert(e *entry) {
	for _, seg := range e.shape.segments() {
		n.below.add(e)
		if e.shape.typ == gwv1.PathMatchRegularExpression {
			n.belowRegexp.add(e)
		}
		n = n.child(seg, true)
	}
	switch e.shape.typ {
	case gwv1.PathMatchExact:
		n.exact = append(n.exact, e)
	case gwv1.PathMatchPathPrefix:
		n.prefix = append(n.prefix, e)
	default:
		n.regexp = append(n.regexp, e)
	}
}

// find returns an entry of another application than app that s may take
// requests from. relaxed is true when neither side names a hostname, so
// precedence may clear a pair of overlapping matches.
func (n *pathNode) find(s matchShape, app string, relaxed bool) *entry {
	regex := s.typ == gwv1.PathMatchRegularExpression
	segs := s.segments()
	// Some other: for every entry e overlapping s, return e unless it is
	// provably kept by its holder.
	check := func(es []*entry, samePath bool) *entry {
		for _, e := range es {
			if e.holder.App == app {
				continue
			}
			eRegex := e.shape.typ == gwv1.PathMatchRegularExpression
			if (regex || eRegex) && !comparable(e.shape.path, s.path) {
				continue
			}
			if regex || eRegex {
				return e // a regular expression's precedence is the implementation's
			}
			if !e.shape.compatible(s) {
				continue
			}
			if relaxed && samePath && e.shape.outranks(s) {
				continue
			}
			return e
		}
		return nil
	}
	for i := 0; ; i++ {
		if e := check(n.regexp, false); e != nil {
			return e
		}
		if i == len(segs) {
			break
		}
		// A prefix above s covers s, and s (longer, or Exact) outranks it.
		if e := check(n.prefix, false); e != nil {
			return e
		}
		if n = n.child(segs[i], false); n == nil {
			return nil
		}
	}
	switch {
	case regex:
		if e := check(n.prefix, false); e != nil {
			return e
		}
		if e := check(n.exact, false); e != nil {
			return e
		}
		return n.below.other(app)
	case s.typ == gwv1.PathMatchExact:
		if e := check(n.prefix, true); e != nil {
			return e
		}
		return check(n.exact, true)
	}
	if e := check(n.prefix, true); e != nil {
		return e
	}
	if e := check(n.exact, true); e != nil {
		return e
	}
	// Everything below is a longer prefix or an Exact path under s, which
	// outranks s; a regular expression, or any match once hostnames are in
	// play, does not.
	if relaxed {
		return n.belowRegexp.other(app)
	}
	return n.below.other(app)
}

// comparable reports whether one of a and b is a prefix of the other: a
// path starting with a regular expression's literal prefix may also be
// matched by the other.
func comparable(a, b string) bool {
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// spaceKey is one match space: a listener port and a route kind (HTTP and
// gRPC matches never meet).
type spaceKey struct {
	kind routeKind
	port int
}

// hostTries holds one match space's tries by hostname.
type hostTries struct {
	any   pathNode             // matches with no hostname: every hostname
	hosts map[string]*pathNode // by hostname or wildcard ("*.example.com")
	// under lists, for a domain, the hostnames and wildcards strictly below
	// it, so a wildcard newcomer finds them without a scan.
	under map[string][]string
}

// overlapIndex holds every admitted match.
type overlapIndex struct {
	spaces map[spaceKey]*hostTries
}

func newOverlapIndex() *overlapIndex {
	return &overlapIndex{spaces: map[spaceKey]*hostTries{}}
}

// overlapHit is a match a claim may not take requests from.
type overlapHit struct {
	entry    *entry
	hostname string
}

// find returns the first admitted match of another application that c may
// take requests from, or nil.
func (x *overlapIndex) find(c claim, app string) *overlapHit {
	sp := x.spaces[spaceKey{c.kind, c.port}]
	if sp == nil {
		return nil
	}
	if len(c.hostnames) == 0 {
		// Matches that name hostnames win on them; only those that do not
		// are compared, by precedence.
		if e := sp.any.find(c.shape, app, true); e != nil {
			return &overlapHit{e, "*"}
		}
		return nil
	}
	for _, h := range c.hostnames {
		if e := sp.any.find(c.shape, app, false); e != nil {
			return &overlapHit{e, h}
		}
		for _, key := range overlappingHosts(sp, h) {
			if t := sp.hosts[key]; t != nil {
				if e := t.find(c.shape, app, false); e != nil {
					return &overlapHit{e, narrower(h, key)}
				}
			}
		}
	}
	return nil
}

// overlappingHosts lists the hostname keys whose requests may also be h's:
// h itself, the wildcards above it and, for a wildcard, every key below it.
func overlappingHosts(sp *hostTries, h string) []string {
	out := []string{h}
	domain, wild := strings.CutPrefix(h, "*.")
	for d := domain; ; {
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			break
		}
		out = append(out, "*."+rest)
		d = rest
	}
	if wild {
		out = append(out, sp.under[domain]...)
	}
	return out
}

func narrower(a, b string) string {
	if strings.HasPrefix(a, "*") {
		return b
	}
	return a
}

func (x *overlapIndex) insert(c claim, e *entry) {
	k := spaceKey{c.kind, c.port}
	sp := x.spaces[k]
	if sp == nil {
		sp = &hostTries{hosts: map[string]*pathNode{}, under: map[string][]string{}}
		x.spaces[k] = sp
	}
	if len(c.hostnames) == 0 {
		sp.any.insert(e)
		return
	}
	for _, h := range c.hostnames {
		t := sp.hosts[h]
		if t == nil {
			t = &pathNode{}
			sp.hosts[h] = t
			domain := strings.TrimPrefix(h, "*.")
			for d := domain; ; {
				_, rest, ok := strings.Cut(d, ".")
				if !ok {
					break
				}
				sp.under[rest] = append(sp.under[rest], h)
				d = rest
			}
		}
		t.insert(e)
	}
}
