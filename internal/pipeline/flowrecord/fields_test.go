package flowrecord

import (
	"slices"
	"testing"
)

func TestFieldTable(t *testing.T) {
	// Fields and the version that introduced them, from the AWS field
	// reference; transit gateway fields are all version 6.
	wantVPC := map[int][]string{
		2: {"version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "action", "log-status"},
		3: {"vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr"},
		4: {"region", "az-id", "sublocation-type", "sublocation-id"},
		5: {"pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path"},
		7: {"ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn", "ecs-container-instance-id", "ecs-container-id", "ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn", "ecs-task-id"},
		8: {"reject-reason"},
	}
	wantTGW := []string{"version", "resource-type", "account-id", "tgw-id", "tgw-attachment-id", "tgw-src-vpc-account-id", "tgw-dst-vpc-account-id",
		"tgw-src-vpc-id", "tgw-dst-vpc-id", "tgw-src-subnet-id", "tgw-dst-subnet-id", "tgw-src-eni", "tgw-dst-eni", "tgw-src-az-id", "tgw-dst-az-id",
		"tgw-pair-attachment-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "log-status", "type",
		"packets-lost-no-route", "packets-lost-blackhole", "packets-lost-mtu-exceeded", "packets-lost-ttl-expired", "tcp-flags", "region",
		"flow-direction", "pkt-src-aws-service", "pkt-dst-aws-service"}

	fields := Fields()
	if len(fields) != NumFields {
		t.Fatalf("Fields() has %d entries, want %d", len(fields), NumFields)
	}
	var gotVPC []string
	for v := 2; v <= 8; v++ {
		t.Run("vpc-v"+itoaTest(v), func(t *testing.T) {
			var got []string
			for _, f := range fields {
				if f.VPC() && f.Version == v {
					got = append(got, f.Name)
				}
			}
			gotVPC = append(gotVPC, got...)
			if !slices.Equal(got, wantVPC[v]) {
				t.Errorf("version %d fields = %v, want %v", v, got, wantVPC[v])
			}
		})
	}
	t.Run("vpc-total", func(t *testing.T) {
		if len(gotVPC) != 40 {
			t.Errorf("%d VPC fields, want 40", len(gotVPC))
		}
	})
	t.Run("tgw", func(t *testing.T) {
		var got []string
		for _, f := range fields {
			if f.TGW() {
				got = append(got, f.Name)
			}
		}
		if !slices.Equal(sorted(got), sorted(wantTGW)) {
			t.Errorf("TGW fields = %v, want %v", got, wantTGW)
		}
		if DefaultTGWFormat.Header() != joinSpace(wantTGW) {
			t.Errorf("DefaultTGWFormat = %q", DefaultTGWFormat.Header())
		}
		if DefaultTGWFormat.Version() != 6 || DefaultTGWFormat.Scope() != ScopeTGW {
			t.Errorf("DefaultTGWFormat version %d scope %v", DefaultTGWFormat.Version(), DefaultTGWFormat.Scope())
		}
	})
	for i, f := range fields {
		t.Run(f.Name, func(t *testing.T) {
			if f.ID != FieldID(i) {
				t.Errorf("ID = %d, want %d", f.ID, i)
			}
			if id, ok := Lookup(f.Name); !ok || id != f.ID {
				t.Errorf("Lookup(%q) = %v, %v", f.Name, id, ok)
			}
			if f.ID.String() != f.Name || f.ID.Info().Name != f.Name {
				t.Errorf("String/Info mismatch for %q", f.Name)
			}
			if f.Description == "" || f.Kind == 0 || f.Scope == 0 {
				t.Errorf("incomplete entry %+v", f)
			}
			if (f.Kind == KindUint || f.Kind == KindTime) != (f.Bits > 0) {
				t.Errorf("Bits = %d for kind %v", f.Bits, f.Kind)
			}
			if !f.VPC() && f.Version != TGWVersion {
				t.Errorf("transit gateway field with version %d", f.Version)
			}
		})
	}
}

func TestFieldKinds(t *testing.T) {
	tests := []struct {
		id   FieldID
		kind Kind
		bits int
	}{
		{FieldVersion, KindUint, 8},
		{FieldAccountID, KindString, 0}, // leading zeros matter
		{FieldSrcAddr, KindAddr, 0},
		{FieldDstAddr, KindAddr, 0},
		{FieldPktSrcAddr, KindAddr, 0},
		{FieldPktDstAddr, KindAddr, 0},
		{FieldSrcPort, KindUint, 16},
		{FieldDstPort, KindUint, 16},
		{FieldProtocol, KindUint, 8},
		{FieldPackets, KindUint, 63},
		{FieldBytes, KindUint, 63},
		{FieldStart, KindTime, 63},
		{FieldEnd, KindTime, 63},
		{FieldTCPFlags, KindUint, 8},
		{FieldTrafficPath, KindUint, 8},
		{FieldPacketsLostNoRoute, KindUint, 64},
		{FieldPacketsLostTTLExpired, KindUint, 64},
		{FieldTGWSrcVPCAccountID, KindString, 0},
		{FieldAction, KindString, 0},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			info := tt.id.Info()
			if info.Kind != tt.kind || info.Bits != tt.bits {
				t.Errorf("kind %v/%d, want %v/%d", info.Kind, info.Bits, tt.kind, tt.bits)
			}
		})
	}
	if got := FieldID(200).String(); got != "field(200)" {
		t.Errorf("unknown FieldID String = %q", got)
	}
	if FieldID(200).Info().Name != "" {
		t.Error("unknown FieldID has Info")
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"srcadr", "srcaddr"},
		{"scraddr", "srcaddr"},
		{"dst-addr", "dstaddr"},
		{"${srcadr}", "srcaddr"},
		{"account_id", "account-id"},
		{"ACCOUNT-ID", "account-id"},
		{"log_status", "log-status"},
		{"logstatus", "log-status"},
		{"interface", "interface-id"},
		{"tcp-flag", "tcp-flags"},
		{"pkt-src-addr", "pkt-srcaddr"},
		{"tgw-src-vpc-acount-id", "tgw-src-vpc-account-id"},
		{"packets-lost-no-routes", "packets-lost-no-route"},
		{"ecs-task-definition", "ecs-task-definition-arn"},
		{"rejectreason", "reject-reason"},
		{"flow-direcion", "flow-direction"},
		{"bytes", "bytes"},
		{"protokol", "protocol"},
		{"foo", ""},
		{"", ""},
		{"completely-unrelated-thing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Suggest(tt.in); got != tt.want {
				t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"abc", "acb", 1},
		{"abc", "ab", 1},
		{"abc", "xbc", 1},
		{"kitten", "sitting", 3},
		{"", "abcd", 4},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := editDistance(tt.a, tt.b, 10); got != tt.want {
				t.Errorf("editDistance = %d, want %d", got, tt.want)
			}
			if got := editDistance(tt.a, tt.b, 1); tt.want >= 1 && got != 1 {
				t.Errorf("limited editDistance = %d, want the limit", got)
			}
		})
	}
}

func itoaTest(v int) string { return string(rune('0' + v)) }

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func joinSpace(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
