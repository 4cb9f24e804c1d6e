package flowrecord

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

// want lists expected values by field name: "-" for absent, otherwise the
// canonical text of the value.
type want map[string]string

func mustParseFormat(t testing.TB, s string) Format {
	t.Helper()
	f, err := ParseFormat(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// checkRecord compares every field of the format with w (missing entries
// must be absent).
func checkRecord(t *testing.T, r *Record, f Format, w want) {
	t.Helper()
	for _, id := range f.fields {
		exp, ok := w[id.String()]
		if !ok {
			exp = "-"
		}
		if got := fieldText(r, id); got != exp {
			t.Errorf("%s = %q, want %q", id, got, exp)
		}
	}
}

// fieldText renders one field from its typed value.
func fieldText(r *Record, id FieldID) string {
	if !r.Has(id) {
		if r.Raw(id) != nil {
			return "<absent with raw text>"
		}
		return "-"
	}
	switch id {
	case FieldAction:
		return r.Action().String()
	case FieldLogStatus:
		return r.LogStatus().String()
	}
	switch table[id].Kind {
	case KindUint, KindTime:
		v, _ := r.Uint(id)
		return uitoa(v)
	case KindAddr:
		a, _ := r.Addr(id)
		return a.String()
	}
	return string(r.Raw(id))
}

func uitoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}

func TestParseAWSExamples(t *testing.T) {
	const v5Header = "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status"
	tests := []struct {
		name   string
		format string
		line   string
		want   want
	}{
		{"accepted", "", "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
			want{"version": "2", "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789", "srcaddr": "172.31.16.139", "dstaddr": "172.31.16.21",
				"srcport": "20641", "dstport": "22", "protocol": "6", "packets": "20", "bytes": "4249", "start": "1418530010", "end": "1418530070", "action": "ACCEPT", "log-status": "OK"}},
		{"rejected", "", "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
			want{"version": "2", "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789", "srcaddr": "172.31.9.69", "dstaddr": "172.31.9.12",
				"srcport": "49761", "dstport": "3389", "protocol": "6", "packets": "20", "bytes": "4249", "start": "1418530010", "end": "1418530070", "action": "REJECT", "log-status": "OK"}},
		{"nodata", "", "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
			want{"version": "2", "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789", "start": "1431280876", "end": "1431280934", "log-status": "NODATA"}},
		{"skipdata", "", "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
			want{"version": "2", "account-id": "123456789010", "interface-id": "eni-11111111aaaaaaaaa", "start": "1431280876", "end": "1431280934", "log-status": "SKIPDATA"}},
		{"ipv6", "", "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
			want{"version": "2", "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789", "srcaddr": "2001:db8:1234:a100:8d6e:3477:df66:f105",
				"dstaddr": "2001:db8:1234:a102:3304:8879:34cf:4071", "srcport": "34892", "dstport": "22", "protocol": "6", "packets": "54", "bytes": "8855",
				"start": "1477913708", "end": "1477913820", "action": "ACCEPT", "log-status": "OK"}},
		{"icmp ping", "", "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
			want{"version": "2", "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789", "srcaddr": "203.0.113.12", "dstaddr": "172.31.16.139",
				"srcport": "0", "dstport": "0", "protocol": "1", "packets": "4", "bytes": "336", "start": "1432917027", "end": "1432917142", "action": "ACCEPT", "log-status": "OK"}},
		{"account id with leading zeros", "", "2 012345678901 eni-1235b8ca123456789 10.0.0.1 10.0.0.2 1 2 17 1 76 1418530010 1418530070 ACCEPT OK",
			want{"version": "2", "account-id": "012345678901", "interface-id": "eni-1235b8ca123456789", "srcaddr": "10.0.0.1", "dstaddr": "10.0.0.2",
				"srcport": "1", "dstport": "2", "protocol": "17", "packets": "1", "bytes": "76", "start": "1418530010", "end": "1418530070", "action": "ACCEPT", "log-status": "OK"}},
		{"unknown account", "", "2 unknown eni-1235b8ca123456789 10.0.0.1 10.0.0.2 1 2 17 1 76 1418530010 1418530070 ACCEPT OK",
			want{"version": "2", "account-id": "unknown", "interface-id": "eni-1235b8ca123456789", "srcaddr": "10.0.0.1", "dstaddr": "10.0.0.2",
				"srcport": "1", "dstport": "2", "protocol": "17", "packets": "1", "bytes": "76", "start": "1418530010", "end": "1418530070", "action": "ACCEPT", "log-status": "OK"}},
		{"tcp flags through transit gateway", "${version} ${interface-id} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${action} ${log-status}",
			"3 eni-33333333333333333 123456789010 vpc-abcdefab012345678 subnet-22222222bbbbbbbbb i-01234567890123456 10.20.33.164 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK",
			want{"version": "3", "interface-id": "eni-33333333333333333", "account-id": "123456789010", "vpc-id": "vpc-abcdefab012345678", "subnet-id": "subnet-22222222bbbbbbbbb",
				"instance-id": "i-01234567890123456", "srcaddr": "10.20.33.164", "dstaddr": "10.40.2.236", "srcport": "39812", "dstport": "80", "protocol": "6",
				"tcp-flags": "3", "type": "IPv4", "pkt-srcaddr": "10.20.33.164", "pkt-dstaddr": "10.40.2.236", "action": "ACCEPT", "log-status": "OK"}},
		{"nat gateway", "${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}",
			"- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5",
			want{"interface-id": "eni-1235b8ca123456789", "srcaddr": "10.0.1.5", "dstaddr": "10.0.0.220", "pkt-srcaddr": "10.0.1.5", "pkt-dstaddr": "203.0.113.5"}},
		{"v5 ingress from S3", v5Header,
			"5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK",
			want{"version": "5", "srcaddr": "52.95.128.179", "dstaddr": "10.0.0.71", "srcport": "80", "dstport": "34210", "protocol": "6", "start": "1616729292", "end": "1616729349",
				"type": "IPv4", "packets": "14", "bytes": "15044", "account-id": "123456789012", "vpc-id": "vpc-abcdefab012345678", "subnet-id": "subnet-aaaaaaaa012345678",
				"instance-id": "i-0c50d5961bcb2d47b", "interface-id": "eni-1235b8ca123456789", "region": "ap-southeast-2", "az-id": "apse2-az3", "action": "ACCEPT",
				"tcp-flags": "19", "pkt-srcaddr": "52.95.128.179", "pkt-dstaddr": "10.0.0.71", "pkt-src-aws-service": "S3", "flow-direction": "ingress", "log-status": "OK"}},
		{"v5 egress to S3 through gateway endpoint", v5Header,
			"5 10.0.0.71 52.95.128.179 34210 443 6 1616729292 1616729349 IPv4 7 2360 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 2 egress OK",
			want{"version": "5", "srcaddr": "10.0.0.71", "dstaddr": "52.95.128.179", "srcport": "34210", "dstport": "443", "protocol": "6", "start": "1616729292", "end": "1616729349",
				"type": "IPv4", "packets": "7", "bytes": "2360", "account-id": "123456789012", "vpc-id": "vpc-abcdefab012345678", "subnet-id": "subnet-aaaaaaaa012345678",
				"instance-id": "i-0c50d5961bcb2d47b", "interface-id": "eni-1235b8ca123456789", "region": "ap-southeast-2", "az-id": "apse2-az3", "action": "ACCEPT",
				"tcp-flags": "3", "pkt-srcaddr": "10.0.0.71", "pkt-dstaddr": "52.95.128.179", "pkt-dst-aws-service": "S3", "traffic-path": "2", "flow-direction": "egress", "log-status": "OK"}},
		{"v8 blocked by BPA", "${version} ${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${protocol} ${action} ${reject-reason}",
			"8 eni-1235b8ca123456789 198.51.100.7 10.0.0.71 22 6 REJECT BPA",
			want{"version": "8", "interface-id": "eni-1235b8ca123456789", "srcaddr": "198.51.100.7", "dstaddr": "10.0.0.71", "dstport": "22", "protocol": "6", "action": "REJECT", "reject-reason": "BPA"}},
		{"v7 fargate task", "${version} ${ecs-cluster-name} ${ecs-service-name} ${ecs-task-id} ${ecs-container-instance-id} ${srcaddr}",
			"7 prod web 0123456789abcdef0123456789abcdef - 10.0.3.4",
			want{"version": "7", "ecs-cluster-name": "prod", "ecs-service-name": "web", "ecs-task-id": "0123456789abcdef0123456789abcdef", "srcaddr": "10.0.3.4"}},
		{"transit gateway", DefaultTGWFormat.Header(),
			"6 TransitGatewayAttachment 123456789012 tgw-0a1b2c3d4e5f60718 tgw-attach-0a1b2c3d4e5f60718 123456789012 210987654321 vpc-0a1b2c3d4e5f60718 vpc-0f1e2d3c4b5a69788 subnet-0a1b2c3d4e5f60718 subnet-0f1e2d3c4b5a69788 eni-0a1b2c3d4e5f60718 eni-0f1e2d3c4b5a69788 use1-az1 use1-az2 tgw-attach-0f1e2d3c4b5a69788 10.1.0.10 10.2.0.20 52000 443 6 12 3400 1616729292 1616729349 OK IPv4 0 0 0 0 3 us-east-1 ingress - -",
			want{"version": "6", "resource-type": "TransitGatewayAttachment", "account-id": "123456789012", "tgw-id": "tgw-0a1b2c3d4e5f60718", "tgw-attachment-id": "tgw-attach-0a1b2c3d4e5f60718",
				"tgw-src-vpc-account-id": "123456789012", "tgw-dst-vpc-account-id": "210987654321", "tgw-src-vpc-id": "vpc-0a1b2c3d4e5f60718", "tgw-dst-vpc-id": "vpc-0f1e2d3c4b5a69788",
				"tgw-src-subnet-id": "subnet-0a1b2c3d4e5f60718", "tgw-dst-subnet-id": "subnet-0f1e2d3c4b5a69788", "tgw-src-eni": "eni-0a1b2c3d4e5f60718", "tgw-dst-eni": "eni-0f1e2d3c4b5a69788",
				"tgw-src-az-id": "use1-az1", "tgw-dst-az-id": "use1-az2", "tgw-pair-attachment-id": "tgw-attach-0f1e2d3c4b5a69788", "srcaddr": "10.1.0.10", "dstaddr": "10.2.0.20",
				"srcport": "52000", "dstport": "443", "protocol": "6", "packets": "12", "bytes": "3400", "start": "1616729292", "end": "1616729349", "log-status": "OK", "type": "IPv4",
				"packets-lost-no-route": "0", "packets-lost-blackhole": "0", "packets-lost-mtu-exceeded": "0", "packets-lost-ttl-expired": "0", "tcp-flags": "3", "region": "us-east-1", "flow-direction": "ingress"}},
		{"transit gateway blackhole drops", "${version} ${tgw-id} ${srcaddr} ${dstaddr} ${packets-lost-blackhole} ${packets-lost-no-route} ${packets-lost-mtu-exceeded} ${packets-lost-ttl-expired} ${log-status}",
			"6 tgw-0a1b2c3d4e5f60718 10.1.0.10 192.0.2.1 42 7 18446744073709551615 1 OK",
			want{"version": "6", "tgw-id": "tgw-0a1b2c3d4e5f60718", "srcaddr": "10.1.0.10", "dstaddr": "192.0.2.1", "packets-lost-blackhole": "42", "packets-lost-no-route": "7",
				"packets-lost-mtu-exceeded": "18446744073709551615", "packets-lost-ttl-expired": "1", "log-status": "OK"}},
		{"crlf", "${srcaddr} ${dstaddr}", "10.0.0.1 ::1\r\n", want{"srcaddr": "10.0.0.1", "dstaddr": "::1"}},
		{"ipv4-mapped ipv6", "${srcaddr} ${dstaddr}", "::ffff:10.0.0.1 0.0.0.0\n", want{"srcaddr": "::ffff:10.0.0.1", "dstaddr": "0.0.0.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := DefaultFormat
			if tt.format != "" {
				f = mustParseFormat(t, tt.format)
			}
			var r Record
			if err := NewParser(f).Parse([]byte(tt.line), &r); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkRecord(t, &r, f, tt.want)
			if got, want := string(r.AppendText(nil)), strings.TrimRight(tt.line, "\r\n"); got != want {
				t.Errorf("AppendText = %q, want %q", got, want)
			}
		})
	}
}

func TestTypedAccessors(t *testing.T) {
	f := mustParseFormat(t, "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${traffic-path}")
	line := "5 000123456789 eni-0a 10.0.0.1 2001:db8::2 65535 0 255 9223372036854775807 7 1418530010 1418530070 REJECT SKIPDATA 18 192.0.2.1 192.0.2.2 8"
	var r Record
	if err := NewParser(f).Parse([]byte(line), &r); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Version", r.Version(), uint8(5)},
		{"AccountID", string(r.AccountID()), "000123456789"},
		{"InterfaceID", string(r.InterfaceID()), "eni-0a"},
		{"SrcAddr", r.SrcAddr(), netip.MustParseAddr("10.0.0.1")},
		{"DstAddr", r.DstAddr(), netip.MustParseAddr("2001:db8::2")},
		{"PktSrcAddr", r.PktSrcAddr(), netip.MustParseAddr("192.0.2.1")},
		{"PktDstAddr", r.PktDstAddr(), netip.MustParseAddr("192.0.2.2")},
		{"SrcPort", r.SrcPort(), uint16(65535)},
		{"DstPort", r.DstPort(), uint16(0)},
		{"Protocol", r.Protocol(), uint8(255)},
		{"Packets", r.Packets(), uint64(9223372036854775807)},
		{"Bytes", r.Bytes(), uint64(7)},
		{"Start", r.Start(), int64(1418530010)},
		{"End", r.End(), int64(1418530070)},
		{"Action", r.Action(), ActionReject},
		{"LogStatus", r.LogStatus(), LogStatusSkipData},
		{"TCPFlags", r.TCPFlags(), uint8(18)},
		{"TrafficPath", r.TrafficPath(), uint8(8)},
		{"Line", string(r.Line()), line},
		{"Fields", len(r.Fields()), f.Len()},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
	t.Run("absent and mismatched kinds", func(t *testing.T) {
		if _, ok := r.Uint(FieldSrcAddr); ok {
			t.Error("Uint of an address field")
		}
		if _, ok := r.Addr(FieldSrcPort); ok {
			t.Error("Addr of a port field")
		}
		if _, ok := r.Uint(FieldVPCID); ok || r.Raw(FieldVPCID) != nil || r.Has(FieldVPCID) || r.Has(FieldID(99)) {
			t.Error("a field outside the format is present")
		}
		if ActionNone.String() != "-" || LogStatusNone.String() != "-" {
			t.Error("absent enums should print as -")
		}
	})
}

// sampleValues returns a valid value, its canonical text and invalid values
// for a field.
func sampleValues(id FieldID) (valid, canonical string, invalid []string) {
	info := table[id]
	switch id {
	case FieldAction:
		return "ACCEPT", "ACCEPT", []string{"accept", "ALLOW", "ACCEPTED"}
	case FieldLogStatus:
		return "NODATA", "NODATA", []string{"ok", "NO", "FAILED"}
	}
	switch info.Kind {
	case KindAddr:
		return "2001:DB8:0:0:0:0:0:1", "2001:db8::1", []string{"1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "fe80::1%eth0", "host", "1.2.3.4:80"}
	case KindUint, KindTime:
		maxv := info.Max()
		over := "18446744073709551616"
		if maxv < 1<<64-1 {
			over = uitoa(maxv + 1)
		}
		return "00" + uitoa(maxv), uitoa(maxv), []string{"x", "1x", "-1", "+1", "1.5", over}
	}
	return "value-of-" + info.Name, "value-of-" + info.Name, nil
}

func TestParseEveryField(t *testing.T) {
	for _, info := range Fields() {
		valid, canonical, invalid := sampleValues(info.ID)
		t.Run(info.Name, func(t *testing.T) {
			formats := []string{"${" + info.Name + "}"}
			if info.ID != FieldVersion {
				formats = append(formats, "${version} ${"+info.Name+"}", "${"+info.Name+"} ${version}")
			}
			for _, fs := range formats {
				f := mustParseFormat(t, fs)
				p := NewParser(f)
				line := func(v string) string {
					if f.Len() == 1 {
						return v
					}
					if f.Field(0) == FieldVersion {
						return "4 " + v
					}
					return v + " 4"
				}
				var r Record
				if err := p.Parse([]byte(line(valid)), &r); err != nil {
					t.Fatalf("%s: Parse(%q): %v", fs, line(valid), err)
				}
				if got := fieldText(&r, info.ID); got != canonical {
					t.Errorf("%s: value %q, want %q", fs, got, canonical)
				}
				if err := p.Parse([]byte(line("-")), &r); err != nil || r.Has(info.ID) {
					t.Errorf("%s: \"-\" should parse as absent: %v", fs, err)
				}
				for _, bad := range invalid {
					err := p.Parse([]byte(line(bad)), &r)
					var pe *ParseError
					if !errors.As(err, &pe) {
						t.Errorf("%s: Parse(%q) = %v, want a *ParseError", fs, bad, err)
						continue
					}
					if pe.Field != info.ID || pe.Column != f.Index(info.ID)+1 || pe.Value != bad {
						t.Errorf("%s: Parse(%q) error %+v", fs, bad, pe)
					}
				}
			}
		})
	}
}

// lineFor builds a line with a sample value for every field of f.
func lineFor(f Format, version int) (string, want) {
	var parts []string
	w := want{}
	for _, id := range f.fields {
		valid, canonical, _ := sampleValues(id)
		if id == FieldVersion {
			valid, canonical = uitoa(uint64(version)), uitoa(uint64(version))
		}
		parts = append(parts, valid)
		w[id.String()] = canonical
	}
	return strings.Join(parts, " "), w
}

func TestParseEveryVersion(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v := range []int{2, 3, 4, 5, 7, 8} {
		var ids []FieldID
		for _, info := range Fields() {
			if info.VPC() && info.Version <= v {
				ids = append(ids, info.ID)
			}
		}
		orders := map[string][]FieldID{"documented order": ids}
		rev := make([]FieldID, len(ids))
		for i, id := range ids {
			rev[len(ids)-1-i] = id
		}
		orders["reversed"] = rev
		shuffled := append([]FieldID(nil), ids...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		orders["shuffled"] = shuffled
		for name, order := range orders {
			t.Run("v"+uitoa(uint64(v))+" "+name, func(t *testing.T) {
				f, err := NewFormat(order...)
				if err != nil {
					t.Fatal(err)
				}
				if f.Version() != v {
					t.Errorf("Version() = %d, want %d", f.Version(), v)
				}
				line, w := lineFor(f, v)
				var r Record
				if err := NewParser(f).Parse([]byte(line), &r); err != nil {
					t.Fatalf("Parse(%q): %v", line, err)
				}
				checkRecord(t, &r, f, w)
				// The same fields all absent, as in a NODATA record.
				dashes := strings.TrimSpace(strings.Repeat("- ", f.Len()))
				if err := NewParser(f).Parse([]byte(dashes), &r); err != nil {
					t.Fatalf("Parse(dashes): %v", err)
				}
				checkRecord(t, &r, f, want{})
			})
		}
	}
	t.Run("tgw", func(t *testing.T) {
		line, w := lineFor(DefaultTGWFormat, 6)
		var r Record
		if err := NewParser(DefaultTGWFormat).Parse([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		checkRecord(t, &r, DefaultTGWFormat, w)
	})
}

func TestParseErrors(t *testing.T) {
	const ok = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
	tests := []struct {
		name    string
		line    string
		field   FieldID
		column  int
		offset  int
		err     error
		message string
	}{
		{"empty line", "", FieldVersion, 1, 0, ErrTooFewFields, "field 1 (version) at byte 0: too few fields: the line ends before this field"},
		{"too few", strings.TrimSuffix(ok, " OK"), FieldLogStatus, 14, 111, ErrTooFewFields, "field 14 (log-status) at byte 111: too few fields"},
		{"trailing space", ok + " ", FieldLogStatus, 14, 115, ErrTooManyFields, "too many fields"},
		{"too many", ok + " extra", FieldLogStatus, 14, 115, ErrTooManyFields, `field 14 (log-status) at byte 115: too many fields: text follows the last field: "extra"`},
		{"double space", strings.Replace(ok, " eni", "  eni", 1), FieldInterfaceID, 3, 15, ErrEmptyValue, "field 3 (interface-id) at byte 15: empty value"},
		{"empty port", strings.Replace(ok, " 20641", "  20641", 1), FieldSrcPort, 6, 64, ErrEmptyValue, "empty value"},
		{"empty address", strings.Replace(ok, " 172.31.16.139", "  172.31.16.139", 1), FieldSrcAddr, 4, 37, ErrEmptyValue, "empty value"},
		{"leading space", " " + ok, FieldVersion, 1, 0, ErrEmptyValue, "empty value"},
		{"port overflow", strings.Replace(ok, "20641", "65536", 1), FieldSrcPort, 6, 64, ErrOutOfRange, `field 6 (srcport) at byte 64: number out of range: "65536" is above 65535`},
		{"bytes overflow", strings.Replace(ok, " 4249 ", " 99999999999999999999 ", 1), FieldBytes, 10, 78, ErrOutOfRange, "out of range"},
		{"protocol word", strings.Replace(ok, " 6 ", " tcp ", 1), FieldProtocol, 8, 73, ErrNotNumber, `field 8 (protocol) at byte 73: not a decimal number: "tcp"`},
		{"negative start", strings.Replace(ok, "1418530010", "-1418530010", 1), FieldStart, 11, 83, ErrNotNumber, "not a decimal number"},
		{"bad address", strings.Replace(ok, "172.31.16.139", "172.31.16", 1), FieldSrcAddr, 4, 37, ErrBadAddr, `field 4 (srcaddr) at byte 37: not an IP address: "172.31.16"`},
		{"bad action", strings.Replace(ok, "ACCEPT", "ALLOW", 1), FieldAction, 13, 105, ErrBadValue, `field 13 (action) at byte 105: not a documented value: "ALLOW" is not one of ACCEPT, REJECT`},
		{"bad status", strings.Replace(ok, " OK", " FINE", 1), FieldLogStatus, 14, 112, ErrBadValue, "not one of OK, NODATA, SKIPDATA"},
		{"swapped columns", "2 eni-1235b8ca123456789 123456789010 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK", FieldInterfaceID, 3, 24, nil, ""},
	}
	p := NewParser(DefaultFormat)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Record
			err := p.Parse([]byte(tt.line), &r)
			if tt.err == nil {
				// Strings cannot be checked, so a swapped pair of string
				// columns parses; the test documents that.
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, want a *ParseError", err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error %v is not %v", err, tt.err)
			}
			if pe.Field != tt.field || pe.Column != tt.column || pe.Offset != tt.offset {
				t.Errorf("got field %v column %d offset %d, want %v %d %d", pe.Field, pe.Column, pe.Offset, tt.field, tt.column, tt.offset)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.message)
			}
		})
	}
	t.Run("long value is shortened", func(t *testing.T) {
		var r Record
		err := NewParser(mustParseFormat(t, "${srcport}")).Parse([]byte(strings.Repeat("9", 200)), &r)
		var pe *ParseError
		if !errors.As(err, &pe) || len(pe.Value) != 64 || !strings.HasSuffix(pe.Value, "...") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestParseAllocs(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		line   string
	}{
		{"default", DefaultFormat, "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"},
		{"ipv6", DefaultFormat, "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK"},
		{"nodata", DefaultFormat, "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"},
		{"tgw", DefaultTGWFormat, func() string { l, _ := lineFor(DefaultTGWFormat, 6); return l }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParser(tt.format)
			line := []byte(tt.line)
			var r Record
			var buf []byte
			allocs := testing.AllocsPerRun(200, func() {
				if err := p.Parse(line, &r); err != nil {
					t.Fatal(err)
				}
				buf = r.AppendJSON(buf[:0])
				buf = r.AppendText(buf[:0])
			})
			if allocs != 0 {
				t.Errorf("%v allocations per Parse+AppendJSON+AppendText, want 0", allocs)
			}
		})
	}
}

// TestParseErrorClearsRecord checks that a failed Parse leaves no stale
// fields that would point past the end of the new line.
func TestParseErrorClearsRecord(t *testing.T) {
	p := NewParser(DefaultFormat)
	var r Record
	long := "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
	for _, bad := range []string{"2 1", "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 ACCEPT OK extra", "\tx"} {
		t.Run(bad, func(t *testing.T) {
			if err := p.Parse([]byte(long), &r); err != nil {
				t.Fatal(err)
			}
			if err := p.Parse([]byte(bad), &r); err == nil {
				t.Fatal("Parse accepted a bad line")
			}
			for _, id := range DefaultFormat.Fields() {
				if r.Has(id) || r.Raw(id) != nil {
					t.Errorf("%s survived a failed Parse", id)
				}
			}
		})
	}
}

func TestDigits16(t *testing.T) {
	tests := []struct {
		in   string
		v    uint64
		end  int
		fast bool
	}{
		{"0 xxxxxxxxxxxxxxx", 0, 1, true},
		{"7 xxxxxxxxxxxxxxx", 7, 1, true},
		{"443 xxxxxxxxxxxxx", 443, 3, true},
		{"0443 xxxxxxxxxxxx", 443, 4, true},
		{"1234567 xxxxxxxxx", 1234567, 7, true},
		{"12345678 xxxxxxxx", 12345678, 8, true},
		{"123456789 xxxxxxx", 123456789, 9, true},
		{"1700000000 xxxxxx", 1700000000, 10, true},
		{"999999999999999 x", 999999999999999, 15, true},
		{"0000000000000001 ", 0, 0, false}, // 16 digits: the slow path
		{"12345678", 0, 0, false},          // too short to load
		{"123456789 xxxxx", 0, 0, false},   // too short for the second load
		{"- xxxxxxxxxxxxxxx", 0, 0, false},
		{" 1 xxxxxxxxxxxxxx", 0, 0, false},
		{"12a xxxxxxxxxxxxx", 0, 0, false},
		{"12/ xxxxxxxxxxxxx", 0, 0, false},
		{"12: xxxxxxxxxxxxx", 0, 0, false},
		{"12\txxxxxxxxxxxxxx", 0, 0, false},
		{"12\xb0 xxxxxxxxxxxx", 0, 0, false},
		{"123456789\x00xxxxxxx", 0, 0, false},
	}
	for _, tt := range tests {
		v, end, ok := digits16([]byte(tt.in), 0)
		if ok != tt.fast || ok && (v != tt.v || end != tt.end) {
			t.Errorf("digits16(%q) = %d, %d, %v; want %d, %d, %v", tt.in, v, end, ok, tt.v, tt.end, tt.fast)
		}
	}
}

// TestParseIPv6Hex checks the hexadecimal IPv6 parser against
// netip.ParseAddr: what it reads, it reads alike, and it reads the usual
// spellings itself.
func TestParseIPv6Hex(t *testing.T) {
	tests := []struct {
		in   string
		fast bool // read without netip.ParseAddr
	}{
		{"::", true}, {"::1", true}, {"1::", true}, {"2001:db8::1", true},
		{"2001:DB8:0:0:8:800:200C:417A", true}, {"fe80::1:2:3:4:5:6", true},
		{"1:2:3:4:5:6:7:8", true}, {"2606:4700:ab:cd::12:3456:789a", true},
		{"0:0:0:0:0:0:0:0", true}, {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"::ffff:1.2.3.4", false}, {"1:2:3:4:5:6:1.2.3.4", false},
		{"1:2:3:4:5:6:7:8:9", false}, {"1:2:3:4:5:6:7", false}, {"1::2::3", false},
		{"12345::", false}, {":1::", false}, {"1:", false}, {"1::2:3:4:5:6:7:8", false},
		{"1:2:3:4:5:6:7:8::", false}, {"g::", false}, {"::1%eth0", false}, {"", false}, {":", false},
		{"1.2.3.4", false}, {"1.2::", false}, {"::00001", false}, {"0001::", true},
	}
	for _, tt := range tests {
		a, ok := parseIPv6Hex([]byte(tt.in))
		want, err := netip.ParseAddr(tt.in)
		if ok != tt.fast || ok && (err != nil || a != want) {
			t.Errorf("parseIPv6Hex(%q) = %v, %v; want fast %v, netip says %v, %v", tt.in, a, ok, tt.fast, want, err)
		}
	}
}
