package gateway

import (
	"cmp"
	"github.com/canonical/istio-ingress-k8s-go/resource"
	"slices"
	"strconv"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// ManagedName is the name Istio gives the Deployment, Service and
// ServiceAccount it provisions for the Gateway named app.
func ManagedName(app string) string { return app + "-istio" }

// render builds every object of the plan in apply order, and the relations
// each object serves. trafficPolicy adds the external traffic policy and
// withAuth the authentication objects.
func render(in *Input, hostListener string, listeners []listener, served []*request, cidrs []string, trafficPolicy, withAuth bool) ([]*unstructured.Unstructured, map[resource.ObjectID][]Relation, AuthOutcome) {
	order := map[string]int{}
	for i, s := range resource.Scopes() {
		if _, ok := order[s.Name]; !ok {
			order[s.Name] = i
		}
	}
	instance := InstanceLabel(in.Model, in.App)
	deployment := DeploymentLabel(in.Model, in.App)
	type sortable struct {
		scope                 int
		kind, namespace, name string
		obj                   *unstructured.Unstructured
	}
	var all []sortable
	owners := map[resource.ObjectID][]Relation{}
	add := func(scope string, obj map[string]any, by ...Relation) {
		u := &unstructured.Unstructured{Object: obj}
		labels := u.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[resource.LabelInstance] = instance
		labels[resource.LabelScope] = scope
		if u.GetKind() != resource.KindGateway.Kind {
			// Istio copies the Gateway's labels onto the gateway pods:
			// a new one there would restart them all on refresh.
			labels[resource.LabelDeployment] = deployment
		}
		u.SetLabels(labels)
		all = append(all, sortable{order[scope], u.GetKind(), u.GetNamespace(), u.GetName(), u})
		if len(by) > 0 {
			owners[resource.IDOf(u)] = by
		}
	}

	if in.TLS.Enabled && in.TLS.Certificate != "" {
		add(resource.ScopeGateway, tlsSecretObject(in))
	}
	add(resource.ScopeGateway, gatewayObject(in, hostListener, listeners, routeNamespaces(served)))
	if in.Units > 0 {
		add(resource.ScopeGateway, hpaObject(in))
	}

	var backends []backendUse
	users := map[serviceKey][]Relation{} // who routes to each backend
	for _, r := range served {
		for _, rt := range r.routes {
			add(resource.ScopeIngress, routeObject(in, rt), r.result.Relation)
		}
		backends = append(backends, r.backends...)
		for _, b := range r.backends {
			k := serviceKey{b.service, b.namespace}
			if !slices.Contains(users[k], r.result.Relation) {
				users[k] = append(users[k], r.result.Relation)
			}
		}
	}
	for _, dr := range destinationRules(in, backends) {
		add(resource.ScopeDestinationRule, dr.obj, users[dr.key]...)
	}
	for _, ap := range l4Policies(in, backends) {
		add(resource.ScopeL4Policy, ap.obj, users[ap.key]...)
	}
	if trafficPolicy {
		add(resource.ScopeExternalTraffic, externalTrafficPolicy(in, cidrs))
	}
	var auth AuthOutcome
	if withAuth {
		auth = renderAuth(in, served, add)
	}

	slices.SortStableFunc(all, func(a, b sortable) int {
		return cmp.Or(
			cmp.Compare(a.scope, b.scope),
			cmp.Compare(a.kind, b.kind),
			cmp.Compare(a.namespace, b.namespace),
			cmp.Compare(a.name, b.name),
		)
	})
	objs := make([]*unstructured.Unstructured, len(all))
	for i, s := range all {
		objs[i] = s.obj
	}
	return objs, owners, auth
}

// toMap converts a typed API object to the unstructured form, dropping the
// status and the null creationTimestamp that only the server sets.
func toMap(obj any) map[string]any {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		// Only reachable with a type the converter cannot handle, which
		// would be a programming error caught by every test.
		panic("gateway: converting typed object: " + err.Error())
	}
	delete(m, "status")
	resource.PruneNulls(m)
	return m
}

// routeNamespaces lists, sorted, the namespaces of the served routes.
func routeNamespaces(served []*request) []string {
	var out []string
	for _, r := range served {
		for _, rt := range r.routes {
			out = append(out, rt.namespace)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// allowedRoutes admits routes from the namespaces the charm serves only: an
// HTTPRoute someone else writes in any other namespace cannot attach to the
// gateway and bypass the charm's rules. With nothing served, only the
// gateway's own namespace (the operator's model) is admitted.
func allowedRoutes(namespaces []string) *gwv1.AllowedRoutes {
	if len(namespaces) == 0 {
		return &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr(gwv1.NamespacesFromSame)}}
	}
	return &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{
		From: ptr(gwv1.NamespacesFromSelector),
		Selector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpIn, Values: namespaces,
		}}},
	}}
}

func gatewayObject(in *Input, hostListener string, listeners []listener, namespaces []string) map[string]any {
	secret := in.TLS.secretName(in.App)
	gw := gwv1.Gateway{
		TypeMeta: metav1.TypeMeta{APIVersion: resource.KindGateway.GroupVersion().String(), Kind: resource.KindGateway.Kind},
		ObjectMeta: metav1.ObjectMeta{
			Name: in.App, Namespace: in.Model,
			Labels: map[string]string{TelemetryLabelKey(in.Model, in.App): TelemetryLabelValue},
		},
		Spec: gwv1.GatewaySpec{GatewayClassName: "istio"},
	}
	for _, l := range listeners {
		gl := gwv1.Listener{
			Name:          gwv1.SectionName(l.name()),
			Port:          gwv1.PortNumber(l.port),
			Protocol:      l.protocol,
			AllowedRoutes: allowedRoutes(namespaces),
		}
		if hostListener != "" {
			gl.Hostname = ptr(gwv1.Hostname(hostListener))
		}
		if l.protocol == gwv1.HTTPSProtocolType {
			gl.TLS = &gwv1.ListenerTLSConfig{CertificateRefs: []gwv1.SecretObjectReference{{Name: gwv1.ObjectName(secret)}}}
		}
		gw.Spec.Listeners = append(gw.Spec.Listeners, gl)
	}
	return toMap(&gw)
}

func hpaObject(in *Input) map[string]any {
	n := int32(min(in.Units, 1<<30))
	hpa := autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: resource.KindHPA.GroupVersion().String(), Kind: resource.KindHPA.Kind},
		ObjectMeta: metav1.ObjectMeta{Name: in.App, Namespace: in.Model},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: ManagedName(in.App)},
			MinReplicas:    &n,
			MaxReplicas:    n,
		},
	}
	return toMap(&hpa)
}

func parentRefs(in *Input, l listener) []gwv1.ParentReference {
	return []gwv1.ParentReference{{
		Name:        gwv1.ObjectName(in.App),
		Namespace:   ptr(gwv1.Namespace(in.Model)),
		SectionName: ptr(gwv1.SectionName(l.name())),
	}}
}

func routeObject(in *Input, rt plannedRoute) map[string]any {
	meta := metav1.ObjectMeta{Name: rt.name, Namespace: rt.namespace}
	if rt.kind == kindGRPC {
		return toMap(&gwv1.GRPCRoute{
			TypeMeta:   metav1.TypeMeta{APIVersion: resource.KindGRPCRoute.GroupVersion().String(), Kind: resource.KindGRPCRoute.Kind},
			ObjectMeta: meta,
			Spec: gwv1.GRPCRouteSpec{
				CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: parentRefs(in, rt.listener)},
				Hostnames:       rt.hostnames,
				Rules:           rt.grpcRules,
			},
		})
	}
	return toMap(&gwv1.HTTPRoute{
		TypeMeta:   metav1.TypeMeta{APIVersion: resource.KindHTTPRoute.GroupVersion().String(), Kind: resource.KindHTTPRoute.Kind},
		ObjectMeta: meta,
		Spec: gwv1.HTTPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: parentRefs(in, rt.listener)},
			Hostnames:       rt.hostnames,
			Rules:           rt.httpRules,
		},
	})
}

type serviceKey struct{ service, namespace string }

// destinationRuleID, l4PolicyID and externalTrafficID are the ids of the
// policies the charm renders, named as the Python charm names them.
func destinationRuleID(in *Input, k serviceKey) resource.ObjectID {
	return resource.ObjectID{Kind: resource.KindDestinationRule.Kind, Namespace: k.namespace, Name: objectName(k.service, "grpc-dest-rule", in.App)}
}

func l4PolicyID(in *Input, k serviceKey) resource.ObjectID {
	return resource.ObjectID{Kind: resource.KindAuthorizationPolicy.Kind, Namespace: k.namespace, Name: objectName(k.service, in.App, k.namespace, "l4")}
}

func externalTrafficID(in *Input) resource.ObjectID {
	return resource.ObjectID{Kind: resource.KindAuthorizationPolicy.Kind, Namespace: in.Model, Name: objectName(in.App, in.Model, "external-traffic")}
}

// backendObject is an object rendered for one backend Service.
type backendObject struct {
	key serviceKey
	obj map[string]any
}

// destinationRules tells the gateway to speak the client's protocol (HTTP/2
// for gRPC) to every gRPC backend: Juju's Service ports carry no grpc- name
// or appProtocol for Istio to infer it from.
func destinationRules(in *Input, backends []backendUse) []backendObject {
	seen := map[serviceKey]bool{}
	var out []backendObject
	for _, b := range backends {
		k := serviceKey{b.service, b.namespace}
		if !b.grpc || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, backendObject{k, map[string]any{
			"apiVersion": resource.KindDestinationRule.GroupVersion().String(),
			"kind":       resource.KindDestinationRule.Kind,
			"metadata":   map[string]any{"name": destinationRuleID(in, k).Name, "namespace": b.namespace},
			"spec": map[string]any{
				"host": b.service + "." + b.namespace + ".svc.cluster.local",
				"trafficPolicy": map[string]any{
					"connectionPool": map[string]any{"http": map[string]any{"useClientProtocol": true}},
				},
			},
		}})
	}
	return out
}

// l4Policies lets the gateway's service account reach each backend on the
// ports routes use, for meshes that deny by default.
func l4Policies(in *Input, backends []backendUse) []backendObject {
	ports := map[serviceKey][]int{}
	var keys []serviceKey
	for _, b := range backends {
		k := serviceKey{b.service, b.namespace}
		if _, ok := ports[k]; !ok {
			keys = append(keys, k)
		}
		if !slices.Contains(ports[k], b.port) {
			ports[k] = append(ports[k], b.port)
		}
	}
	principal := "cluster.local/ns/" + in.Model + "/sa/" + ManagedName(in.App)
	out := make([]backendObject, 0, len(keys))
	for _, k := range keys {
		ps := ports[k]
		slices.Sort(ps)
		portStrings := make([]any, 0, len(ps))
		for _, p := range ps {
			portStrings = append(portStrings, strconv.Itoa(p))
		}
		out = append(out, backendObject{k, authorizationPolicy(l4PolicyID(in, k), map[string]any{
			"action":   "ALLOW",
			"selector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": k.service}},
			"rules": []any{map[string]any{
				"from": []any{map[string]any{"source": map[string]any{"principals": []any{principal}}}},
				"to":   []any{map[string]any{"operation": map[string]any{"ports": portStrings}}},
			}},
		})})
	}
	return out
}

// externalTrafficPolicy allows traffic into the gateway only from cidrs.
// With no valid CIDR the ALLOW policy has no rules, which Istio reads as
// "allow nothing": a typo in the option fails closed, never open.
func externalTrafficPolicy(in *Input, cidrs []string) map[string]any {
	spec := map[string]any{"action": "ALLOW", "targetRefs": gatewayTargetRefs(in)}
	if len(cidrs) > 0 {
		spec["rules"] = []any{map[string]any{"from": []any{map[string]any{"source": map[string]any{"ipBlocks": anyStrings(cidrs)}}}}}
	}
	return authorizationPolicy(externalTrafficID(in), spec)
}

// authorizationPolicy is the AuthorizationPolicy id with spec.
func authorizationPolicy(id resource.ObjectID, spec map[string]any) map[string]any {
	return map[string]any{
		"apiVersion": resource.KindAuthorizationPolicy.GroupVersion().String(),
		"kind":       resource.KindAuthorizationPolicy.Kind,
		"metadata":   map[string]any{"name": id.Name, "namespace": id.Namespace},
		"spec":       spec,
	}
}

func splitTrim(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
