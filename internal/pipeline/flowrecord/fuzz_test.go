package flowrecord

import (
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse checks that no format or line makes the parser panic, that every
// rejection is a well-formed *ParseError, and that every accepted record
// survives a round trip through AppendText with the same field values.
func FuzzParse(f *testing.F) {
	f.Add("", []byte("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"))
	f.Add("", []byte("2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n"))
	f.Add("${srcaddr} ${dstaddr} ${tcp-flags}", []byte("2001:db8::1 ::ffff:1.2.3.4 19"))
	f.Add("", []byte("12345678 1234567 12"))
	f.Add("", []byte("2001:db8::1"))
	f.Add("", []byte("::"))
	f.Add("", []byte("1:2:3:4:5:6:7:8"))
	f.Add("", []byte("fe80::1:2:3:4:5:6"))
	f.Add("", []byte("00000000000000000001 1"))
	f.Add(DefaultTGWFormat.Header(), []byte("6 TransitGateway 123456789012 tgw-1 - - - - - - - - - - - - 10.0.0.1 10.0.0.2 1 2 6 1 2 3 4 OK IPv4 0 0 0 0 - us-east-1 egress - -"))
	// The limits: counters at and past 2^63-1, times at and past MaxTime
	// and in year 10000, end before start.
	f.Add("${packets} ${bytes} ${start} ${end}", []byte("9223372036854775807 9223372036854775807 9223372036 9223372036"))
	f.Add("${packets} ${bytes} ${start} ${end}", []byte("9223372036854775808 18446744073709551615 0 0"))
	f.Add("${packets} ${bytes} ${start} ${end}", []byte("1 1 9223372036 9223372037"))
	f.Add("${packets} ${bytes} ${start} ${end}", []byte("1 1 1418530070 1418530010"))
	f.Add("${end} ${start}", []byte("9223372036854775807 9223372036854775807"))
	f.Add("", []byte("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 253402300799 253402300800 ACCEPT OK"))
	f.Fuzz(func(t *testing.T, format string, line []byte) {
		fmt, err := ParseFormat(format)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Position < 0 || fe.Offset < 0 || fe.Offset > len(format) {
				t.Fatalf("ParseFormat(%q) error %#v", format, err)
			}
			_ = err.Error()
			fmt = DefaultFormat
		}
		_, _ = DetectFormat(line)
		_ = Suggest(string(line))

		// The address parsers must agree with netip.ParseAddr.
		if !strings.Contains(string(line), "%") {
			a, ok := parseAddr(line)
			b, err := netip.ParseAddr(string(line))
			if ok != (err == nil) || ok && a != b {
				t.Fatalf("parseAddr(%q) = %v, %v; netip says %v, %v", line, a, ok, b, err)
			}
			end := scanEnd(line, 0)
			a, e, ok := parseAddrAt(line, 0)
			b, err = netip.ParseAddr(string(line[:end]))
			if e != end || ok != (err == nil && end > 0) || ok && a != b {
				t.Fatalf("parseAddrAt(%q) = %v, %d, %v; netip says %v, %v for %d bytes", line, a, e, ok, b, err, end)
			}
		}

		if a, ok := parseIPv6Hex(line); ok {
			b, err := netip.ParseAddr(string(line))
			if err != nil || a != b {
				t.Fatalf("parseIPv6Hex(%q) = %v; netip says %v, %v", line, a, b, err)
			}
		}
		// digits16 must agree with strconv.
		if v, end, ok := digits16(line, 0); ok {
			want, err := strconv.ParseUint(string(line[:end]), 10, 64)
			if err != nil || v != want || end > 15 || line[end] != ' ' || line[0] == '+' {
				t.Fatalf("digits16(%q) = %d, %d; strconv says %d, %v", line, v, end, want, err)
			}
		} else if end := strings.IndexByte(string(line), ' '); end > 0 && end <= 7 && len(line) >= 8 {
			if _, err := strconv.ParseUint(string(line[:end]), 10, 64); err == nil && line[0] != '+' {
				t.Fatalf("digits16(%q) refused %q", line, line[:end])
			}
		}

		p := NewParser(fmt)
		var r Record
		// Leave a long record behind first: nothing of it may survive.
		prev, _ := lineFor(fmt, fmt.Version())
		_ = p.Parse([]byte(prev), &r)
		if err := p.Parse(line, &r); err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Column < 0 || pe.Column > fmt.Len() || pe.Offset < 0 || pe.Offset > len(line) || pe.Err == nil {
				t.Fatalf("Parse(%q) error %#v", line, err)
			}
			_ = err.Error()
			for _, id := range fmt.fields {
				if r.Has(id) {
					t.Fatalf("%s survived a failed Parse", id)
				}
			}
			return
		}
		// Accepted values are within the limits rows can carry.
		if v, ok := r.Uint(FieldBytes); ok && v > 1<<63-1 {
			t.Fatalf("bytes %d accepted", v)
		}
		if v, ok := r.Uint(FieldPackets); ok && v > 1<<63-1 {
			t.Fatalf("packets %d accepted", v)
		}
		start, hasStart := r.Uint(FieldStart)
		end, hasEnd := r.Uint(FieldEnd)
		if hasStart && start > MaxTime || hasEnd && end > MaxTime {
			t.Fatalf("start %d, end %d accepted", start, end)
		}
		if hasStart && hasEnd && start > end {
			t.Fatalf("start %d after end %d accepted", start, end)
		}
		text := r.AppendText(nil)
		var r2 Record
		if err := p.Parse(text, &r2); err != nil {
			t.Fatalf("Parse(%q) accepted, but its text %q is rejected: %v", line, text, err)
		}
		for _, id := range fmt.fields {
			if a, b := fieldText(&r, id), fieldText(&r2, id); a != b {
				t.Fatalf("%s: %q after a round trip, was %q (line %q)", id, b, a, line)
			}
			if r.Has(id) && table[id].Kind == KindString && string(r.Raw(id)) != string(r2.Raw(id)) {
				t.Fatalf("%s: raw text changed", id)
			}
		}
		if again := r2.AppendText(nil); string(again) != string(text) {
			t.Fatalf("AppendText not stable: %q then %q", text, again)
		}
		if js := r.AppendJSON(nil); !json.Valid(js) {
			t.Fatalf("AppendJSON(%q) = %s is not valid JSON", line, js)
		}
	})
}
