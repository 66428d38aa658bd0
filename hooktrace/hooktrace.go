// Package hooktrace records one hook's spans in memory and, when the
// charm-tracing relation names an OTLP/HTTP receiver, exports them there
// within a fixed bound. Without a receiver no exporter is created and the
// spans are dropped with the process.
package hooktrace

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// TracerName is the instrumentation scope of the charm's spans.
const TracerName = "github.com/canonical/istio-ingress-k8s-go/hooks"

// DefaultBudget bounds an export: a receiver that is slow or gone delays
// the hook's exit by at most this much, and never fails it.
const DefaultBudget = 300 * time.Millisecond

// tracesPath is where an OTLP/HTTP receiver takes traces; the tracing
// interface publishes the receiver's base URL.
const tracesPath = "/v1/traces"

// Recorder holds one hook's spans until Export.
type Recorder struct {
	provider *sdktrace.TracerProvider
	spans    *buffer
}

// New returns a recorder whose spans carry attrs as their resource
// (service.name and the unit's Juju topology).
func New(attrs ...attribute.KeyValue) *Recorder {
	buf := &buffer{}
	return &Recorder{
		spans: buf,
		provider: sdktrace.NewTracerProvider(
			sdktrace.WithSpanProcessor(buf),
			sdktrace.WithResource(resource.NewSchemaless(attrs...)),
			sdktrace.WithSampler(sdktrace.AlwaysSample()),
		),
	}
}

// Start begins a root span; child spans are started from its context with
// Start below, which finds this recorder through the context.
func (r *Recorder) Start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return r.provider.Tracer(TracerName).Start(ctx, name, trace.WithAttributes(attrs...))
}

// Start begins a child of the span in ctx. Without a recording span in ctx
// it returns a no-op span: code traces unconditionally at no cost.
func Start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return trace.SpanFromContext(ctx).TracerProvider().Tracer(TracerName).Start(ctx, name, trace.WithAttributes(attrs...))
}

// Export sends the ended spans to the OTLP/HTTP receiver at base (the URL
// the tracing provider publishes) and gives up after budget: no retries, a
// receiver that does not answer costs the budget at most.
func (r *Recorder) Export(ctx context.Context, base string, budget time.Duration) error {
	spans := r.spans.ended()
	if len(spans) == 0 {
		return nil
	}
	if budget <= 0 {
		budget = DefaultBudget
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	exp, err := otlptracehttp.New(ctx,
		otlptracehttp.WithEndpointURL(strings.TrimSuffix(base, "/")+tracesPath),
		otlptracehttp.WithTimeout(budget),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
	)
	if err != nil {
		return fmt.Errorf("creating the trace exporter for %s: %w", base, err)
	}
	err = exp.ExportSpans(ctx, spans)
	// Shutting down only closes idle connections: nothing to report.
	_ = exp.Shutdown(ctx)
	if err != nil {
		return fmt.Errorf("exporting %d spans to %s: %w", len(spans), base, err)
	}
	return nil
}

// buffer is a span processor that keeps ended spans in memory: the
// receiver is known only once the hook has read its relations, so spans
// are kept until then instead of being sent as they end.
type buffer struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (b *buffer) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

func (b *buffer) OnEnd(s sdktrace.ReadOnlySpan) {
	b.mu.Lock()
	b.spans = append(b.spans, s)
	b.mu.Unlock()
}

func (b *buffer) Shutdown(context.Context) error   { return nil }
func (b *buffer) ForceFlush(context.Context) error { return nil }

func (b *buffer) ended() []sdktrace.ReadOnlySpan {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]sdktrace.ReadOnlySpan(nil), b.spans...)
}
