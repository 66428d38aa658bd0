// Package requirer is the hook logic of the route-requirer test charm, a Go
// charm that requires istio_ingress_route written the way a charm author uses
// relation/ingressroute, and may import only juju and relation/ingressroute,
// as such a charm can. On every hook the leader submits an HTTP and a gRPC
// route, and every unit reports the public URL the gateway published.
package requirer

import (
	"context"
	"errors"
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// Endpoint is the charm's istio_ingress_route endpoint.
const Endpoint = "istio-ingress-route"

// HTTPPath is the path prefix of the HTTP route.
const HTTPPath = "/api"

// GRPCService and GRPCMethod are what the gRPC route matches.
const (
	GRPCService = "myapp.MyService"
	GRPCMethod  = "GetData"
)

// The listeners the charm asks for.
var (
	HTTPListener = ingressroute.Listener{Port: 8080, Protocol: ingressroute.ProtocolHTTP}
	GRPCListener = ingressroute.Listener{Port: 9090, Protocol: ingressroute.ProtocolGRPC}
)

// Status messages while not served.
const (
	MsgNoRelation = "Waiting for an istio-ingress-route relation"
	MsgNotServed  = "Waiting for istio-ingress to publish an external host"
)

// Config is what the charm asks for: GET /api on the HTTP listener and
// myapp.MyService/GetData on the gRPC listener, both to the application's
// own Service in its model.
func Config(model, app string) *ingressroute.Config {
	get := ingressroute.MethodGet
	method := GRPCMethod
	return &ingressroute.Config{
		Model:     model,
		Listeners: []ingressroute.Listener{HTTPListener, GRPCListener},
		HTTPRoutes: []ingressroute.HTTPRoute{{
			Name:     "http-route",
			Listener: HTTPListener,
			Matches: []ingressroute.HTTPRouteMatch{{
				Path:   &ingressroute.HTTPPathMatch{Type: ingressroute.PathMatchPathPrefix, Value: HTTPPath},
				Method: &get,
			}},
			Backends: []ingressroute.BackendRef{{Service: app, Port: HTTPListener.Port}},
		}},
		GRPCRoutes: []ingressroute.GRPCRoute{{
			Name:     "grpc-route",
			Listener: GRPCListener,
			Matches: []ingressroute.GRPCRouteMatch{{
				Method: &ingressroute.GRPCMethodMatch{Service: GRPCService, Method: &method},
			}},
			Backends: []ingressroute.BackendRef{{Service: app, Port: GRPCListener.Port}},
		}},
	}
}

// ReachableMessage is the active status message once served at ing.
func ReachableMessage(ing ingressroute.Ingress) string {
	return "Reachable at " + ing.ListenerURL(HTTPListener) + HTTPPath
}

// Client is the part of *juju.Client the charm uses.
type Client interface {
	ingressroute.RelationReader
	ingressroute.LeaderSource
	StatusSet(ctx context.Context, s juju.Status) error
	Log(ctx context.Context, level juju.LogLevel, msg string) error
}

// Run is the whole charm: the same reconcile on every hook.
func Run(ctx context.Context, client Client, hook juju.Context) error {
	req := ingressroute.NewRequirer(client, hook, Endpoint)

	err := req.SubmitConfigAsLeader(ctx, client, Config(hook.ModelName, hook.App))
	switch {
	case errors.Is(err, ingressroute.ErrNotLeader), errors.Is(err, ingressroute.ErrNoRelation):
		// Only the leader writes; with no relation there is nothing to ask.
	case err != nil:
		return fmt.Errorf("submitting the route config: %w", err)
	}

	_, err = req.Handle(ctx, ingressroute.Handlers{
		Broken: func(ctx context.Context, ev ingressroute.Event) error {
			return client.Log(ctx, juju.LogInfo, "no longer exposed through "+ev.RemoteApp)
		},
	})
	if err != nil {
		return err
	}

	related, err := req.IsRelated(ctx)
	if err != nil {
		return err
	}
	ing, err := req.Ingress(ctx)
	if err != nil {
		return fmt.Errorf("reading the published ingress: %w", err)
	}
	status := juju.Status{Name: juju.StatusWaiting, Message: MsgNoRelation}
	switch {
	case ing.Ready():
		status = juju.Status{Name: juju.StatusActive, Message: ReachableMessage(ing)}
	case related:
		status.Message = MsgNotServed
	}
	return client.StatusSet(ctx, status)
}
