package wire

import (
	"fmt"
	"maps"
)

// jujuKeys are the keys Juju itself sets in unit bags; a writer never
// deletes them.
var jujuKeys = map[string]bool{"ingress-address": true, "private-address": true, "egress-subnets": true}

// Changes returns the relation-set data that turns the bag we hold into
// want, where a "" value means "absent". Like the Python libraries, which
// clear a bag before writing it, keys held but not wanted are deleted
// (except the ones Juju sets itself). When the held bag is not known
// (known == false) every wanted key is written. An empty result means no
// write is needed.
func Changes(held map[string]string, known bool, want map[string]string) map[string]string {
	if !known {
		return maps.Clone(want)
	}
	var delta map[string]string
	set := func(k, v string) {
		if delta == nil {
			delta = map[string]string{}
		}
		delta[k] = v
	}
	for k, v := range want {
		if held[k] != v {
			set(k, v)
		}
	}
	for k, v := range held {
		if _, wanted := want[k]; !wanted && v != "" && !jujuKeys[k] {
			set(k, "")
		}
	}
	return delta
}

// Apply records a successful write of delta over held and returns the bag
// now held ("" values deleted). An empty map still says "we know this bag
// holds none of our keys".
func Apply(held, delta map[string]string) map[string]string {
	out := maps.Clone(held)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range delta {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// BagSize is the bytes of a databag's keys and values.
func BagSize(bag map[string]string) int {
	n := 0
	for k, v := range bag {
		n += len(k) + len(v)
	}
	return n
}

// CheckBagSize refuses a bag larger than max bytes before anything in it is
// parsed, so a huge bag costs its size in memory and no more.
func CheckBagSize(bag map[string]string, max int) error {
	if n := BagSize(bag); n > max {
		return Invalid("", fmt.Sprintf("the application databag is %d bytes, at most %d are read", n, max))
	}
	return nil
}
