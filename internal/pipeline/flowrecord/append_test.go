package flowrecord

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestAppendJSON(t *testing.T) {
	tests := []struct {
		name   string
		format string
		line   string
		want   string
	}{
		{"default", "", "2 012345678901 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
			`{"version":2,"account-id":"012345678901","interface-id":"eni-1235b8ca123456789","srcaddr":"172.31.16.139","dstaddr":"172.31.16.21","srcport":20641,"dstport":22,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","log-status":"OK"}`},
		{"nodata", "", "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
			`{"version":2,"account-id":"123456789010","interface-id":"eni-1235b8ca123456789","srcaddr":null,"dstaddr":null,"srcport":null,"dstport":null,"protocol":null,"packets":null,"bytes":null,"start":1431280876,"end":1431280934,"action":null,"log-status":"NODATA"}`},
		{"ipv6 canonical", "${srcaddr} ${dstaddr}", "2001:DB8:0:0::1 ::FFFF:10.0.0.1", `{"srcaddr":"2001:db8::1","dstaddr":"::ffff:10.0.0.1"}`},
		{"escapes", "${vpc-id} ${subnet-id} ${region}", "a\"b\\c \x7f caf\xc3\xa9\xff", `{"vpc-id":"a\"b\\c","subnet-id":"` + "\x7f" + `","region":"café` + "\ufffd" + `"}`},
		{"big numbers", "${packets} ${bytes} ${packets-lost-no-route}", "9223372036854775807 0 18446744073709551615", `{"packets":9223372036854775807,"bytes":0,"packets-lost-no-route":18446744073709551615}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := DefaultFormat
			if tt.format != "" {
				f = mustParseFormat(t, tt.format)
			}
			var r Record
			if err := NewParser(f).Parse([]byte(tt.line), &r); err != nil {
				t.Fatal(err)
			}
			got := r.AppendJSON([]byte("prefix:"))
			if string(got) != "prefix:"+tt.want {
				t.Errorf("AppendJSON =\n%s\nwant\n%s", got[7:], tt.want)
			}
			var m map[string]any
			if err := json.Unmarshal(got[7:], &m); err != nil {
				t.Errorf("not valid JSON: %v", err)
			}
		})
	}
}

// TestAppendJSONMatchesFields checks, for a record of every field, that the
// JSON decodes to the same values the accessors return.
func TestAppendJSONMatchesFields(t *testing.T) {
	for _, f := range []Format{DefaultTGWFormat, func() Format {
		var ids []FieldID
		for _, info := range Fields() {
			if info.VPC() {
				ids = append(ids, info.ID)
			}
		}
		f, _ := NewFormat(ids...)
		return f
	}()} {
		t.Run(f.Header()[:40], func(t *testing.T) {
			line, w := lineFor(f, f.Version())
			var r Record
			if err := NewParser(f).Parse([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			d := json.NewDecoder(bytesReader(r.AppendJSON(nil)))
			d.UseNumber()
			var m map[string]any
			if err := d.Decode(&m); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for k, v := range m {
				switch v := v.(type) {
				case json.Number:
					got[k] = v.String()
				case string:
					got[k] = v
				default:
					t.Errorf("%s has JSON type %T", k, v)
				}
			}
			if !reflect.DeepEqual(got, map[string]string(w)) {
				t.Errorf("JSON values\n%v\nwant\n%v", got, w)
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{"q\"b\\", `"q\"b\\"`},
		{"\t\n\r\x00\x1f", `"\t\n\r\u0000\u001f"`},
		{"é\xffz", "\"é\ufffdz\""},
		{"\xe2\x82", "\"\ufffd\ufffd\""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := string(appendJSONString(nil, []byte(tt.in)))
			if got != tt.want {
				t.Errorf("appendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
			}
			var s string
			if err := json.Unmarshal([]byte(got), &s); err != nil {
				t.Errorf("invalid JSON: %v", err)
			}
		})
	}
}
