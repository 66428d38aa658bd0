package ingressroute_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/juju"
	"github.com/canonical/istio-ingress-k8s-go/juju/jujutest"
	"github.com/canonical/istio-ingress-k8s-go/relation/ingressroute"
)

// A Go charm serving an HTTP API on port 3200 and a gRPC service on port
// 9096, exposed through istio-ingress-k8s. Its metadata declares:
//
//	requires:
//	  ingress:
//	    interface: istio_ingress_route
//	    limit: 1
var (
	apiListener  = ingressroute.Listener{Port: 3200, Protocol: ingressroute.ProtocolHTTP}
	grpcListener = ingressroute.Listener{Port: 9096, Protocol: ingressroute.ProtocolGRPC}
)

// ingressConfig is what the charm asks for: GET /api on the HTTP listener
// and myapp.MyService/GetData on the gRPC listener, both to the charm's own
// Service (named after the application, in the charm's model).
func ingressConfig(hook juju.Context) *ingressroute.Config {
	get := ingressroute.MethodGet
	getData := "GetData"
	return &ingressroute.Config{
		Model:     hook.ModelName,
		Listeners: []ingressroute.Listener{apiListener, grpcListener},
		HTTPRoutes: []ingressroute.HTTPRoute{{
			Name:     "http-route",
			Listener: apiListener,
			Matches: []ingressroute.HTTPRouteMatch{{
				Path:   &ingressroute.HTTPPathMatch{Type: ingressroute.PathMatchPathPrefix, Value: "/api"},
				Method: &get,
			}},
			Backends: []ingressroute.BackendRef{{Service: hook.App, Port: 3200}},
		}},
		GRPCRoutes: []ingressroute.GRPCRoute{{
			Name:     "grpc-route",
			Listener: grpcListener,
			Matches: []ingressroute.GRPCRouteMatch{{
				Method: &ingressroute.GRPCMethodMatch{Service: "myapp.MyService", Method: &getData},
			}},
			Backends: []ingressroute.BackendRef{{Service: hook.App, Port: 9096}},
		}},
	}
}

// runHook is the charm's whole hook handler for ingress: on every hook the
// leader (re)submits its config, which is idempotent, and every unit reads
// where it is served.
func runHook(ctx context.Context, client *juju.Client, hook juju.Context) error {
	ingress := ingressroute.NewRequirer(client, hook, "ingress")

	err := ingress.SubmitConfigAsLeader(ctx, client, ingressConfig(hook))
	switch {
	case errors.Is(err, ingressroute.ErrNotLeader), errors.Is(err, ingressroute.ErrNoRelation):
		// Only the leader writes; with no relation there is nothing to ask.
	case err != nil:
		return err
	}

	_, err = ingress.Handle(ctx, ingressroute.Handlers{
		Changed: func(ctx context.Context, ev ingressroute.Event, ing ingressroute.Ingress) error {
			if !ing.Ready() {
				fmt.Println("waiting for istio-ingress to serve us")
				return nil
			}
			// Configure the workload with its public URLs here.
			fmt.Println("API:", ing.ListenerURL(apiListener)+"/api")
			fmt.Println("gRPC:", ing.ListenerURL(grpcListener))
			return nil
		},
		Broken: func(ctx context.Context, ev ingressroute.Event) error {
			fmt.Println("no longer exposed through", ev.RemoteApp)
			return nil
		},
	})
	return err
}

func Example() {
	// In the charm's main:
	//
	//	client := juju.NewClient(juju.ExecRunner{})
	//	hook, err := juju.ContextFromEnv(os.Getenv)
	//
	// Here the hook tools are faked: the leader unit of "tempo" runs
	// ingress-relation-changed after istio-ingress-k8s published its answer.
	runner := jujutest.NewRunner().
		Reply("is-leader", "true").
		Reply("relation-ids", `["ingress:5"]`).
		Reply("relation-list", `"istio-ingress-k8s"`).
		Reply("relation-get", `{"external_host":"tempo.example.com","tls_enabled":"True"}`).
		Accept("relation-set")
	rel := juju.RelationID{Endpoint: "ingress", ID: 5}
	hook := juju.Context{
		Unit: "tempo/0", App: "tempo", ModelName: "cos",
		HookName: "ingress-relation-changed", Relation: &rel, RemoteApp: "istio-ingress-k8s",
	}

	if err := runHook(context.Background(), juju.NewClient(runner), hook); err != nil {
		fmt.Println("hook failed:", err)
	}
	fmt.Println("config written:", len(runner.CallsTo("relation-set")) == 1)

	// Output:
	// API: https://tempo.example.com:3200/api
	// gRPC: https://tempo.example.com:9096
	// config written: true
}
