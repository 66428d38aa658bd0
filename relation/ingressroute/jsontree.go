package ingressroute

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The Python provider parses the databag with pydantic's JSON parser (jiter),
// which differs from encoding/json in ways that change what is accepted:
// object key order is kept (header matches are ordered), NaN/Infinity are
// literals, lone UTF-16 surrogates and invalid UTF-8 are errors, and nesting
// is limited. This small parser reproduces those rules and builds a tree the
// validator walks.

// maxDepth is jiter's default recursion limit.
const maxDepth = 200

type jsonKind int

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonInt   // an integer literal (no fraction or exponent), kept as text
	jsonFloat // a literal with fraction or exponent, or NaN/Infinity
	jsonString
	jsonArray
	jsonObject
)

type jsonMember struct {
	key string
	val *jsonValue
}

type jsonValue struct {
	kind    jsonKind
	boolean bool
	text    string // jsonString: the decoded string; jsonInt/jsonFloat: the literal
	items   []*jsonValue
	members []jsonMember
}

// get returns the value of key; with duplicate keys the last one wins, as in
// jiter's object lookup.
func (v *jsonValue) get(key string) (*jsonValue, bool) {
	for i := len(v.members) - 1; i >= 0; i-- {
		if v.members[i].key == key {
			return v.members[i].val, true
		}
	}
	return nil, false
}

// SyntaxError is a databag value that is not JSON as the Python provider reads it.
type SyntaxError struct {
	Offset int // byte offset of the problem
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

type jsonParser struct {
	data []byte
	pos  int
}

func parseJSON(data []byte) (*jsonValue, error) {
	p := &jsonParser{data: data}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.errorf("trailing characters")
	}
	return v, nil
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) literal(word string) bool {
	if len(p.data)-p.pos >= len(word) && string(p.data[p.pos:p.pos+len(word)]) == word {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *jsonParser) value(depth int) (*jsonValue, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &jsonValue{kind: jsonString, text: s}, nil
	case c == 't' && p.literal("true"):
		return &jsonValue{kind: jsonBool, boolean: true}, nil
	case c == 'f' && p.literal("false"):
		return &jsonValue{kind: jsonBool}, nil
	case c == 'n' && p.literal("null"):
		return &jsonValue{kind: jsonNull}, nil
	case c == 'N' && p.literal("NaN"):
		return &jsonValue{kind: jsonFloat, text: "NaN"}, nil
	case c == 'I' && p.literal("Infinity"):
		return &jsonValue{kind: jsonFloat, text: "Infinity"}, nil
	case c == '-' && p.literal("-Infinity"):
		return &jsonValue{kind: jsonFloat, text: "-Infinity"}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return nil, p.errorf("expected a value")
	}
}

func (p *jsonParser) object(depth int) (*jsonValue, error) {
	if depth > maxDepth {
		return nil, p.errorf("nesting deeper than %d", maxDepth)
	}
	p.pos++ // '{'
	v := &jsonValue{kind: jsonObject, members: []jsonMember{}}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("expected a string key")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("expected ':'")
		}
		p.pos++
		p.skipSpace()
		val, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		v.members = append(v.members, jsonMember{key: key, val: val})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return v, nil
		default:
			return nil, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array(depth int) (*jsonValue, error) {
	if depth > maxDepth {
		return nil, p.errorf("nesting deeper than %d", maxDepth)
	}
	p.pos++ // '['
	v := &jsonValue{kind: jsonArray, items: []*jsonValue{}}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		p.skipSpace()
		item, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		v.items = append(v.items, item)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return v, nil
		default:
			return nil, p.errorf("expected ',' or ']'")
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number scans a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jsonParser) number() (*jsonValue, error) {
	start := p.pos
	kind := jsonInt
	if p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case p.pos < len(p.data) && isDigit(p.data[p.pos]):
		for p.pos < len(p.data) && isDigit(p.data[p.pos]) {
			p.pos++
		}
	default:
		return nil, p.errorf("invalid number")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		kind = jsonFloat
		p.pos++
		if p.pos >= len(p.data) || !isDigit(p.data[p.pos]) {
			return nil, p.errorf("invalid number")
		}
		for p.pos < len(p.data) && isDigit(p.data[p.pos]) {
			p.pos++
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		kind = jsonFloat
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(p.data) || !isDigit(p.data[p.pos]) {
			return nil, p.errorf("invalid number")
		}
		for p.pos < len(p.data) && isDigit(p.data[p.pos]) {
			p.pos++
		}
	}
	return &jsonValue{kind: kind, text: string(p.data[start:p.pos])}, nil
}

var errBadEscape = errors.New("invalid escape")

// str decodes a JSON string starting at the opening quote.
func (p *jsonParser) str() (string, error) {
	p.pos++ // opening quote
	var out []byte
	for {
		if p.pos >= len(p.data) {
			return "", p.errorf("unterminated string")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(out), nil
		case c == '\\':
			if err := p.escape(&out); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c < utf8.RuneSelf:
			out = append(out, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errorf("invalid UTF-8")
			}
			out = append(out, p.data[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
}

func (p *jsonParser) escape(out *[]byte) error {
	p.pos++ // backslash
	if p.pos >= len(p.data) {
		return p.errorf("unterminated string")
	}
	c := p.data[p.pos]
	p.pos++
	switch c {
	case '"', '\\', '/':
		*out = append(*out, c)
	case 'b':
		*out = append(*out, '\b')
	case 'f':
		*out = append(*out, '\f')
	case 'n':
		*out = append(*out, '\n')
	case 'r':
		*out = append(*out, '\r')
	case 't':
		*out = append(*out, '\t')
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return err
		}
		switch {
		case utf16.IsSurrogate(r) && r < 0xdc00:
			// A high surrogate must be followed by an escaped low one.
			if !p.literal(`\u`) {
				return p.errorf("lone leading surrogate in \\u escape")
			}
			r2, err := p.hex4()
			if err != nil {
				return err
			}
			if r2 < 0xdc00 || r2 > 0xdfff {
				return p.errorf("invalid low surrogate in \\u escape")
			}
			r = utf16.DecodeRune(r, r2)
		case utf16.IsSurrogate(r):
			return p.errorf("lone trailing surrogate in \\u escape")
		}
		*out = utf8.AppendRune(*out, r)
	default:
		return &SyntaxError{Offset: p.pos - 1, Msg: errBadEscape.Error()}
	}
	return nil
}

func (p *jsonParser) hex4() (rune, error) {
	if len(p.data)-p.pos < 4 {
		return 0, p.errorf("unexpected end of \\u escape")
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.pos += 4
	return rune(n), nil
}
