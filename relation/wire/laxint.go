package wire

import (
	"math"
	"strconv"
	"strings"
)

// Pydantic's lax integers: an integer field also takes an integral float
// (8080.0) or a numeric string ("8080", " 8_080 ", "8080.000"). Every
// relation package decodes integers through these, so all accept the same.

// WideInt is an int64, or (big = ±1) an integer beyond int64 in that direction.
type WideInt struct {
	Val int64
	Big int
}

// IntLiteral parses a JSON integer literal, already checked to be
// -?[0-9]+, saturating beyond int64.
func IntLiteral(s string) WideInt {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if strings.HasPrefix(s, "-") {
			return WideInt{Big: -1}
		}
		return WideInt{Big: 1}
	}
	return WideInt{Val: n}
}

// FloatAsInt converts a JSON number literal with a fraction or exponent (or
// Python's NaN and Infinity) like pydantic's lax int validator; msg is
// non-empty when it is not an integer.
func FloatAsInt(text string) (WideInt, string) {
	var f float64
	switch text {
	case "NaN":
		f = math.NaN()
	case "Infinity":
		f = math.Inf(1)
	case "-Infinity":
		f = math.Inf(-1)
	default:
		f, _ = strconv.ParseFloat(text, 64) // overflow yields ±Inf
	}
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return WideInt{}, "must be a finite number"
	case f != math.Trunc(f):
		return WideInt{}, "must be an integer, got a number with a fractional part"
	case f <= math.MinInt64:
		return WideInt{Big: -1}, ""
	case f >= math.MaxInt64:
		return WideInt{Big: 1}, ""
	}
	return WideInt{Val: int64(f)}, ""
}

// StringAsInt parses a numeric string the way pydantic does: surrounding
// whitespace, a sign, leading zeros, single underscores between digits and a
// ".000" suffix are allowed.
func StringAsInt(s string) (WideInt, string) {
	const bad = "must be an integer, unable to parse string as an integer"
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		frac := s[i+1:]
		if frac == "" || strings.Trim(frac, "0") != "" {
			return WideInt{}, bad
		}
		s = s[:i]
	}
	if strings.Contains(s, "_") {
		if strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
			return WideInt{}, bad
		}
		s = strings.ReplaceAll(s, "_", "")
	}
	if s == "" {
		return WideInt{}, bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return WideInt{}, bad
		}
	}
	if neg {
		s = "-" + s
	}
	return IntLiteral(s), ""
}
