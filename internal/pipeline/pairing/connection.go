// Package pairing turns the one-directional flows of VPC flow log records
// into connections: it decides which end of a flow is the client and which
// the server, so that both directions of a conversation fold into one
// connection, and it decides which of the copies of a flow that several
// network interfaces log carries the flow's counts.
//
// # Client and server
//
// Decide applies these rules in order and stops at the first that tells the
// ends apart:
//
//  1. TCP flags (protocol 6, when the record carries tcp-flags): a flow with
//     SYN but not ACK (flags&18 == 2) comes from the client; a flow with
//     SYN-ACK (flags&18 == 18) comes from the server. Other flags (FIN, RST,
//     or 0 for the intervals after the handshake) say nothing about roles.
//  2. Ports (TCP, UDP, SCTP): every port has a class, service (below 1024,
//     or a registered service port such as 3306, 5432, 6379, 8080),
//     unclassified (1024 to 32767), or ephemeral (32768 and up, which covers
//     the Linux range 32768-60999 and the IANA and Windows range
//     49152-65535). The end with the higher class is the server; between two
//     service ports the lower port is the server (67 against 68, 443 against
//     8443).
//  3. Inventory hints: an end that only accepts connections (load balancer,
//     RDS, ElastiCache, VPC endpoint, NAT gateway, an AWS service address)
//     is the server; an end that only opens them (a Lambda function's
//     interface) is the client.
//  4. Tie-break: the lower port is the server, then the lower address. This
//     is arbitrary, but it picks the same server for both directions of a
//     flow, so they still fold into one connection.
//
// Every rule is symmetric: swapping source and destination swaps the answer,
// which is what lets the two directions of one conversation meet.
//
// # Counting each direction once
//
// A flow log on a network interface records the traffic it sends and the
// traffic it receives. When both ends of a conversation are monitored
// interfaces, each direction is therefore logged twice, once by each
// interface. Counted picks one copy: a direction is counted from the
// interface that sent it when that interface is monitored, otherwise from the
// interface that received it when that one is monitored, otherwise from
// whichever interface logged it (a NAT gateway or another middlebox whose
// interface owns neither address). Records that do not carry interface-id
// cannot be told apart and are all counted.
package pairing

import (
	"net/netip"
)

// Protocol numbers (IANA) the rules treat specially.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
	ProtoSCTP   = 132
)

// TCP flag bits as flow logs report them: the bitwise OR of the flags seen
// during the aggregation interval, where AWS only records FIN, SYN, RST and
// SYN-ACK (VPC User Guide, "Flow log records", tcp-flags).
const (
	FlagFIN = 0x01
	FlagSYN = 0x02
	FlagRST = 0x04
	FlagACK = 0x10
)

// Hint is what the inventory says about an end's usual role.
type Hint uint8

// Hints, from least to most server-like.
const (
	// HintClient marks ends that cannot accept connections, such as the
	// interfaces of Lambda functions.
	HintClient Hint = iota + 1
	// HintNone says nothing about the end.
	HintNone
	// HintServer marks ends that only accept connections: load balancers,
	// RDS and ElastiCache, VPC endpoints, NAT gateways, AWS service
	// addresses.
	HintServer
)

// String returns the hint's name.
func (h Hint) String() string {
	switch h {
	case HintClient:
		return "client"
	case HintNone, 0:
		return "none"
	case HintServer:
		return "server"
	}
	return "invalid"
}

// End is what Decide knows about one end of a flow.
type End struct {
	Addr netip.Addr
	Port uint16
	Hint Hint
}

// Rule names the rule that made a decision.
type Rule uint8

// Rules, in the order Decide tries them.
const (
	RuleTCPFlags Rule = iota + 1
	RulePort
	RuleHint
	RuleTieBreak
)

// String returns the rule's name.
func (r Rule) String() string {
	switch r {
	case RuleTCPFlags:
		return "tcp-flags"
	case RulePort:
		return "port"
	case RuleHint:
		return "hint"
	case RuleTieBreak:
		return "tie-break"
	}
	return "invalid"
}

// Flow is the part of a flow log record that Decide reads.
type Flow struct {
	Protocol uint8
	// TCPFlags is the record's tcp-flags value; HasTCPFlags is false when
	// the format lacks the field or the record holds "-".
	TCPFlags    uint8
	HasTCPFlags bool
	Src, Dst    End
}

// Decide reports whether the flow's source is the client, and which rule
// decided it.
func Decide(f *Flow) (srcIsClient bool, rule Rule) {
	if f.Protocol == ProtoTCP && f.HasTCPFlags {
		switch f.TCPFlags & (FlagSYN | FlagACK) {
		case FlagSYN:
			return true, RuleTCPFlags
		case FlagSYN | FlagACK:
			return false, RuleTCPFlags
		}
	}
	if HasPorts(f.Protocol) {
		sc, dc := ClassOf(f.Src.Port), ClassOf(f.Dst.Port)
		if sc != dc {
			return dc > sc, RulePort
		}
		if sc == PortService && f.Src.Port != f.Dst.Port {
			return f.Dst.Port < f.Src.Port, RulePort
		}
	}
	sh, dh := normHint(f.Src.Hint), normHint(f.Dst.Hint)
	if sh != dh {
		return dh > sh, RuleHint
	}
	if f.Src.Port != f.Dst.Port {
		return f.Dst.Port < f.Src.Port, RuleTieBreak
	}
	// Equal addresses (a host talking to itself) leave the destination as
	// the server.
	return f.Src.Addr.Compare(f.Dst.Addr) >= 0, RuleTieBreak
}

func normHint(h Hint) Hint {
	if h == 0 {
		return HintNone
	}
	return h
}

// HasPorts reports whether a protocol's flow log records carry ports.
func HasPorts(protocol uint8) bool {
	switch protocol {
	case ProtoTCP, ProtoUDP, ProtoSCTP:
		return true
	}
	return false
}
