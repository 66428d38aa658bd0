package hooks_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/canonical/istio-ingress-k8s-go/hooktrace/otlptest"
)

// A hook with a charm-tracing receiver sends it one trace: the hook as the
// root, its steps as children, with what each step saw and did.
func TestHookTraceGoesToTheTracingReceiver(t *testing.T) {
	t.Parallel()
	recv := otlptest.Start()
	defer recv.Close()
	h := newHarness(t, "traced")
	h.serveGateway("10.20.0.1")
	h.relateIngress("ingress", "blog", 8080, false)
	tempo := h.juju.Relate("charm-tracing", "tempo", map[string]string{
		"receivers": `[{"protocol": {"name": "otlp_grpc", "type": "grpc"}, "url": "tempo:4317"}, {"protocol": {"name": "otlp_http", "type": "http"}, "url": "` + recv.URL + `"}]`,
	})

	h.dispatch("update-status")

	assert.Equal(t, map[string]string{"receivers": `["otlp_http"]`}, h.juju.Local(tempo), "the request the Python provider reads")
	require.Equal(t, 1, recv.Requests(), "rejected: %v", recv.Rejected())
	spans := map[string]otlptest.Span{}
	for _, s := range recv.Spans() {
		spans[s.Name] = s
	}
	root := spans["update-status"]
	require.NotNil(t, root.Span, "spans: %v", recv.Spans())
	assert.Empty(t, root.ParentSpanId)
	assert.Equal(t, "active", root.Attr("juju.status"))
	assert.Equal(t, h.app, root.Resource["service.name"])
	for _, name := range []string{"snapshot", "plan", "apply", "publish"} {
		s := spans[name]
		require.NotNil(t, s.Span, name)
		assert.Equal(t, root.SpanId, s.ParentSpanId, name)
		assert.Equal(t, root.TraceId, s.TraceId, name)
	}
	assert.Equal(t, "2", spans["snapshot"].Attr("relations"))
	assert.Equal(t, "1", spans["snapshot"].Attr("relations.ingress"))
	assert.Equal(t, "1", spans["snapshot"].Attr("relations.charm-tracing"))
	assert.NotEqual(t, "0", spans["plan"].Attr("objects"))
	assert.NotEmpty(t, spans["apply"].Attr("objects.applied"))
	assert.NotEqual(t, "0", spans["publish"].Attr("bag.writes"))
}
