package policy

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// tokenDecoder reads a policy document with encoding/json's Token API. It
// is the library decoder BenchmarkParseEvaluate measures decodeJSON against.
type tokenDecoder struct {
	dec   *json.Decoder
	depth int
}

// decodeJSONToken decodes s into *object, []any, string, json.Number, bool
// and nil with encoding/json's Token API; syntax errors carry the messages
// and byte offsets of encoding/json's scanner.
func decodeJSONToken(s string) (any, *jsonError) {
	d := tokenDecoder{dec: json.NewDecoder(strings.NewReader(s))}
	d.dec.UseNumber()
	if strings.TrimLeft(s, " \t\r\n") == "" {
		return nil, &jsonError{off: 0, msg: "the document is empty"}
	}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, syntaxError(s)
	}
	v, jerr := d.value(s, tok)
	if jerr != nil {
		return nil, jerr
	}
	off := int(d.dec.InputOffset())
	if rest := strings.TrimLeft(s[off:], " \t\r\n"); rest != "" {
		return nil, &jsonError{off: len(s) - len(rest), msg: "unexpected data after the policy document"}
	}
	return v, nil
}

func (d *tokenDecoder) value(s string, tok json.Token) (any, *jsonError) {
	switch t := tok.(type) {
	case json.Delim:
		if d.depth++; d.depth > maxDepth {
			return nil, &jsonError{off: int(d.dec.InputOffset()) - 1, msg: "nesting too deep"}
		}
		defer func() { d.depth-- }()
		if t == '[' {
			out := []any{}
			for {
				tok, err := d.dec.Token()
				if err != nil {
					return nil, syntaxError(s)
				}
				if tok == json.Delim(']') {
					return out, nil
				}
				v, jerr := d.value(s, tok)
				if jerr != nil {
					return nil, jerr
				}
				out = append(out, v)
			}
		}
		o := &object{}
		for {
			tok, err := d.dec.Token()
			if err != nil {
				return nil, syntaxError(s)
			}
			if tok == json.Delim('}') {
				break
			}
			tok2, err := d.dec.Token()
			if err != nil {
				return nil, syntaxError(s)
			}
			v, jerr := d.value(s, tok2)
			if jerr != nil {
				return nil, jerr
			}
			o.keys = append(o.keys, tok.(string))
			o.vals = append(o.vals, v)
		}
		if len(o.keys) > 16 {
			o.index = make(map[string]int, len(o.keys))
			for i, k := range o.keys {
				o.index[k] = i
			}
		}
		return o, nil
	default:
		return t, nil
	}
}

// syntaxError describes the first syntax error of s as encoding/json's
// scanner does. The Token API reports some errors in its own words (e.g.
// "expected colon after object key") and others at offsets relative to the
// value it was reading, so the error is taken from the scanner, which reads
// the whole document: its offset counts the bytes read up to and including
// the offending one.
func syntaxError(s string) *jsonError {
	var raw json.RawMessage
	err := json.Unmarshal([]byte(s), &raw)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se) && se.Error() == "unexpected end of JSON input":
		return &jsonError{off: len(s), msg: se.Error()}
	case errors.As(err, &se):
		return &jsonError{off: int(se.Offset) - 1, msg: se.Error()}
	case err == nil, errors.Is(err, io.ErrUnexpectedEOF):
	}
	return &jsonError{off: len(s), msg: "unexpected end of JSON input"}
}

// TestDecodeJSONToken checks that the library decoder of the benchmark
// builds the trees decodeJSON builds, so that the two are measured doing
// the same work.
func TestDecodeJSONToken(t *testing.T) {
	for _, s := range []string{benchTrust, benchPermissions, benchBoundary, benchBucket, `{"a":[1,{"b":"\u00e9"}],"a":null}`} {
		want, werr := decodeJSON(s)
		got, gerr := decodeJSONToken(s)
		if werr != nil || gerr != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%.40q: decodeJSONToken = %v, %v; decodeJSON = %v, %v", s, std(got), gerr, std(want), werr)
		}
	}
}
