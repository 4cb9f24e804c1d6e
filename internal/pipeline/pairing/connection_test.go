package pairing

import (
	"net/netip"
	"strconv"
	"testing"
)

var (
	addrA = netip.MustParseAddr("10.0.1.10")
	addrB = netip.MustParseAddr("10.0.2.20")
)

func TestDecide(t *testing.T) {
	tests := []struct {
		name       string
		flow       Flow
		wantClient bool // whether the source is the client
		wantRule   Rule
	}{
		{
			name:       "SYN from the source",
			flow:       Flow{Protocol: ProtoTCP, TCPFlags: FlagSYN, HasTCPFlags: true, Src: End{Port: 22}, Dst: End{Port: 50000}},
			wantClient: true, wantRule: RuleTCPFlags,
		},
		{
			name:       "SYN and FIN in one interval",
			flow:       Flow{Protocol: ProtoTCP, TCPFlags: FlagSYN | FlagFIN, HasTCPFlags: true, Src: End{Port: 50000}, Dst: End{Port: 443}},
			wantClient: true, wantRule: RuleTCPFlags,
		},
		{
			name:       "SYN-ACK from the source",
			flow:       Flow{Protocol: ProtoTCP, TCPFlags: FlagSYN | FlagACK, HasTCPFlags: true, Src: End{Port: 50000}, Dst: End{Port: 22}},
			wantClient: false, wantRule: RuleTCPFlags,
		},
		{
			name:       "SYN-ACK and FIN",
			flow:       Flow{Protocol: ProtoTCP, TCPFlags: 19, HasTCPFlags: true, Src: End{Port: 443}, Dst: End{Port: 50000}},
			wantClient: false, wantRule: RuleTCPFlags,
		},
		{
			name:       "flags say nothing after the handshake",
			flow:       Flow{Protocol: ProtoTCP, TCPFlags: 0, HasTCPFlags: true, Src: End{Port: 443}, Dst: End{Port: 50000}},
			wantClient: false, wantRule: RulePort,
		},
		{
			name:       "FIN only",
			flow:       Flow{Protocol: ProtoTCP, TCPFlags: FlagFIN, HasTCPFlags: true, Src: End{Port: 50000}, Dst: End{Port: 443}},
			wantClient: true, wantRule: RulePort,
		},
		{
			name:       "flags ignored for UDP",
			flow:       Flow{Protocol: ProtoUDP, TCPFlags: FlagSYN, HasTCPFlags: true, Src: End{Port: 53}, Dst: End{Port: 40000}},
			wantClient: false, wantRule: RulePort,
		},
		{
			name:       "well-known against ephemeral",
			flow:       Flow{Protocol: ProtoTCP, Src: End{Port: 20641}, Dst: End{Port: 22}},
			wantClient: true, wantRule: RulePort,
		},
		{
			name:       "registered service port against ephemeral",
			flow:       Flow{Protocol: ProtoTCP, Src: End{Port: 5432}, Dst: End{Port: 41000}},
			wantClient: false, wantRule: RulePort,
		},
		{
			name:       "registered service port against unclassified",
			flow:       Flow{Protocol: ProtoTCP, Src: End{Port: 12345}, Dst: End{Port: 6379}},
			wantClient: true, wantRule: RulePort,
		},
		{
			name:       "unclassified against ephemeral",
			flow:       Flow{Protocol: ProtoUDP, Src: End{Port: 49152}, Dst: End{Port: 4789}},
			wantClient: true, wantRule: RulePort,
		},
		{
			name:       "two service ports: the lower is the server",
			flow:       Flow{Protocol: ProtoUDP, Src: End{Port: 68}, Dst: End{Port: 67}},
			wantClient: true, wantRule: RulePort,
		},
		{
			name:       "two service ports, server as source",
			flow:       Flow{Protocol: ProtoTCP, Src: End{Port: 443}, Dst: End{Port: 8443}},
			wantClient: false, wantRule: RulePort,
		},
		{
			name:       "two ephemeral ports: the load balancer is the server",
			flow:       Flow{Protocol: ProtoTCP, Src: End{Port: 40000, Hint: HintServer}, Dst: End{Port: 50000}},
			wantClient: false, wantRule: RuleHint,
		},
		{
			name:       "two ephemeral ports: the Lambda function is the client",
			flow:       Flow{Protocol: ProtoTCP, Src: End{Port: 40000}, Dst: End{Port: 50000, Hint: HintClient}},
			wantClient: false, wantRule: RuleHint,
		},
		{
			name:       "zero hint reads as none",
			flow:       Flow{Protocol: ProtoICMP, Src: End{Addr: addrB}, Dst: End{Addr: addrA, Hint: HintNone}},
			wantClient: true, wantRule: RuleTieBreak,
		},
		{
			name:       "ICMP to an AWS service",
			flow:       Flow{Protocol: ProtoICMP, Src: End{Addr: addrB}, Dst: End{Addr: addrA, Hint: HintServer}},
			wantClient: true, wantRule: RuleHint,
		},
		{
			name:       "ports ignored for ICMP",
			flow:       Flow{Protocol: ProtoICMP, Src: End{Addr: addrB, Port: 22, Hint: HintServer}, Dst: End{Addr: addrA, Port: 50000}},
			wantClient: false, wantRule: RuleHint,
		},
		{
			name:       "tie-break on ports",
			flow:       Flow{Protocol: ProtoTCP, Src: End{Port: 50001}, Dst: End{Port: 50000}},
			wantClient: true, wantRule: RuleTieBreak,
		},
		{
			name:       "tie-break on addresses: lower address is the server",
			flow:       Flow{Protocol: ProtoUDP, Src: End{Addr: addrA, Port: 123}, Dst: End{Addr: addrB, Port: 123}},
			wantClient: false, wantRule: RuleTieBreak,
		},
		{
			name:       "talking to itself",
			flow:       Flow{Protocol: ProtoUDP, Src: End{Addr: addrA, Port: 9999}, Dst: End{Addr: addrA, Port: 9999}},
			wantClient: true, wantRule: RuleTieBreak,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotClient, gotRule := Decide(&tt.flow)
			if gotClient != tt.wantClient || gotRule != tt.wantRule {
				t.Errorf("Decide = source is client %v by %v, want %v by %v", gotClient, gotRule, tt.wantClient, tt.wantRule)
			}
		})
	}
}

// TestDecideSymmetric checks that every rule but the TCP flags picks the same
// server for a flow and its reverse, which is what pairs the two directions.
func TestDecideSymmetric(t *testing.T) {
	ports := []uint16{0, 22, 67, 68, 123, 443, 1024, 3306, 4789, 8080, 12345, 32768, 49152, 65535}
	addrs := []netip.Addr{addrA, addrB, netip.MustParseAddr("2600:1f18::1")}
	hints := []Hint{0, HintClient, HintNone, HintServer}
	for _, proto := range []uint8{ProtoTCP, ProtoUDP, ProtoICMP} {
		for _, sp := range ports {
			for _, dp := range ports {
				for _, sa := range addrs {
					for _, da := range addrs {
						for _, sh := range hints {
							for _, dh := range hints {
								f := Flow{Protocol: proto, Src: End{sa, sp, sh}, Dst: End{da, dp, dh}}
								r := Flow{Protocol: proto, Src: f.Dst, Dst: f.Src}
								c1, rule1 := Decide(&f)
								c2, rule2 := Decide(&r)
								if sa == da && sp == dp && normHint(sh) == normHint(dh) {
									continue // the same end twice
								}
								if c1 == c2 || rule1 != rule2 {
									t.Fatalf("Decide(%+v) = %v by %v, reverse = %v by %v; want opposite answers by the same rule", f, c1, rule1, c2, rule2)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestClassOf(t *testing.T) {
	tests := []struct {
		port uint16
		want PortClass
	}{
		{0, PortUnclassified},
		{1, PortService},
		{22, PortService},
		{1023, PortService},
		{1024, PortUnclassified},
		{3306, PortService},
		{5432, PortService},
		{6379, PortService},
		{8080, PortService},
		{12345, PortUnclassified},
		{32767, PortUnclassified},
		{32768, PortEphemeral},
		{49152, PortEphemeral},
		{50051, PortService},
		{65535, PortEphemeral},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(int(tt.port)), func(t *testing.T) {
			if got := ClassOf(tt.port); got != tt.want {
				t.Errorf("ClassOf(%d) = %v, want %v", tt.port, got, tt.want)
			}
		})
	}
}

func TestObserveAndCounted(t *testing.T) {
	const (
		eniA = "eni-0aaaaaaaaaaaaaaaa"
		eniB = "eni-0bbbbbbbbbbbbbbbb"
		eniN = "eni-0nat0000000000000"
	)
	tests := []struct {
		name           string
		logger         string // interface-id of the record
		srcENI, dstENI string // owners of srcaddr and dstaddr
		srcMon, dstMon bool
		wantObs        Observer
		wantCounted    bool
	}{
		{"both monitored, sender's copy", eniA, eniA, eniB, true, true, ObservedAtSource, true},
		{"both monitored, receiver's copy", eniB, eniA, eniB, true, true, ObservedAtDestination, false},
		{"sender unmonitored, receiver's copy", eniB, eniA, eniB, false, true, ObservedAtDestination, true},
		{"sender outside the inventory", eniB, "", eniB, false, true, ObservedAtDestination, true},
		{"receiver outside the inventory", eniA, eniA, "", true, false, ObservedAtSource, true},
		{"NAT gateway copy, sender monitored", eniN, eniA, "", true, false, ObservedInTransit, false},
		{"NAT gateway copy, receiver monitored", eniN, "", eniB, false, true, ObservedInTransit, false},
		{"NAT gateway copy, neither monitored", eniN, "", "", false, false, ObservedInTransit, true},
		{"no interface-id", "", eniA, eniB, true, true, ObservedUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := Observe([]byte(tt.logger), tt.srcENI, tt.dstENI)
			if obs != tt.wantObs {
				t.Fatalf("Observe = %v, want %v", obs, tt.wantObs)
			}
			if got := Counted(obs, tt.srcMon, tt.dstMon); got != tt.wantCounted {
				t.Errorf("Counted(%v, %v, %v) = %v, want %v", obs, tt.srcMon, tt.dstMon, got, tt.wantCounted)
			}
		})
	}
}

// TestCountedOnce checks the property the dedupe rule exists for: for every
// combination of monitored ends, exactly one of the copies a direction can
// have is counted.
func TestCountedOnce(t *testing.T) {
	for _, srcMon := range []bool{false, true} {
		for _, dstMon := range []bool{false, true} {
			// The copies that exist: one per monitored end, plus a
			// transit observer's when neither end is monitored (otherwise
			// the record would not reach us at all).
			var copies []Observer
			if srcMon {
				copies = append(copies, ObservedAtSource)
			}
			if dstMon {
				copies = append(copies, ObservedAtDestination)
			}
			if !srcMon && !dstMon {
				copies = append(copies, ObservedInTransit)
			}
			n := 0
			for _, obs := range copies {
				if Counted(obs, srcMon, dstMon) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("source monitored %v, destination monitored %v: %d copies counted, want 1", srcMon, dstMon, n)
			}
		}
	}
}
