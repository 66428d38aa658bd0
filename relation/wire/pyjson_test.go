package wire

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPyStringMatchesPythonJSONDumps(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain-ascii_1.2", `"plain-ascii_1.2"`},
		{`quote " backslash \ slash /`, `"quote \" backslash \\ slash /"`},
		{"</script>&'", `"</script>&'"`}, // no HTML escaping
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x00\x1f\x7f", `"\u0000\u001f\u007f"`},
		{"é中", `"\u00e9\u4e2d"`},
		{"🚀", `"\ud83d\ude80"`},
		{"\u2028", `"\u2028"`},
		{"bad\xffutf8", `"bad\ufffdutf8"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, string(PyString(tt.in)))
		})
	}
	assert.Equal(t, `{}`, string(PyObject(nil)))
	assert.Equal(t, `{"a": 1, "b": true}`, string(PyObject([]PyField{{Key: "a", Value: PyInt(1)}, {Key: "b", Value: PyBool(true)}})))
}

func TestPyDumpsWritesWhatJSONDumpsWrites(t *testing.T) {
	type csr struct {
		CSR string `json:"certificate_signing_request"`
		CA  bool   `json:"ca"`
	}
	got, err := PyDumps([]csr{{CSR: "-----BEGIN CSR-----\né\n", CA: false}})
	require.NoError(t, err)
	// json.dumps([{"certificate_signing_request": "...", "ca": False}])
	assert.Equal(t, `[{"certificate_signing_request": "-----BEGIN CSR-----\n\u00e9\n", "ca": false}]`, got)

	got, err = PyDumps(map[string]any{"b": "x,y:z", "a": []int{1, 2}})
	require.NoError(t, err)
	assert.Equal(t, `{"a": [1, 2], "b": "x,y:z"}`, got)
}

func TestChangesDeletesHeldKeysNoLongerWanted(t *testing.T) {
	held := map[string]string{"url": "a", "old": "x", "ingress-address": "10.0.0.1"}
	assert.Equal(t, map[string]string{"url": "b", "old": ""}, Changes(held, true, map[string]string{"url": "b"}))
	assert.Nil(t, Changes(held, true, map[string]string{"url": "a", "old": "x"}))
	assert.Equal(t, map[string]string{"url": "a"}, Changes(nil, false, map[string]string{"url": "a"}))
	assert.Equal(t, map[string]string{"url": "b"}, Apply(map[string]string{"url": "a", "old": "x"}, map[string]string{"url": "b", "old": ""}))
}

func TestClipBoundsEchoedData(t *testing.T) {
	assert.Equal(t, "abc", Clip("abc", 3))
	assert.Equal(t, "ab…", Clip("abc", 2))
	// Never half a character, never invalid UTF-8 in a status or a log.
	assert.Equal(t, "é…", Clip("ééé", 3))
	assert.Equal(t, "…", Clip("ééé", 1))
	assert.Equal(t, "a\uFFFDb", Clip("a\xffb", 10))
	for n := range 8 {
		assert.True(t, utf8.ValidString(Clip("日本語\xfeテキスト", n)), n)
	}
}
