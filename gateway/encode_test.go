package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Both output forms carry exactly the plan's objects, in order.
func TestMarshalRoundTrips(t *testing.T) {
	t.Parallel()
	plan := Build(scenarios()[0].in)
	want, err := json.Marshal(plan.Objects)
	require.NoError(t, err)

	j, err := MarshalJSON(plan.Objects)
	require.NoError(t, err)
	var list struct {
		Kind  string            `json:"kind"`
		Items []json.RawMessage `json:"items"`
	}
	require.NoError(t, json.Unmarshal(j, &list))
	assert.Equal(t, "List", list.Kind)
	items, err := json.Marshal(list.Items)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(items))

	y, err := MarshalYAML(plan.Objects)
	require.NoError(t, err)
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(y), 4096)
	var docs []map[string]any
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		docs = append(docs, m)
	}
	fromYAML, err := json.Marshal(docs)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(fromYAML))
}
