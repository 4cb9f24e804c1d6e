// Package sqlstring writes a value as a SQL expression of type varchar that
// Athena (Trino) and DuckDB both read back as exactly that value, whatever
// it holds: a query parameter can end its string, start a comment or run a
// statement of its own through no byte of its value.
//
// # Rendering
//
// A value is UTF-8 text; Literal refuses any other byte sequence with an
// error, since neither engine has a character for it (DuckDB fails the
// whole query on invalid UTF-8, Trino's varchar is Unicode) and AWS tag
// values, the values these queries compare with, are Unicode text too.
// Terraform strings are always Unicode, so the error never reaches a
// configuration.
//
// Every character is written as itself between single quotes, a quote as
// two quotes (the SQL standard's only escape in a string literal: both
// engines read a backslash as a backslash, and "--" or "/*" inside quotes
// as text), except the characters that could end or hide a line or the
// text: control characters (Unicode category Cc: NUL, tab, CR, LF, DEL,
// NEL and the C1 block), format characters (Cf: bidirectional overrides,
// zero-width characters, the byte order mark) and the line and paragraph
// separators (Zl, Zp: U+2028, U+2029). Each of those becomes chr(N), its
// code point in decimal, and the pieces are joined with concat:
//
//	web             'web'
//	O'Brien         'O''Brien'
//	x<LF>y --       concat('x', chr(10), 'y --')
//	<LF>            chr(10)
//	(empty)         ''
//
// Why these choices: DuckDB's parser stops at a NUL byte of the query
// text, so NUL cannot be written in quotes; a line break in quotes is
// harmless to both parsers but hides what a logged or displayed query
// does; chr and concat exist with the same meaning in both engines (chr
// takes any code point but a surrogate, which valid UTF-8 never holds).
// concat rather than ||: DuckDB takes time that grows faster than the
// square of the length of a chain of || (seconds for a few hundred),
// while concat takes hundreds of arguments at once. Trino's concat takes
// at most 254 arguments, so a value with more pieces is a concat of
// concats, 254 at most each (depth 2 up to 64516 pieces).
//
// The result is one primary expression (a literal, a chr call or a concat
// call), so it stands wherever a varchar expression can, with no
// parentheses around it (not where the grammar wants a literal token, as
// in INTERVAL '7' DAY, where no parameter goes).
// A long value gives a long expression; Athena refuses a query text over
// 256 KB (262144 bytes), which bounds what can be asked of it, not what is
// safe.
package sqlstring

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxArgs is the most arguments Trino's concat takes.
const maxArgs = 254

// escaped are the categories of characters written as chr(N).
var escaped = []*unicode.RangeTable{unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp}

// ErrInvalidUTF8 is wrapped by the error of Literal for a value that is
// not UTF-8 text.
var ErrInvalidUTF8 = errors.New("not valid UTF-8")

// Literal returns value as a SQL varchar expression that Athena and DuckDB
// evaluate to value, or an error if value is not valid UTF-8.
func Literal(value string) (string, error) {
	if !utf8.ValidString(value) {
		i := invalidAt(value)
		return "", fmt.Errorf("the value is %w: byte %d is 0x%02x; Athena and DuckDB strings are UTF-8 text, so no SQL string can hold it", ErrInvalidUTF8, i, value[i])
	}
	var pieces []string
	var run strings.Builder
	flush := func() {
		if run.Len() > 0 {
			pieces = append(pieces, "'"+run.String()+"'")
			run.Reset()
		}
	}
	for _, r := range value {
		switch {
		case r == '\'':
			run.WriteString("''")
		case unicode.IsOneOf(escaped, r):
			flush()
			pieces = append(pieces, "chr("+strconv.Itoa(int(r))+")")
		default:
			run.WriteRune(r)
		}
	}
	flush()
	switch len(pieces) {
	case 0:
		return "''", nil
	case 1:
		return pieces[0], nil
	}
	return concat(pieces), nil
}

// concat joins pieces with concat calls of at most maxArgs arguments.
func concat(pieces []string) string {
	for len(pieces) > maxArgs {
		var groups []string
		for len(pieces) > 0 {
			n := min(maxArgs, len(pieces))
			if n == 1 {
				groups = append(groups, pieces[0])
			} else {
				groups = append(groups, "concat("+strings.Join(pieces[:n], ", ")+")")
			}
			pieces = pieces[n:]
		}
		pieces = groups
	}
	return "concat(" + strings.Join(pieces, ", ") + ")"
}

// invalidAt returns the offset of the first byte of s that does not begin
// a valid UTF-8 sequence.
func invalidAt(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}
