package gateway

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/canonical/istio-ingress-k8s-go/relation/forwardauth"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressconfig"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
	"github.com/canonical/istio-ingress-k8s-go/relation/requestauth"
	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
	"github.com/canonical/istio-ingress-k8s-go/resource"
)

// endpointIngressUnauthenticated is the ingress v2 endpoint whose routes
// bypass forward authentication (its istio-ingress-route twin is
// ingressroute.EndpointUnauthenticated).
const endpointIngressUnauthenticated = "ingress-unauthenticated"

// maxPolicyRules is the AuthorizationPolicy schema's limit on rules.
const maxPolicyRules = 512

// Auth is what the gateway's authentication relations say.
type Auth struct {
	// ForwardAuth is the forward-auth relation, nil when there is none.
	ForwardAuth *ForwardAuth
	// IngressConfig is the istio-ingress-config relation, nil when there
	// is none.
	IngressConfig *IngressConfig
	// RequestAuth are the istio-request-auth relations.
	RequestAuth []RequestAuthRequest
}

// ForwardAuth is the identity-aware proxy's answer.
type ForwardAuth struct {
	Relation
	// Config is nil until the proxy has published anything.
	Config *forwardauth.Config
	// Err says why its bag cannot be used.
	Err error
}

// IngressConfig is istio-k8s's answer.
type IngressConfig struct {
	Relation
	// ProviderName is the ext-authz extension provider istio-k8s
	// registered ("" until it has).
	ProviderName string
}

// RequestAuthRequest is one istio-request-auth relation's JWT rules.
type RequestAuthRequest struct {
	Relation
	Rules []requestauth.JWTRule // empty until the requirer publishes
	Err   error
}

// ExtAuthz is the authorisation service to register with istio-k8s, from
// the forward-auth answer; an error says why there is none.
func (a Auth) ExtAuthz() (ingressconfig.ExtAuthz, error) {
	f := a.ForwardAuth
	switch {
	case f == nil:
		return ingressconfig.ExtAuthz{}, errors.New("no forward-auth relation")
	case f.Err != nil:
		return ingressconfig.ExtAuthz{}, f.Err
	case f.Config == nil:
		return ingressconfig.ExtAuthz{}, errNoDecisionsAddress
	}
	host, port, err := forwardauth.Endpoint(f.Config.DecisionsAddress)
	if err != nil {
		return ingressconfig.ExtAuthz{}, err
	}
	return ingressconfig.ExtAuthz{Service: host, Port: port, UpstreamHeaders: f.Config.Headers}, nil
}

var errNoDecisionsAddress = errors.New("no decisions address yet")

// AuthMode is what forward authentication does to the authenticated routes.
type AuthMode string

// Forward-auth modes.
const (
	// AuthOff: no forward-auth relation; every route is served open.
	AuthOff AuthMode = "off"
	// AuthOn: the authenticated routes ask the proxy (CUSTOM policy).
	AuthOn AuthMode = "on"
	// AuthClosed: forward-auth is related but not usable; the
	// authenticated routes are denied (DENY policy) until it is.
	AuthClosed AuthMode = "closed"
)

// Narrowing is one unauthenticated route kept (partly) authenticated, and
// why.
type Narrowing struct {
	Relation
	Route, Why string
}

func (n Narrowing) String() string {
	return fmt.Sprintf("%s route %s: %s", n.Relation, n.Route, n.Why)
}

// AuthOutcome is what the plan does for authentication.
type AuthOutcome struct {
	Mode AuthMode
	// Missing says, when Mode is AuthClosed, which half is missing.
	Missing string
	// Blocked is true when Missing needs the operator (a bad bag, a
	// relation to add) rather than time (an answer not given yet).
	Blocked bool
	// Narrowed names unauthenticated routes the policy cannot let through
	// exactly: they are authenticated (or denied) where an authenticated
	// route could share their requests, or everywhere when their match
	// cannot be expressed.
	Narrowed []Narrowing
	// InvalidJWT are istio-request-auth relations whose rules are refused.
	InvalidJWT []Result
	// rejected are those whose objects the cluster refused: the plan's
	// Status.Rejected lists them with the other rejected relations.
	rejected []Result
	// DenyWithoutJWT says requests without a valid JWT are denied.
	DenyWithoutJWT bool
}

// authMode decides the forward-auth mode and, when closed, why.
func authMode(a Auth) (mode AuthMode, missing string, blocked bool) {
	if a.ForwardAuth == nil {
		return AuthOff, "", false
	}
	_, err := a.ExtAuthz()
	proxy := cmp.Or(a.ForwardAuth.App, a.ForwardAuth.ID.String())
	switch {
	case errors.Is(err, errNoDecisionsAddress):
		return AuthClosed, fmt.Sprintf("waiting for %s to publish its decisions address", proxy), false
	case err != nil:
		return AuthClosed, fmt.Sprintf("invalid forward-auth data from %s: %v", proxy, err), true
	case a.IngressConfig == nil:
		return AuthClosed, "relate istio-ingress-config to istio-k8s to register the forward-auth provider", true
	case a.IngressConfig.ProviderName == "":
		return AuthClosed, fmt.Sprintf("waiting for %s to register the forward-auth provider", cmp.Or(a.IngressConfig.App, a.IngressConfig.ID.String())), false
	}
	return AuthOn, "", false
}

// isUnauthenticated reports whether routes of endpoint bypass forward auth.
func isUnauthenticated(endpoint string) bool {
	return endpoint == endpointIngressUnauthenticated || endpoint == ingressroute.EndpointUnauthenticated
}

// pathRegion is the set of request paths one route match takes.
type pathRegion struct {
	kind  regionKind
	value string // the path, the prefix without trailing "/", or a literal prefix
}

type regionKind int

const (
	regionExact  regionKind = iota
	regionPrefix            // value and value/...; "" is every path
	regionSuffix            // any path ending in value (a gRPC method of any service)
	regionLoose             // a regular expression: only its literal prefix value is known
)

// patterns are the Istio policy paths that cover r exactly; ok is false
// when Istio's paths cannot (a regular expression, a wildcard character).
func (r pathRegion) patterns() (_ []string, ok bool) {
	if strings.ContainsAny(r.value, "*{}") {
		return nil, false
	}
	switch r.kind {
	case regionExact:
		return []string{r.value}, true
	case regionPrefix:
		if r.value == "" {
			return []string{"*"}, true
		}
		return []string{r.value, r.value + "/*"}, true
	case regionSuffix:
		return []string{"*" + r.value}, true
	}
	return nil, false
}

// cover is a set of Istio paths that holds every request of r, possibly
// more: what forcing authentication on r uses.
func (r pathRegion) cover() []string {
	if p, ok := r.patterns(); ok {
		return p
	}
	v := r.value
	if i := strings.IndexAny(v, "*{}"); i >= 0 {
		v = v[:i]
	}
	if r.kind == regionSuffix || v == "" || v == "/" {
		return []string{"*"}
	}
	return []string{v + "*"}
}

// within reports whether every request of a is also one of b's; with
// loose regions it answers whether they may share a request at all.
func (a pathRegion) within(b pathRegion) bool {
	if a.kind == regionLoose || b.kind == regionLoose || a.kind == regionSuffix || b.kind == regionSuffix {
		return strings.HasPrefix(a.value, b.value) || strings.HasPrefix(b.value, a.value) || a.kind == regionSuffix || b.kind == regionSuffix
	}
	under := func(p, prefix string) bool { return prefix == "" || p == prefix || strings.HasPrefix(p, prefix+"/") }
	switch {
	case b.kind == regionExact:
		return a.kind == regionExact && a.value == b.value
	default: // b is a prefix
		return under(a.value, b.value)
	}
}

// authRoute is one route's part in the policy: its listener port,
// hostnames and the path regions of its matches.
type authRoute struct {
	rel     Relation
	name    string
	port    int
	hosts   []string
	regions []pathRegion
}

func authRoutes(rel Relation, rt plannedRoute) authRoute {
	ar := authRoute{rel: rel, name: rt.name, port: rt.listener.port}
	for _, h := range rt.hostnames {
		ar.hosts = append(ar.hosts, string(h))
	}
	for _, rule := range rt.httpRules {
		for _, m := range rule.Matches {
			ar.regions = append(ar.regions, httpRegion(m))
		}
		if len(rule.Matches) == 0 {
			ar.regions = append(ar.regions, pathRegion{kind: regionPrefix})
		}
	}
	for _, rule := range rt.grpcRules {
		for _, m := range rule.Matches {
			ar.regions = append(ar.regions, grpcRegion(m))
		}
		if len(rule.Matches) == 0 {
			ar.regions = append(ar.regions, pathRegion{kind: regionPrefix})
		}
	}
	return ar
}

func httpRegion(m gwv1.HTTPRouteMatch) pathRegion {
	if m.Path == nil || m.Path.Value == nil {
		return pathRegion{kind: regionPrefix}
	}
	v := decodeUnreserved(*m.Path.Value)
	switch ptrOr(m.Path.Type, gwv1.PathMatchPathPrefix) {
	case gwv1.PathMatchExact:
		return pathRegion{kind: regionExact, value: v}
	case gwv1.PathMatchPathPrefix:
		return pathRegion{kind: regionPrefix, value: strings.TrimRight(v, "/")}
	}
	return pathRegion{kind: regionLoose, value: literalPrefix(v)}
}

// literalPrefix is the part of a regular expression before its first
// special character (anchors dropped).
func literalPrefix(re string) string {
	re = strings.TrimPrefix(re, "^")
	if i := strings.IndexAny(re, `\.+*?()|[]{}^$`); i >= 0 {
		return re[:i]
	}
	return re
}

func grpcRegion(m gwv1.GRPCRouteMatch) pathRegion {
	if m.Method == nil {
		return pathRegion{kind: regionPrefix}
	}
	service, method := ptrOr(m.Method.Service, ""), ptrOr(m.Method.Method, "")
	switch {
	case ptrOr(m.Method.Type, gwv1.GRPCMethodMatchExact) != gwv1.GRPCMethodMatchExact:
		return pathRegion{kind: regionLoose, value: "/"}
	case service != "" && method != "":
		return pathRegion{kind: regionExact, value: "/" + service + "/" + method}
	case service != "":
		return pathRegion{kind: regionPrefix, value: "/" + service}
	case method != "":
		return pathRegion{kind: regionSuffix, value: "/" + method}
	}
	return pathRegion{kind: regionPrefix}
}

func ptrOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// policyRule is one AuthorizationPolicy rule's operation.
type policyRule struct {
	ports, notPorts, hosts, notHosts, paths, notPaths []string
}

func (r policyRule) object(when []any) map[string]any {
	op := map[string]any{}
	for _, f := range []struct {
		key  string
		vals []string
	}{{"hosts", r.hosts}, {"notHosts", r.notHosts}, {"ports", r.ports}, {"notPorts", r.notPorts}, {"paths", r.paths}, {"notPaths", r.notPaths}} {
		if len(f.vals) > 0 {
			op[f.key] = anyStrings(f.vals)
		}
	}
	rule := map[string]any{}
	if len(op) > 0 {
		rule["to"] = []any{map[string]any{"operation": op}}
	}
	if len(when) > 0 {
		rule["when"] = when
	}
	return rule
}

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// authRules are the rules matching every request forward auth must check:
// all of them but those only unauthenticated routes take.
//
// Per listener port with unauthenticated routes, their paths are let
// through on that port only, and a path an unauthenticated route names a
// hostname for only on that hostname. An authenticated route on the same
// port and hostnames whose paths lie within a let-through path (a longer
// prefix, the same path with a method or header) gets a rule of its own
// that forces the check on its paths: the unauthenticated route loses
// those paths (it is named in Narrowed), the authenticated one never
// opens. A match Istio's paths cannot express (a regular expression) is
// never let through.
func authRules(open, closed []authRoute) (rules []policyRule, narrowed []Narrowing) {
	type bypass struct {
		route  authRoute
		region pathRegion
		paths  []string
	}
	byPort := map[int][]bypass{}
	note := func(ar authRoute, why string) {
		n := Narrowing{Relation: ar.rel, Route: clip(ar.name), Why: why}
		if !slices.Contains(narrowed, n) {
			narrowed = append(narrowed, n)
		}
	}
	for _, ar := range open {
		for _, reg := range ar.regions {
			p, ok := reg.patterns()
			if !ok {
				note(ar, "its match cannot be expressed in an authorization policy, so it stays authenticated")
				continue
			}
			byPort[ar.port] = append(byPort[ar.port], bypass{ar, reg, p})
		}
	}
	if len(byPort) == 0 {
		return []policyRule{{}}, narrowed
	}
	ports := make([]int, 0, len(byPort))
	for p := range byPort {
		ports = append(ports, p)
	}
	slices.Sort(ports)
	var portNames []string
	for _, p := range ports {
		portNames = append(portNames, strconv.Itoa(p))
	}
	rules = append(rules, policyRule{notPorts: portNames})
	for _, port := range ports {
		bs := byPort[port]
		var global []string
		hostPaths := map[string][]string{}
		for _, b := range bs {
			if len(b.route.hosts) == 0 {
				global = appendNew(global, b.paths...)
				continue
			}
			for _, h := range b.route.hosts {
				hostPaths[h] = appendNew(hostPaths[h], b.paths...)
			}
		}
		hosts := make([]string, 0, len(hostPaths))
		for h := range hostPaths {
			hosts = append(hosts, h)
		}
		slices.Sort(hosts)
		p := strconv.Itoa(port)
		rules = append(rules, policyRule{ports: []string{p}, notHosts: hosts, notPaths: global})
		for _, h := range hosts {
			rules = append(rules, policyRule{ports: []string{p}, hosts: []string{h}, notPaths: appendNew(slices.Clone(global), hostPaths[h]...)})
		}
		// Authenticated routes whose requests a let-through path holds.
		for _, ar := range closed {
			if ar.port != port {
				continue
			}
			var force []string
			for _, reg := range ar.regions {
				for _, b := range bs {
					if _, meet := hostnamesOverlap(ar.hosts, b.route.hosts); !meet || !reg.within(b.region) {
						continue
					}
					force = appendNew(force, reg.cover()...)
					note(b.route, fmt.Sprintf("authenticated on %s, which %s also matches", strings.Join(reg.cover(), ", "), ar.rel))
				}
			}
			if len(force) > 0 {
				rules = append(rules, policyRule{ports: []string{p}, hosts: ar.hosts, paths: force})
			}
		}
	}
	if len(rules) > maxPolicyRules {
		for _, ar := range open {
			note(ar, fmt.Sprintf("the policy would need more than %d rules, so every route is authenticated", maxPolicyRules))
		}
		return []policyRule{{}}, narrowed
	}
	return rules, narrowed
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// renderAuth builds the authentication objects: the ext-authz policy
// (CUSTOM with the proxy, or DENY while forward auth is not usable), one
// RequestAuthentication per application with valid JWT rules and the
// deny-without-JWT policy.
func renderAuth(in *Input, served []*request, add func(scope string, obj map[string]any, by ...Relation)) AuthOutcome {
	var out AuthOutcome
	out.Mode, out.Missing, out.Blocked = authMode(in.Auth)

	// Request authentication: valid rules per application, in relation order.
	rules := map[string][]requestauth.JWTRule{}
	owners := map[string][]Relation{}
	var apps []string
	reqs := slices.Clone(in.Auth.RequestAuth)
	slices.SortFunc(reqs, func(a, b RequestAuthRequest) int { return cmp.Compare(a.ID.ID, b.ID.ID) })
	for _, r := range reqs {
		if reason, ok := in.Rejected[r.ID]; ok {
			out.rejected = append(out.rejected, Result{Relation: r.Relation, State: StateRejected, Reason: reason})
			continue
		}
		if r.Err != nil {
			out.InvalidJWT = append(out.InvalidJWT, Result{Relation: r.Relation, State: StateInvalid, Reason: wire.Clip(r.Err.Error(), maxReason)})
			continue
		}
		if len(r.Rules) == 0 {
			continue
		}
		if _, ok := rules[r.App]; !ok {
			apps = append(apps, r.App)
		}
		rules[r.App] = append(rules[r.App], r.Rules...)
		owners[r.App] = append(owners[r.App], r.Relation)
	}
	for _, app := range apps {
		add(resource.ScopeRequestAuth, requestAuthentication(in, app, rules[app]), owners[app]...)
	}
	jwtValid := len(apps) > 0
	out.DenyWithoutJWT = len(in.Auth.RequestAuth) > 0
	if out.DenyWithoutJWT {
		add(resource.ScopeDenyWithoutJWT, denyWithoutJWT(in))
	}

	if out.Mode == AuthOff {
		return out
	}
	var open, closed []authRoute
	for _, r := range served {
		for _, rt := range r.routes {
			if isUnauthenticated(r.result.ID.Endpoint) {
				open = append(open, authRoutes(r.result.Relation, rt))
			} else {
				closed = append(closed, authRoutes(r.result.Relation, rt))
			}
		}
	}
	prules, narrowed := authRules(open, closed)
	out.Narrowed = narrowed
	var when []any
	if jwtValid {
		// Requests carrying a token are the JWT rules' to judge.
		when = []any{map[string]any{"key": "request.headers[authorization]", "notValues": []any{"Bearer *"}}}
	}
	objRules := make([]any, 0, len(prules))
	for _, r := range prules {
		objRules = append(objRules, r.object(when))
	}
	spec := map[string]any{"targetRefs": gatewayTargetRefs(in), "rules": objRules}
	if out.Mode == AuthOn {
		spec["action"] = "CUSTOM"
		spec["provider"] = map[string]any{"name": in.Auth.IngressConfig.ProviderName}
	} else {
		spec["action"] = "DENY"
	}
	add(resource.ScopeExtAuthzPolicy, authorizationPolicy(gatewayPolicyID(in, "ext-authz"), spec))
	return out
}

func gatewayTargetRefs(in *Input) []any {
	return []any{map[string]any{"group": resource.KindGateway.Group, "kind": resource.KindGateway.Kind, "name": in.App}}
}

func requestAuthentication(in *Input, app string, rules []requestauth.JWTRule) map[string]any {
	jwt := make([]any, 0, len(rules))
	for _, r := range rules {
		m := map[string]any{"issuer": r.Issuer}
		if r.JWKSURI != "" {
			m["jwksUri"] = r.JWKSURI
		}
		if len(r.Audiences) > 0 {
			m["audiences"] = anyStrings(r.Audiences)
		}
		if r.ForwardOriginalToken != nil {
			m["forwardOriginalToken"] = *r.ForwardOriginalToken
		}
		if len(r.ClaimToHeaders) > 0 {
			var cs []any
			for _, c := range r.ClaimToHeaders {
				cs = append(cs, map[string]any{"header": c.Header, "claim": c.Claim})
			}
			m["outputClaimToHeaders"] = cs
		}
		if len(r.FromHeaders) > 0 {
			var hs []any
			for _, h := range r.FromHeaders {
				fh := map[string]any{"name": h.Name}
				if h.Prefix != nil {
					fh["prefix"] = *h.Prefix
				}
				hs = append(hs, fh)
			}
			m["fromHeaders"] = hs
		}
		jwt = append(jwt, m)
	}
	return map[string]any{
		"apiVersion": resource.KindRequestAuthentication.GroupVersion().String(),
		"kind":       resource.KindRequestAuthentication.Kind,
		"metadata":   map[string]any{"name": objectName("request-auth", app, in.App), "namespace": in.Model},
		"spec":       map[string]any{"targetRefs": gatewayTargetRefs(in), "jwtRules": jwt},
	}
}

// denyWithoutJWT denies every request without a valid token; with forward
// auth related, only those that present one (the rest are the proxy's).
// Related request-auth with no valid rules therefore denies, never opens.
func denyWithoutJWT(in *Input) map[string]any {
	rule := map[string]any{"from": []any{map[string]any{"source": map[string]any{"notRequestPrincipals": []any{"*"}}}}}
	if in.Auth.ForwardAuth != nil {
		rule["when"] = []any{map[string]any{"key": "request.headers[authorization]", "values": []any{"Bearer *"}}}
	}
	return authorizationPolicy(gatewayPolicyID(in, "deny-without-jwt"),
		map[string]any{"action": "DENY", "targetRefs": gatewayTargetRefs(in), "rules": []any{rule}})
}

// gatewayPolicyID names the gateway's policy prefix-APP, in its model.
func gatewayPolicyID(in *Input, prefix string) resource.ObjectID {
	return resource.ObjectID{Kind: resource.KindAuthorizationPolicy.Kind, Namespace: in.Model, Name: objectName(prefix, in.App)}
}
