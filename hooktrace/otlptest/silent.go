package otlptest

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// Silent runs a receiver that accepts every request and never answers it,
// as a hung collector does, until the test ends. It returns its URL and
// how many requests reached it.
func Silent(tb testing.TB) (url string, tried func() int) {
	tb.Helper()
	var n atomic.Int32
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	tb.Cleanup(srv.Close)
	tb.Cleanup(func() { close(hang) })
	return srv.URL, func() int { return int(n.Load()) }
}
