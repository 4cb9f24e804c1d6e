package sqlstring

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLiteral(t *testing.T) {
	tests := []struct {
		value, want string
	}{
		{"web", "'web'"},
		{"", "''"},
		{"O'Brien", "'O''Brien'"},
		{"'", "''''"},
		{`\'`, `'\'''`},
		{"'; DROP TABLE x; --", "'''; DROP TABLE x; --'"},
		{"*/ /* -- ", "'*/ /* -- '"},
		{"x\nCREATE TABLE pwned AS --", "concat('x', chr(10), 'CREATE TABLE pwned AS --')"},
		{"\n", "chr(10)"},
		{"a\x00b", "concat('a', chr(0), 'b')"},
		{"\r\n", "concat(chr(13), chr(10))"},
		{"a\u2028b\u2029", "concat('a', chr(8232), 'b', chr(8233))"},
		{"\u202eevil", "concat(chr(8238), 'evil')"},
		{"\x7f\u0085\ufeff", "concat(chr(127), chr(133), chr(65279))"},
		{"tab\there", "concat('tab', chr(9), 'here')"},
		{"été 東京 🚀", "'été 東京 🚀'"},
		{"{{app}}", "'{{app}}'"},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.value), func(t *testing.T) {
			got, err := Literal(tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Literal(%q) = %s, want %s", tt.value, got, tt.want)
			}
			checkReadsBack(t, tt.value, got)
		})
	}
}

func TestLiteralInvalidUTF8(t *testing.T) {
	for _, tt := range []struct {
		value string
		at    int
	}{
		{"\xff", 0},
		{"ab\xc3", 2},             // a sequence cut short
		{"a\xed\xa0\x80", 1},      // a surrogate, U+D800
		{"\xc0\xafx", 0},          // an overlong "/"
		{"ok\xf4\x90\x80\x80", 2}, // beyond U+10FFFF
	} {
		_, err := Literal(tt.value)
		if !errors.Is(err, ErrInvalidUTF8) {
			t.Errorf("Literal(%q): err %v, want ErrInvalidUTF8", tt.value, err)
			continue
		}
		if want := fmt.Sprintf("byte %d is 0x%02x", tt.at, tt.value[tt.at]); !strings.Contains(err.Error(), want) {
			t.Errorf("Literal(%q): %v, want %q in it", tt.value, err, want)
		}
	}
}

// TestLiteralManyPieces checks the nesting of concat past Trino's 254
// arguments.
func TestLiteralManyPieces(t *testing.T) {
	for _, n := range []int{126, 127, 128, 253, 254, 255, 10000, 40000} {
		value := strings.Repeat("a\n", n) // 2n pieces
		got, err := Literal(value)
		if err != nil {
			t.Fatal(err)
		}
		checkReadsBack(t, value, got)
	}
}

func FuzzLiteral(f *testing.F) {
	for _, s := range []string{"", "web", "O'Brien", "x\nCREATE TABLE pwned AS --", "a\x00b", "\xff", "*/", "\u2028", `\'`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		got, err := Literal(value)
		if !utf8.ValidString(value) {
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("Literal(%q): err %v, want ErrInvalidUTF8", value, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkReadsBack(t, value, got)
	})
}

// checkReadsBack parses expr with the grammar Literal writes (a literal, a
// chr call or a concat call of at most 254 arguments, at least 2) as the
// two engines read it, and checks that it evaluates to value and that no
// character of it but the ones inside quotes is anything else than the
// calls' names, digits, parentheses, commas and spaces.
func checkReadsBack(t *testing.T, value, expr string) {
	t.Helper()
	for _, r := range expr {
		if unicode.IsOneOf(escaped, r) {
			t.Fatalf("%q: the expression holds %U", expr, r)
		}
	}
	p := &parser{s: expr}
	got, err := p.expr()
	if err == nil && p.i != len(p.s) {
		err = fmt.Errorf("text after the expression at %d", p.i)
	}
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	if got != value {
		t.Fatalf("%q reads back as %q, want %q", expr, got, value)
	}
}

type parser struct {
	s string
	i int
}

func (p *parser) expr() (string, error) {
	switch {
	case strings.HasPrefix(p.s[p.i:], "'"):
		return p.quoted()
	case strings.HasPrefix(p.s[p.i:], "chr("):
		p.i += len("chr(")
		j := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		n, err := strconv.Atoi(p.s[j:p.i])
		if err != nil || !strings.HasPrefix(p.s[p.i:], ")") || n > unicode.MaxRune || (n >= 0xd800 && n <= 0xdfff) {
			return "", fmt.Errorf("bad chr at %d", j)
		}
		p.i++
		return string(rune(n)), nil
	case strings.HasPrefix(p.s[p.i:], "concat("):
		p.i += len("concat(")
		var b strings.Builder
		for args := 1; ; args++ {
			if args > maxArgs {
				return "", fmt.Errorf("more than %d arguments of concat at %d", maxArgs, p.i)
			}
			v, err := p.expr()
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			switch {
			case strings.HasPrefix(p.s[p.i:], ", "):
				p.i += 2
			case strings.HasPrefix(p.s[p.i:], ")"):
				p.i++
				if args < 2 {
					return "", fmt.Errorf("concat of one argument at %d", p.i)
				}
				return b.String(), nil
			default:
				return "", fmt.Errorf("want , or ) at %d", p.i)
			}
		}
	}
	return "", fmt.Errorf("want a literal, chr or concat at %d", p.i)
}

// quoted reads a standard SQL string literal: ” is a quote, nothing else
// is an escape.
func (p *parser) quoted() (string, error) {
	var b strings.Builder
	p.i++
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		if c != '\'' {
			b.WriteByte(c)
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '\'' {
			b.WriteByte('\'')
			p.i++
			continue
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("unterminated literal")
}
