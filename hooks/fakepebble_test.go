package hooks_test

import (
	"sync"

	"github.com/canonical/pebble/client"

	"github.com/canonical/istio-ingress-k8s-go/hooks"
	"github.com/canonical/istio-ingress-k8s-go/workload"
)

// fakePebble is a metrics-proxy Pebble that keeps the layer it is given and
// whose check has no verdict yet, so the Deployment decides readiness. The
// real Pebble is exercised in package workload and in tests/e2e.
type fakePebble struct {
	mu    sync.Mutex
	plan  []byte
	added int
}

func (f *fakePebble) factory() hooks.PebbleFactory {
	return func(string) (workload.Pebble, error) { return f, nil }
}

func (f *fakePebble) PlanBytes(*client.PlanOptions) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.plan, nil
}

func (f *fakePebble) AddLayer(o *client.AddLayerOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.plan = o.LayerData
	f.added++
	return nil
}

func (f *fakePebble) Replan(*client.ServiceOptions) (string, error) { return "1", nil }

func (f *fakePebble) WaitChange(string, *client.WaitChangeOptions) (*client.Change, error) {
	return &client.Change{Ready: true}, nil
}

func (f *fakePebble) Services(*client.ServicesOptions) ([]*client.ServiceInfo, error) {
	return []*client.ServiceInfo{{Name: workload.Service, Current: client.StatusActive}}, nil
}

func (f *fakePebble) Checks(*client.ChecksOptions) ([]*client.CheckInfo, error) {
	return []*client.CheckInfo{{Name: workload.Check, Status: client.CheckStatusUp}}, nil
}
