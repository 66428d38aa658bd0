// Package otlptest is an OTLP/HTTP trace receiver for tests: it decodes
// each export request with the OpenTelemetry protocol's own messages and
// keeps the spans, so a test checks what a real collector would receive.
package otlptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Span is one received span with its resource's attributes.
type Span struct {
	*tracepb.Span
	Resource map[string]string
}

// Attr returns the span attribute key as a string ("" when absent); ints
// and bools are formatted as Go prints them.
func (s Span) Attr(key string) string { return attrString(s.Attributes, key) }

// Receiver is a running OTLP/HTTP receiver.
type Receiver struct {
	*httptest.Server

	mu       sync.Mutex
	requests int
	spans    []Span
	bad      []string
}

// Start runs a receiver on loopback; Close stops it.
func Start() *Receiver {
	r := &Receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	var msg collectortrace.ExportTraceServiceRequest
	switch {
	case req.URL.Path != "/v1/traces" || req.Method != http.MethodPost:
		r.reject(w, req.Method+" "+req.URL.Path, http.StatusNotFound)
		return
	case req.Header.Get("Content-Type") != "application/x-protobuf":
		r.reject(w, "content type "+req.Header.Get("Content-Type"), http.StatusUnsupportedMediaType)
		return
	case err != nil:
		r.reject(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := proto.Unmarshal(body, &msg); err != nil {
		r.reject(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.requests++
	for _, rs := range msg.ResourceSpans {
		res := map[string]string{}
		for _, kv := range rs.GetResource().GetAttributes() {
			res[kv.Key] = valueString(kv.Value)
		}
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				r.spans = append(r.spans, Span{Span: s, Resource: res})
			}
		}
	}
	r.mu.Unlock()
	out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (r *Receiver) reject(w http.ResponseWriter, why string, code int) {
	r.mu.Lock()
	r.bad = append(r.bad, why)
	r.mu.Unlock()
	http.Error(w, why, code)
}

// Requests is the number of export requests decoded.
func (r *Receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// Spans returns every span received so far.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

// Rejected lists the requests that were not OTLP/HTTP trace exports.
func (r *Receiver) Rejected() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bad...)
}

func attrString(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.Key == key {
			return valueString(kv.Value)
		}
	}
	return ""
}

func valueString(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_BoolValue:
		if x.BoolValue {
			return "true"
		}
		return "false"
	default:
		return v.String()
	}
}
