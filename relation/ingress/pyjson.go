package ingress

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The Python library writes every databag value with json.dumps defaults:
// ASCII-only output (\uXXXX escapes, lower-case hex, surrogate pairs above
// the BMP), ", " and ": " separators, no HTML escaping. Encoding the same way
// keeps our bags byte-identical to a Python requirer's or provider's, so
// comparing a held bag with the wanted one never causes a spurious write.

// pyField is one member of a JSON object, kept in order.
type pyField struct {
	key   string
	value []byte // already encoded
}

func pyString(s string) []byte {
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

func pyInt(n int) []byte { return strconv.AppendInt(nil, int64(n), 10) }

func pyBool(v bool) []byte {
	if v {
		return []byte("true")
	}
	return []byte("false")
}

func pyObject(fields []pyField) []byte {
	b := []byte{'{'}
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',', ' ')
		}
		b = append(b, pyString(f.key)...)
		b = append(b, ':', ' ')
		b = append(b, f.value...)
	}
	return append(b, '}')
}
