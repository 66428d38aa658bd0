package resource

import "k8s.io/apimachinery/pkg/runtime/schema"

// Labels every managed object carries; kube/ garbage-collects by them.
const (
	// LabelInstance identifies the charm instance (model + app) that owns an object.
	LabelInstance = "app.kubernetes.io/instance"
	// LabelScope names the resource-manager scope an object belongs to.
	LabelScope = "kubernetes-resource-handler-scope"
	// LabelDeployment is unique to one deployment (model and application):
	// LabelInstance joins them with "-", so "a-b"/"c" and "a"/"b-c" share
	// it. Objects without it (written by the reference charm) are adopted.
	LabelDeployment = "istio-ingress-k8s.charms.canonical.com/deployment"
)

// Scope names, as the reference charm labels them.
const (
	ScopeGateway         = "istio-gateway"
	ScopeIngress         = "istio-ingress"
	ScopeL4Policy        = "istio-ingress-authorization-policy"
	ScopeExtAuthzPolicy  = "external-authorizer-authorization-policy"
	ScopeExternalTraffic = "external-traffic-authorization-policy"
	ScopeDestinationRule = "grpc-destination-rule"
	ScopeRequestAuth     = "request-authentication"
	ScopeDenyWithoutJWT  = "deny-without-jwt-authorization-policy"
)

// Kind is one Kubernetes kind with the resource name the API serves it under,
// so the apply layer never needs API discovery.
type Kind struct {
	schema.GroupVersionResource
	Kind       string
	Namespaced bool
}

// GVK returns the kind's group, version and kind.
func (k Kind) GVK() schema.GroupVersionKind {
	return k.GroupVersion().WithKind(k.Kind)
}

// Kinds the charm renders.
var (
	KindGateway               = Kind{schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}, "Gateway", true}
	KindHTTPRoute             = Kind{schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}, "HTTPRoute", true}
	KindGRPCRoute             = Kind{schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "grpcroutes"}, "GRPCRoute", true}
	KindSecret                = Kind{schema.GroupVersionResource{Version: "v1", Resource: "secrets"}, "Secret", true}
	KindHPA                   = Kind{schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}, "HorizontalPodAutoscaler", true}
	KindAuthorizationPolicy   = Kind{schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"}, "AuthorizationPolicy", true}
	KindRequestAuthentication = Kind{schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "requestauthentications"}, "RequestAuthentication", true}
	KindDestinationRule       = Kind{schema.GroupVersionResource{Group: "networking.istio.io", Version: "v1", Resource: "destinationrules"}, "DestinationRule", true}
)

// Scope is a set of kinds garbage-collected together under one scope label.
type Scope struct {
	Name  string
	Kinds []Kind
}

// Scopes returns every scope the charm manages, in apply order.
// (Returned fresh each call: no package-level mutable state.)
func Scopes() []Scope {
	return []Scope{
		{ScopeGateway, []Kind{KindSecret, KindGateway, KindHPA}},
		{ScopeDestinationRule, []Kind{KindDestinationRule}},
		{ScopeIngress, []Kind{KindHTTPRoute, KindGRPCRoute}},
		{ScopeL4Policy, []Kind{KindAuthorizationPolicy}},
		{ScopeExtAuthzPolicy, []Kind{KindAuthorizationPolicy}},
		{ScopeExternalTraffic, []Kind{KindAuthorizationPolicy}},
		{ScopeRequestAuth, []Kind{KindRequestAuthentication}},
		{ScopeDenyWithoutJWT, []Kind{KindAuthorizationPolicy}},
	}
}

// Hold picks live objects a reconcile leaves in place although it does not
// render them: those of Kind (every kind when empty) in Scope. The objects of
// a related feature the charm does not serve, or a last good policy while
// its option is unusable, are held this way, never garbage-collected.
type Hold struct {
	Scope string
	Kind  string
}

// Holds reports whether h picks an object of kind labelled with scope.
func (h Hold) Holds(scope, kind string) bool {
	return h.Scope == scope && (h.Kind == "" || h.Kind == kind)
}
