package flowrecord

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // Header() of the result
		version int
		scope   Scope
	}{
		{"default braced", "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
			DefaultFormat.Header(), 2, ScopeVPC},
		{"default header line", DefaultFormat.Header(), DefaultFormat.Header(), 2, ScopeVPC},
		{"extra whitespace", "  ${srcaddr}\t${dstaddr}\n ${action}  ", "srcaddr dstaddr action", 2, ScopeVPC},
		{"shared fields only", "${srcaddr} ${dstaddr}", "srcaddr dstaddr", 2, ScopeVPC | ScopeTGW},
		{"v3", "${vpc-id} ${srcaddr}", "vpc-id srcaddr", 3, ScopeVPC},
		{"v4", "${region} ${az-id}", "region az-id", 4, ScopeVPC},
		{"v5", "${traffic-path} ${version}", "traffic-path version", 5, ScopeVPC},
		{"v7", "${ecs-task-id}", "ecs-task-id", 7, ScopeVPC},
		{"v8", "${reject-reason} ${srcaddr}", "reject-reason srcaddr", 8, ScopeVPC},
		{"tgw", "${tgw-id} ${srcaddr} ${packets-lost-no-route}", "tgw-id srcaddr packets-lost-no-route", 6, ScopeTGW},
		{"tgw default", DefaultTGWFormat.String(), DefaultTGWFormat.Header(), 6, ScopeTGW},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFormat(tt.in)
			if err != nil {
				t.Fatalf("ParseFormat: %v", err)
			}
			if f.Header() != tt.want {
				t.Errorf("Header() = %q, want %q", f.Header(), tt.want)
			}
			if f.Version() != tt.version {
				t.Errorf("Version() = %d, want %d", f.Version(), tt.version)
			}
			if f.Scope() != tt.scope {
				t.Errorf("Scope() = %v, want %v", f.Scope(), tt.scope)
			}
			g, err := ParseFormat(f.String())
			if err != nil || !g.Equal(f) {
				t.Errorf("String() %q does not parse back: %v", f.String(), err)
			}
		})
	}
}

func TestParseFormatErrors(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		position   int
		offset     int
		token      string
		suggestion string
		message    string
	}{
		{"empty", "", 0, 0, "", "", "log format: no fields"},
		{"blank", "  \t", 0, 0, "", "", "log format: no fields"},
		{"unknown braced", "${version} ${srcadr} ${dstaddr}", 2, 11, "${srcadr}", "srcaddr",
			`log format: field 2 "${srcadr}" at byte 11: unknown field "srcadr"; did you mean "srcaddr"?`},
		{"unknown bare", "version account_id", 2, 8, "account_id", "account-id",
			`log format: field 2 "account_id" at byte 8: unknown field "account_id"; did you mean "account-id"?`},
		{"unknown no suggestion", "${version} ${foo}", 2, 11, "${foo}", "", `log format: field 2 "${foo}" at byte 11: unknown field "foo"`},
		{"unclosed", "${version} ${srcaddr", 2, 11, "${srcaddr", "", "malformed field reference"},
		{"empty braces", "${}", 1, 0, "${}", "", "malformed field reference"},
		{"dollar in name", "${ver$ion}", 1, 0, "${ver$ion}", "", "malformed field reference"},
		{"no separator", "${version}${srcaddr}", 1, 0, "${version}${srcaddr}", "", "fields must be separated by spaces"},
		{"bare among braced", "${version} srcaddr", 2, 11, "srcaddr", "", "bare field name among ${...} references: write ${srcaddr}"},
		{"braced among bare", "version ${srcaddr}", 2, 8, "${srcaddr}", "", "${...} reference among bare field names"},
		{"duplicate", "${srcaddr} ${dstaddr} ${srcaddr}", 3, 22, "${srcaddr}", "", "duplicate field: srcaddr is already field 1"},
		{"tgw after vpc", "${interface-id} ${srcaddr} ${tgw-id}", 3, 27, "${tgw-id}", "",
			"transit gateway field tgw-id cannot be combined with VPC-only field interface-id (field 1)"},
		{"vpc after tgw", "${srcaddr} ${tgw-attachment-id} ${action}", 3, 32, "${action}", "",
			"VPC-only field action cannot be combined with transit gateway field tgw-attachment-id (field 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFormat(tt.in)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			if fe.Position != tt.position || fe.Offset != tt.offset || fe.Token != tt.token || fe.Suggestion != tt.suggestion {
				t.Errorf("got %+v", fe)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.message)
			}
		})
	}
}

func TestNewFormat(t *testing.T) {
	f, err := NewFormat(FieldSrcAddr, FieldDstAddr)
	if err != nil || f.Header() != "srcaddr dstaddr" {
		t.Fatalf("NewFormat = %q, %v", f.Header(), err)
	}
	if f.Len() != 2 || f.Field(1) != FieldDstAddr || f.Index(FieldDstAddr) != 1 || f.Index(FieldAction) != -1 || !f.Has(FieldSrcAddr) {
		t.Errorf("accessors disagree with %q", f.Header())
	}
	fields := f.Fields()
	fields[0] = FieldAction
	if f.Field(0) != FieldSrcAddr {
		t.Error("Fields() exposes the format's storage")
	}
	if _, err := NewFormat(FieldID(250)); err == nil {
		t.Error("NewFormat accepted an unknown field")
	}
	if _, err := NewFormat(FieldAction, FieldTGWID); err == nil {
		t.Error("NewFormat accepted a VPC and transit gateway mix")
	}
	if DefaultFormat.Equal(f) || !DefaultFormat.Equal(DefaultFormat) {
		t.Error("Equal is wrong")
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    string
		wantErr error
	}{
		{"default header", DefaultFormat.Header() + "\n", DefaultFormat.Header(), nil},
		{"crlf header", "srcaddr dstaddr\r\n", "srcaddr dstaddr", nil},
		{"custom header", "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id",
			"version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id", nil},
		{"tgw header", DefaultTGWFormat.Header(), DefaultTGWFormat.Header(), nil},
		{"record", "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK", "", ErrNoHeader},
		{"id record", "vpc-0abc subnet-0def", "", ErrNoHeader},
		{"empty", "", "", ErrNoHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := DetectFormat([]byte(tt.line))
			if err != tt.wantErr {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if f.Header() != tt.want {
				t.Errorf("format = %q, want %q", f.Header(), tt.want)
			}
		})
	}
	t.Run("header with unknown field", func(t *testing.T) {
		_, err := DetectFormat([]byte("version srcaddr future-field"))
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Position != 3 {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCheckScope(t *testing.T) {
	tests := []struct {
		name   string
		format string
		scope  Scope
		want   string
	}{
		{"vpc format for a vpc", "${version} ${interface-id} ${srcaddr}", ScopeVPC, ""},
		{"shared fields for a tgw", "${version} ${srcaddr} ${region}", ScopeTGW, ""},
		{"tgw field for a vpc", "${srcaddr} ${tgw-id}", ScopeVPC, `log format: field 2 "${tgw-id}" at byte 11: VPC flow logs do not have the field tgw-id`},
		{"vpc field for a tgw", "srcaddr  vpc-id", ScopeTGW, `log format: field 2 "vpc-id" at byte 9: transit gateway flow logs do not have the field vpc-id`},
		{"default format for a tgw", DefaultFormat.String(), ScopeTGW, `log format: field 3 "${interface-id}" at byte 25: transit gateway flow logs do not have the field interface-id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mustParseFormat(t, tt.format).CheckScope(tt.scope)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("CheckScope = %q, want %q", got, tt.want)
			}
		})
	}
}
