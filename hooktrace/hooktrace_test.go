package hooktrace_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/canonical/istio-ingress-k8s-go/hooktrace"
	"github.com/canonical/istio-ingress-k8s-go/hooktrace/otlptest"
)

func record(t *testing.T) *hooktrace.Recorder {
	t.Helper()
	rec := hooktrace.New(attribute.String("service.name", "istio-ingress-k8s"))
	ctx, root := rec.Start(context.Background(), "config-changed", attribute.String("juju.unit", "istio-ingress-k8s/0"))
	_, child := hooktrace.Start(ctx, "snapshot", attribute.Int("relations", 3))
	child.End()
	root.End()
	return rec
}

func TestExportSendsOneTraceWithTheHookAsRoot(t *testing.T) {
	t.Parallel()
	recv := otlptest.Start()
	defer recv.Close()

	require.NoError(t, record(t).Export(context.Background(), recv.URL+"/", time.Second))

	spans := recv.Spans()
	require.Len(t, spans, 2, "rejected: %v", recv.Rejected())
	byName := map[string]otlptest.Span{}
	for _, s := range spans {
		byName[s.Name] = s
	}
	root, child := byName["config-changed"], byName["snapshot"]
	require.NotNil(t, root.Span)
	require.NotNil(t, child.Span)
	assert.Empty(t, root.ParentSpanId)
	assert.Equal(t, root.SpanId, child.ParentSpanId)
	assert.Equal(t, root.TraceId, child.TraceId)
	assert.Equal(t, "istio-ingress-k8s/0", root.Attr("juju.unit"))
	assert.Equal(t, "3", child.Attr("relations"))
	assert.Equal(t, "istio-ingress-k8s", root.Resource["service.name"])
}

func TestChildSpansWithoutARecorderCostNothing(t *testing.T) {
	t.Parallel()
	_, span := hooktrace.Start(context.Background(), "plan")
	assert.False(t, span.IsRecording())
	span.End()
}

// giveUpSlack is what a loaded machine may add to an export that gives up
// at its budget: far below the exporter's own 10 s timeout, which is what
// these bounds tell the budget apart from.
const giveUpSlack = 4 * time.Second

func TestExportGivesUpOnASilentReceiverWithinTheBudget(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)

	const budget = 200 * time.Millisecond
	start := time.Now()
	err := record(t).Export(context.Background(), srv.URL, budget)
	assert.Error(t, err)
	assert.Less(t, time.Since(start), budget+giveUpSlack, "gave up at the budget, not the exporter's 10 s default")
}

func TestExportToAClosedPortFailsFast(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	start := time.Now()
	assert.Error(t, record(t).Export(context.Background(), "http://"+addr, hooktrace.DefaultBudget))
	assert.Less(t, time.Since(start), hooktrace.DefaultBudget+giveUpSlack, "gave up at the budget, not the exporter's 10 s default")
}
