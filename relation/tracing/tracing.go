// Package tracing is the wire format of the tracing interface (v2),
// requirer side: the protocols the charm asks for and the receiver the
// provider (Tempo, an OpenTelemetry collector) answers with. It imports
// only the standard library and relation/wire.
package tracing

import (
	"encoding/json"
	"errors"
	"net/url"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

const (
	// KeyReceivers is the one key both sides write to their app bags: the
	// requirer a list of protocol names, the provider a list of receivers.
	KeyReceivers = "receivers"
	// ProtocolOTLPHTTP is the protocol the charm exports its traces with.
	ProtocolOTLPHTTP = "otlp_http"
)

// ErrNoReceiver means the provider has not (yet) published an otlp_http
// receiver: nothing is exported, and nothing is wrong.
var ErrNoReceiver = errors.New("no otlp_http receiver published")

// RequestBag is the requirer's application bag: it asks for otlp_http, as
// the Python library writes json.dumps(["otlp_http"]).
func RequestBag() map[string]string {
	return map[string]string{KeyReceivers: `["` + ProtocolOTLPHTTP + `"]`}
}

// receiver is one entry of the provider's list.
type receiver struct {
	Protocol struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"protocol"`
	URL string `json:"url"`
}

// Endpoint reads the otlp_http receiver's URL from the provider's
// application bag: ErrNoReceiver when there is none, a FieldError when the
// bag or the URL cannot be used.
func Endpoint(bag map[string]string) (string, error) {
	raw, ok := bag[KeyReceivers]
	if !ok {
		return "", ErrNoReceiver
	}
	var receivers []receiver
	if err := json.Unmarshal([]byte(raw), &receivers); err != nil {
		return "", wire.Invalid(KeyReceivers, "not a JSON list of receivers")
	}
	for _, r := range receivers {
		if r.Protocol.Name != ProtocolOTLPHTTP {
			continue
		}
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", wire.Invalid(KeyReceivers, "the otlp_http url "+wire.Clip(r.URL, 64)+" is not an http(s) URL")
		}
		return r.URL, nil
	}
	return "", ErrNoReceiver
}
