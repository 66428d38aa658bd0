package ingressroute

import "testing"

// The largest vector: 3 listeners, 2 HTTP and 2 gRPC routes.
func benchConfig(b *testing.B) string {
	for _, tc := range loadCases[validCase](b, "valid.json") {
		if tc.Name == "multi_listeners_multi_routes" {
			return tc.Config
		}
	}
	b.Fatal("vector multi_listeners_multi_routes not found")
	return ""
}

func BenchmarkParseConfig(b *testing.B) {
	data := []byte(benchConfig(b))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseConfig(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	cfg, err := ParseConfig([]byte(benchConfig(b)))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := cfg.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}
