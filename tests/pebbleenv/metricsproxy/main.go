// Command metricsproxy stands in for the metrics-proxy workload in tests:
// it serves /metrics on PORT (default 15090) with the selector it was given
// and its pid, so a test sees the service Pebble started, with what
// environment, and whether it was restarted.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "15090"
	}
	// Pebble is its parent: a test that dies leaves no proxy behind.
	parent := os.Getppid()
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			if os.Getppid() != parent {
				os.Exit(0)
			}
		}
	}()
	http.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "metrics_proxy_info{pod_label_selector=%q,pid=\"%d\"} 1\n", os.Getenv("POD_LABEL_SELECTOR"), os.Getpid())
	})
	srv := &http.Server{Addr: "127.0.0.1:" + port, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
