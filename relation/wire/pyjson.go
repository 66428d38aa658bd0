package wire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The Python library writes every databag value with json.dumps defaults:
// ASCII-only output (\uXXXX escapes, lower-case hex, surrogate pairs above
// the BMP), ", " and ": " separators, no HTML escaping. Encoding the same way
// keeps our bags byte-identical to a Python requirer's or provider's, so
// comparing a held bag with the wanted one never causes a spurious write.

// PyField is one member of a JSON object, kept in order.
type PyField struct {
	Key   string
	Value []byte // already encoded
}

// PyStrings encodes a list of strings as json.dumps does ("[]" for none).
func PyStrings(items []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.Write(PyString(s))
	}
	b.WriteByte(']')
	return b.String()
}

// PyString encodes s as json.dumps does.
func PyString(s string) []byte {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			switch {
			case r >= 0x20 && r <= 0x7e:
				b = append(b, byte(r))
			case r > 0xffff:
				hi, lo := utf16.EncodeRune(r)
				b = appendUEscape(appendUEscape(b, hi), lo)
			default: // control characters, DEL, non-ASCII, and U+FFFD for invalid UTF-8
				b = appendUEscape(b, r)
			}
		}
	}
	return append(b, '"')
}

func appendUEscape(b []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}

// PyInt encodes n as json.dumps does.
func PyInt(n int) []byte { return strconv.AppendInt(nil, int64(n), 10) }

// PyBool encodes v as json.dumps does.
func PyBool(v bool) []byte {
	if v {
		return []byte("true")
	}
	return []byte("false")
}

// PyObject encodes an object with its members in order, as json.dumps does.
func PyObject(fields []PyField) []byte {
	b := []byte{'{'}
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',', ' ')
		}
		b = append(b, PyString(f.Key)...)
		b = append(b, ':', ' ')
		b = append(b, f.Value...)
	}
	return append(b, '}')
}

// PyDumps encodes v (anything encoding/json takes) as Python's json.dumps
// with its defaults would: members in the order encoding/json writes them
// (struct fields in order, map keys sorted), ", " and ": " separators and
// ASCII-only strings.
func PyDumps(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(pyReformat(bytes.TrimRight(buf.Bytes(), "\n"))), nil
}

// pyReformat rewrites compact JSON from encoding/json with json.dumps's
// separators, re-encoding every string the Python way.
func pyReformat(compact []byte) []byte {
	out := make([]byte, 0, len(compact)+len(compact)/8)
	for i := 0; i < len(compact); i++ {
		switch c := compact[i]; c {
		case ',', ':':
			out = append(out, c, ' ')
		case '"':
			end := stringEnd(compact, i)
			var s string
			_ = json.Unmarshal(compact[i:end], &s) // encoding/json wrote it: valid
			out = append(out, PyString(s)...)
			i = end - 1
		default:
			out = append(out, c)
		}
	}
	return out
}

// stringEnd returns the index just past the JSON string starting at start.
func stringEnd(b []byte, start int) int {
	for i := start + 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}
