package policy

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// std converts a decoded tree to the types encoding/json produces with UseNumber.
func std(v any) any {
	switch t := v.(type) {
	case *object:
		m := make(map[string]any, len(t.keys))
		for i, k := range t.keys {
			m[k] = std(t.vals[i])
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = std(e)
		}
		return out
	}
	return v
}

// sameAsEncodingJSON reports a difference between decodeJSON and encoding/json on s.
func sameAsEncodingJSON(t *testing.T, s string) {
	t.Helper()
	got, err := decodeJSON(s)
	if err != nil && err.msg == "nesting too deep" {
		return // encoding/json allows deeper nesting than policies need
	}
	valid := json.Valid([]byte(s))
	if (err == nil) != valid {
		t.Fatalf("decodeJSON(%q) error = %v, encoding/json valid = %v", s, err, valid)
	}
	if !valid || !utf8.ValidString(s) {
		return
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(std(got), want) {
		t.Fatalf("decodeJSON(%q) = %#v, want %#v", s, std(got), want)
	}
}

func TestDecodeJSON(t *testing.T) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":1}`, ` {"a" : [1, -2.5e+3, 0, true, false, null, "x"]} `,
		`{"a":"\u00e9\n\t\"\\\/\ud83d\ude00"}`, `{"a":"\ud800"}`, `{"a":1,"a":2}`,
		`[1,{"a":2},[3,{"b":[4,{"c":5}]}]]`, `{"a":[1,{"b":[2,{"c":3}]}],"d":4}`,
		`{"a":}`, `{"a" 1}`, `{a:1}`, `[1,]`, `[1 2]`, `"abc`, `"a\qb"`, "\"a\tb\"", `01`, `1.`, `-`, `1e`, `tru`,
		`{"a":1}}`, ``, `   `, `[[[[]]]]`, `{"Statement":[{"Effect":"Allow",}]}`,
	} {
		t.Run(s, func(t *testing.T) { sameAsEncodingJSON(t, s) })
	}
}

func TestDecodeJSONDepth(t *testing.T) {
	deep := bytes.Repeat([]byte("["), maxDepth+1)
	if _, err := decodeJSON(string(deep)); err == nil || err.msg != "nesting too deep" {
		t.Errorf("err = %v", err)
	}
}
