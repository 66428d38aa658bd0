package ingress

import (
	"testing"

	"github.com/canonical/istio-ingress-k8s-go/relation/wire"
)

// The reconcile parses every requirer's bag and builds its served bag on
// every hook; these show what that costs per relation.
func BenchmarkParseAppData(b *testing.B) {
	bag := pythonRequirerCases[2].bag
	for b.Loop() {
		if _, err := ParseAppData(bag); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServedBagUnchanged(b *testing.B) {
	held, err := ServedBag("http://10.1.2.3/mymodel-myapp")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		want, _ := ServedBag("http://10.1.2.3/mymodel-myapp")
		if len(wire.Changes(held, true, want)) > 0 {
			b.Fatal("unexpected write")
		}
	}
}
