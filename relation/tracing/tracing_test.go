package tracing_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/canonical/istio-ingress-k8s-go/relation/tracing"
	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

func TestRequestBagIsWhatThePythonRequirerWrites(t *testing.T) {
	t.Parallel()
	// json.dumps(["otlp_http"])
	assert.Equal(t, map[string]string{"receivers": `["otlp_http"]`}, tracing.RequestBag())
}

func TestEndpointPicksTheOTLPHTTPReceiver(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		bag  map[string]string
		url  string
		kind error
	}{
		"tempo's answer": {bag: map[string]string{"receivers": `[{"protocol": {"name": "otlp_grpc", "type": "grpc"}, "url": "tempo:4317"}, {"protocol": {"name": "otlp_http", "type": "http"}, "url": "http://tempo-0.tempo-endpoints.cos.svc.cluster.local:4318"}]`},
			url: "http://tempo-0.tempo-endpoints.cos.svc.cluster.local:4318"},
		"no answer yet":       {bag: map[string]string{}, kind: tracing.ErrNoReceiver},
		"other protocol only": {bag: map[string]string{"receivers": `[{"protocol": {"name": "otlp_grpc", "type": "grpc"}, "url": "tempo:4317"}]`}, kind: tracing.ErrNoReceiver},
		"not JSON":            {bag: map[string]string{"receivers": `otlp_http`}, kind: wire.ErrInvalid},
		"not a URL":           {bag: map[string]string{"receivers": `[{"protocol": {"name": "otlp_http", "type": "http"}, "url": "tempo:4318"}]`}, kind: wire.ErrInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url, err := tracing.Endpoint(tc.bag)
			if tc.kind != nil {
				assert.True(t, errors.Is(err, tc.kind), "got %v", err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tc.url, url)
		})
	}
}
