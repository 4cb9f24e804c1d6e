package queries

import (
	"fmt"
	"strings"
)

// spanKind is what a stretch of SQL text is to the engines' lexers.
type spanKind int

const (
	code spanKind = iota
	lineComment
	blockComment
	stringLiteral
	quotedIdentifier
)

func (k spanKind) String() string {
	return [...]string{"SQL text", "-- comment", "/* comment */", "string literal", "quoted identifier"}[k]
}

// span is a stretch of SQL text of one kind; text includes its
// delimiters.
type span struct {
	kind   spanKind
	offset int
	text   string
}

// lex splits SQL text into code, comments, string literals and quoted
// identifiers, as Trino and DuckDB read the subset the queries are written
// in (see the package documentation): ” and "" are the only escapes, a
// -- comment ends at a line feed, a /* comment at the first */. It fails
// on what the two engines would read differently or not at all: an
// unterminated literal or comment, a /* inside a /* comment (DuckDB nests
// comments, Trino does not), and E'...' or U&'...' literals.
func lex(sql string) ([]span, error) {
	var spans []span
	start := 0
	emit := func(kind spanKind, end int) {
		if end > start {
			spans = append(spans, span{kind, start, sql[start:end]})
		}
		start = end
	}
	for i := 0; i < len(sql); {
		rest := sql[i:]
		switch {
		case strings.HasPrefix(rest, "--"):
			emit(code, i)
			end := strings.IndexByte(rest, '\n')
			if end < 0 {
				end = len(rest)
			}
			i += end
			emit(lineComment, i)
		case strings.HasPrefix(rest, "/*"):
			emit(code, i)
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("line %d: a /* comment is not closed", lineOf(sql, i))
			}
			if strings.Contains(rest[2:2+end], "/*") {
				return nil, fmt.Errorf("line %d: a /* comment holds /*, which DuckDB reads as a nested comment and Trino does not", lineOf(sql, i))
			}
			i += 2 + end + 2
			emit(blockComment, i)
		case rest[0] == '\'' || rest[0] == '"':
			if rest[0] == '\'' && i > 0 && strings.ContainsRune("eEuU&", rune(sql[i-1])) && (i < 2 || !isWordByte(sql[i-2]) || sql[i-1] == '&') {
				return nil, fmt.Errorf("line %d: an E'...' or U&'...' literal, whose escapes the two engines read differently", lineOf(sql, i))
			}
			emit(code, i)
			kind, quote := stringLiteral, rest[0]
			if quote == '"' {
				kind = quotedIdentifier
			}
			j := 1
			for {
				k := strings.IndexByte(rest[j:], quote)
				if k < 0 {
					return nil, fmt.Errorf("line %d: a %s is not closed", lineOf(sql, i), kind)
				}
				j += k + 1
				if j < len(rest) && rest[j] == quote { // doubled: an escaped quote
					j++
					continue
				}
				break
			}
			i += j
			emit(kind, i)
		default:
			i++
		}
	}
	emit(code, len(sql))
	return spans, nil
}

// Placeholder is a {{name}} in a query's text.
type Placeholder struct {
	Name string
	// Line is its line, from 1.
	Line int
}

// Placeholders returns the {{name}} placeholders of SQL text, in order. It
// fails if one sits anywhere but in the SQL text itself, as a token of its
// own: inside a comment, a string literal or a quoted identifier, or
// against a word character or a quote, where the value it stands for
// would be read as part of something else.
func Placeholders(sql string) ([]Placeholder, error) {
	spans, err := lex(sql)
	if err != nil {
		return nil, err
	}
	var found []Placeholder
	for _, s := range spans {
		for _, m := range paramPattern.FindAllStringSubmatchIndex(s.text, -1) {
			at := s.offset + m[0]
			line := lineOf(sql, at)
			name := s.text[m[2]:m[3]]
			if s.kind != code {
				return nil, fmt.Errorf("line %d: {{%s}} is inside a %s; a parameter goes in the SQL text (a comment names it <%s>)", line, name, s.kind, name)
			}
			end := s.offset + m[1]
			if at > 0 && glued(sql[at-1]) || end < len(sql) && glued(sql[end]) {
				return nil, fmt.Errorf("line %d: {{%s}} touches the text beside it; a parameter stands alone as a token", line, name)
			}
			found = append(found, Placeholder{Name: name, Line: line})
		}
	}
	return found, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// glued reports whether a byte beside a placeholder would join the value
// to another token.
func glued(c byte) bool { return isWordByte(c) || c == '\'' || c == '"' || c == '.' }

func lineOf(sql string, offset int) int { return strings.Count(sql[:offset], "\n") + 1 }
