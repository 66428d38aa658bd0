package kube_test

import (
	"fmt"
	"sort"
	"strconv"
	"testing"

	"github.com/canonical/istio-ingress-k8s-go/resource"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/canonical/istio-ingress-k8s-go/tests/kubeenv"
)

// charm renders small but schema-valid objects the way the planner would:
// gateway objects in the model namespace, routes and policies next to the
// backend.
type charm struct {
	instance, app, model, backend string
}

func newCharm(t *testing.T, name string) charm {
	t.Helper()
	c := charm{instance: name + "-istio-ingress", app: "istio-ingress", model: name, backend: name + "-apps"}
	ctx := kubeenv.TestContext(t)
	require.NoError(t, env.CreateNamespace(ctx, c.model))
	require.NoError(t, env.CreateNamespace(ctx, c.backend))
	return c
}

func (c charm) object(k resource.Kind, scope, namespace, name string, body map[string]any) *unstructured.Unstructured {
	obj := map[string]any{
		"apiVersion": k.GroupVersion().String(),
		"kind":       k.Kind,
		"metadata": map[string]any{
			"name": name, "namespace": namespace,
			"labels": map[string]any{resource.LabelInstance: c.instance, resource.LabelDeployment: c.instance, resource.LabelScope: scope},
		},
	}
	for key, v := range body {
		obj[key] = v
	}
	return &unstructured.Unstructured{Object: obj}
}

func (c charm) gateway(ports ...int) *unstructured.Unstructured {
	listeners := make([]any, 0, len(ports))
	for _, p := range ports {
		listeners = append(listeners, map[string]any{
			"name": "http-" + strconv.Itoa(p), "port": int64(p), "protocol": "HTTP",
			"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "All"}},
		})
	}
	return c.object(resource.KindGateway, resource.ScopeGateway, c.model, c.app, map[string]any{
		"spec": map[string]any{"gatewayClassName": "istio", "listeners": listeners},
	})
}

func (c charm) secret() *unstructured.Unstructured {
	return c.object(resource.KindSecret, resource.ScopeGateway, c.model, c.app+"-tls-certificate", map[string]any{
		"stringData": map[string]any{"tls.crt": "certificate", "tls.key": "key"},
	})
}

func (c charm) hpa(replicas int64) *unstructured.Unstructured {
	return c.object(resource.KindHPA, resource.ScopeGateway, c.model, c.app, map[string]any{
		"spec": map[string]any{
			"scaleTargetRef": map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": c.app + "-istio"},
			"minReplicas":    replicas, "maxReplicas": replicas,
		},
	})
}

func (c charm) httpRoute(remote, route, path string) *unstructured.Unstructured {
	return c.object(resource.KindHTTPRoute, resource.ScopeIngress, c.backend, fmt.Sprintf("%s-%s-httproute-http-80-%s", remote, route, c.app), map[string]any{
		"spec": map[string]any{
			"parentRefs": []any{map[string]any{"name": c.app, "namespace": c.model, "sectionName": "http-80"}},
			"rules": []any{map[string]any{
				"matches":     []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": path}}},
				"backendRefs": []any{map[string]any{"name": remote, "port": int64(8080), "namespace": c.backend}},
			}},
		},
	})
}

// typedHTTPRoute goes through the typed Gateway API structs and the
// unstructured converter, as the planner does: the result carries
// creationTimestamp: null and an empty status, which must not defeat
// change detection.
func (c charm) typedHTTPRoute(t testing.TB, remote, path string) *unstructured.Unstructured {
	t.Helper()
	ns := gatewayv1.Namespace(c.model)
	backendNS := gatewayv1.Namespace(c.backend)
	section := gatewayv1.SectionName("http-80")
	route := &gatewayv1.HTTPRoute{}
	route.APIVersion, route.Kind = "gateway.networking.k8s.io/v1", "HTTPRoute"
	route.Name, route.Namespace = remote+"-typed-httproute-http-80-"+c.app, c.backend
	route.Labels = map[string]string{resource.LabelInstance: c.instance, resource.LabelDeployment: c.instance, resource.LabelScope: resource.ScopeIngress}
	route.Spec.ParentRefs = []gatewayv1.ParentReference{{Name: gatewayv1.ObjectName(c.app), Namespace: &ns, SectionName: &section}}
	route.Spec.Rules = []gatewayv1.HTTPRouteRule{{
		Matches: []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{
			Type: ptr.To(gatewayv1.PathMatchPathPrefix), Value: ptr.To(path),
		}}},
		BackendRefs: []gatewayv1.HTTPBackendRef{{BackendRef: gatewayv1.BackendRef{BackendObjectReference: gatewayv1.BackendObjectReference{
			Name: gatewayv1.ObjectName(remote), Namespace: &backendNS, Port: ptr.To(gatewayv1.PortNumber(8080)),
		}}}},
	}}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(route)
	require.NoError(t, err)
	return &unstructured.Unstructured{Object: obj}
}

func (c charm) grpcRoute(remote, service string) *unstructured.Unstructured {
	return c.object(resource.KindGRPCRoute, resource.ScopeIngress, c.backend, fmt.Sprintf("%s-grpc-grpcroute-http-80-%s", remote, c.app), map[string]any{
		"spec": map[string]any{
			"parentRefs": []any{map[string]any{"name": c.app, "namespace": c.model, "sectionName": "http-80"}},
			"rules": []any{map[string]any{
				"matches":     []any{map[string]any{"method": map[string]any{"service": service}}},
				"backendRefs": []any{map[string]any{"name": remote, "port": int64(9090), "namespace": c.backend}},
			}},
		},
	})
}

func (c charm) destinationRule(remote string) *unstructured.Unstructured {
	return c.object(resource.KindDestinationRule, resource.ScopeDestinationRule, c.backend, remote+"-grpc-dest-rule-"+c.app, map[string]any{
		"spec": map[string]any{
			"host":          remote + "." + c.backend + ".svc.cluster.local",
			"trafficPolicy": map[string]any{"connectionPool": map[string]any{"http": map[string]any{"useClientProtocol": true}}},
		},
	})
}

func (c charm) l4Policy(remote string, ports ...int) *unstructured.Unstructured {
	sort.Ints(ports)
	ps := make([]any, 0, len(ports))
	for _, p := range ports {
		ps = append(ps, strconv.Itoa(p))
	}
	return c.object(resource.KindAuthorizationPolicy, resource.ScopeL4Policy, c.backend, remote+"-"+c.app+"-"+c.backend+"-l4", map[string]any{
		"spec": map[string]any{
			"action":   "ALLOW",
			"selector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": remote}},
			"rules": []any{map[string]any{
				"from": []any{map[string]any{"source": map[string]any{"principals": []any{"cluster.local/ns/" + c.model + "/sa/" + c.app + "-istio"}}}},
				"to":   []any{map[string]any{"operation": map[string]any{"ports": ps}}},
			}},
		},
	})
}

func (c charm) externalTrafficPolicy(scope string, cidrs ...string) *unstructured.Unstructured {
	blocks := make([]any, 0, len(cidrs))
	for _, b := range cidrs {
		blocks = append(blocks, b)
	}
	return c.object(resource.KindAuthorizationPolicy, scope, c.model, c.app+"-"+c.model+"-external-traffic", map[string]any{
		"spec": map[string]any{
			"action":     "ALLOW",
			"targetRefs": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": c.app}},
			"rules":      []any{map[string]any{"from": []any{map[string]any{"source": map[string]any{"ipBlocks": blocks}}}}},
		},
	})
}

func (c charm) requestAuth(remote string) *unstructured.Unstructured {
	return c.object(resource.KindRequestAuthentication, resource.ScopeRequestAuth, c.model, "request-auth-"+remote+"-"+c.app, map[string]any{
		"spec": map[string]any{
			"targetRefs": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": c.app}},
			"jwtRules":   []any{map[string]any{"issuer": "https://issuer.example.com", "jwksUri": "https://issuer.example.com/jwks"}},
		},
	})
}

// name renders an object the way liveObjects does.
func name(o *unstructured.Unstructured) string {
	return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName() + " " + o.GetLabels()[resource.LabelScope]
}

func names(objs ...*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, name(o))
	}
	sort.Strings(out)
	return out
}
