// Package flowrecord parses AWS VPC and transit gateway flow log records.
//
// The field reference is the Amazon VPC User Guide ("Flow log records",
// available fields) and the Transit Gateways guide ("Transit Gateway Flow
// Log records").
//
// # Limits
//
// A record holding a value that the rows built from it cannot carry is
// rejected with a *ParseError that says which field and why, rather than
// accepted and carried wrong downstream:
//
//   - packets and bytes are at most 2^63-1 (9223372036854775807), the
//     largest signed 64-bit integer: the type of the row columns they are
//     summed into (Athena's bigint), and the type AWS itself gives them
//     (bigint in its Athena tables of flow logs, INT_64 in flow logs
//     delivered as Parquet). A larger value is rejected with ErrOutOfRange.
//   - start and end are Unix times from 0 (1970-01-01T00:00:00Z) to MaxTime
//     (2262-04-11T23:47:16Z), and end is not before start. MaxTime is the
//     last second whose Unix time in nanoseconds fits an int64: the
//     enrichment looks times up in the inventory as time.Time.UnixNano,
//     Parquet readers that hold timestamps in nanoseconds (parquet-go,
//     which ReadParquet uses, and pandas) read later ones wrong, and from
//     year 10000 on NDJSON rows cannot write them as RFC 3339, whose years
//     have four digits, and encoding/json cannot read them back. A later
//     time is rejected with ErrOutOfRange. A time before 1970 cannot be
//     written in the field at all: it holds an unsigned decimal number. No
//     later lower bound is enforced: VPC Flow Logs date from 2015, but an
//     earlier time is odd rather than harmful, AWS's own examples use times
//     from 2014, and tests use small ones. A record whose end is before its
//     start is rejected with ErrEndBeforeStart; start equal to end (a flow
//     of one instant) is accepted.
//   - Every other number is bounded by its field's width (FieldInfo.Bits,
//     FieldInfo.Max): 16 bits for ports, 8 for protocol and tcp-flags, 64
//     for the transit gateway packets-lost-* counters, which rows do not
//     carry.
//
// These checks cost the parser nothing per field beyond the bound it
// already compared each number with, and one comparison per record for the
// order of start and end.
package flowrecord

import (
	"math"
	"strconv"
)

// MaxTime is the latest start or end the parser accepts, in Unix seconds:
// 2262-04-11T23:47:16Z, the last second whose Unix time in nanoseconds fits
// an int64 (see Limits in the package documentation).
const MaxTime = math.MaxInt64 / 1_000_000_000

// FieldID identifies a flow log field; its value indexes the field table.
type FieldID uint8

// Every field a VPC (versions 2 to 8) or transit gateway flow log can carry.
const (
	FieldVersion FieldID = iota
	FieldAccountID
	FieldInterfaceID
	FieldSrcAddr
	FieldDstAddr
	FieldSrcPort
	FieldDstPort
	FieldProtocol
	FieldPackets
	FieldBytes
	FieldStart
	FieldEnd
	FieldAction
	FieldLogStatus
	FieldVPCID
	FieldSubnetID
	FieldInstanceID
	FieldTCPFlags
	FieldType
	FieldPktSrcAddr
	FieldPktDstAddr
	FieldRegion
	FieldAZID
	FieldSublocationType
	FieldSublocationID
	FieldPktSrcAWSService
	FieldPktDstAWSService
	FieldFlowDirection
	FieldTrafficPath
	FieldECSClusterARN
	FieldECSClusterName
	FieldECSContainerInstanceARN
	FieldECSContainerInstanceID
	FieldECSContainerID
	FieldECSSecondContainerID
	FieldECSServiceName
	FieldECSTaskDefinitionARN
	FieldECSTaskARN
	FieldECSTaskID
	FieldRejectReason
	FieldResourceType
	FieldTGWID
	FieldTGWAttachmentID
	FieldTGWSrcVPCAccountID
	FieldTGWDstVPCAccountID
	FieldTGWSrcVPCID
	FieldTGWDstVPCID
	FieldTGWSrcSubnetID
	FieldTGWDstSubnetID
	FieldTGWSrcENI
	FieldTGWDstENI
	FieldTGWSrcAZID
	FieldTGWDstAZID
	FieldTGWPairAttachmentID
	FieldPacketsLostNoRoute
	FieldPacketsLostBlackhole
	FieldPacketsLostMTUExceeded
	FieldPacketsLostTTLExpired

	// NumFields is the number of known fields.
	NumFields int = iota
)

// Kind says how a field's text is interpreted.
type Kind uint8

// Field kinds.
const (
	// KindString is kept as a view of the line (IDs, ARNs, names, enumerations).
	KindString Kind = iota + 1
	// KindUint is an unsigned decimal integer of at most FieldInfo.Bits bits.
	KindUint
	// KindTime is a Unix time in seconds, from 0 to MaxTime.
	KindTime
	// KindAddr is an IPv4 or IPv6 address.
	KindAddr
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindUint:
		return "uint"
	case KindTime:
		return "unix-seconds"
	case KindAddr:
		return "ip-address"
	}
	return "invalid"
}

// Scope says which kinds of flow log can carry a field.
type Scope uint8

// Scopes; a field shared by both kinds of flow log has ScopeVPC|ScopeTGW.
const (
	ScopeVPC Scope = 1 << iota
	ScopeTGW
)

// TGWVersion is the record version of every transit gateway flow log record.
const TGWVersion = 6

// FieldInfo describes one flow log field.
type FieldInfo struct {
	ID   FieldID
	Name string // as AWS spells it in log formats and S3 header lines
	// Version is the VPC flow log version that introduced the field; for
	// fields only transit gateway flow logs carry it is TGWVersion.
	Version int
	Kind    Kind
	Bits    int // width of a KindUint or KindTime value
	Scope   Scope
	// Values lists the documented values of an enumerated field; the parser
	// only enforces them for action and log-status.
	Values      []string
	Description string
}

// Max returns the largest value the parser accepts for a KindUint or
// KindTime field: 2^Bits-1, or MaxTime for a time; 0 for other kinds.
func (f FieldInfo) Max() uint64 {
	switch f.Kind {
	case KindTime:
		return MaxTime
	case KindUint:
		if f.Bits >= 64 {
			return 1<<64 - 1
		}
		return 1<<f.Bits - 1
	}
	return 0
}

// VPC reports whether VPC flow logs can carry the field.
func (f FieldInfo) VPC() bool { return f.Scope&ScopeVPC != 0 }

// TGW reports whether transit gateway flow logs can carry the field.
func (f FieldInfo) TGW() bool { return f.Scope&ScopeTGW != 0 }

const both = ScopeVPC | ScopeTGW

var table = [NumFields]FieldInfo{
	{FieldVersion, "version", 2, KindUint, 8, both, nil,
		"Flow log version: 2 for the default format, otherwise the highest version among the chosen fields (6 for transit gateway records)."},
	{FieldAccountID, "account-id", 2, KindString, 0, both, nil,
		"AWS account ID of the owner of the source network interface (or of the transit gateway); \"unknown\" for interfaces that AWS services create."},
	{FieldInterfaceID, "interface-id", 2, KindString, 0, ScopeVPC, nil,
		"ID of the network interface for which traffic is recorded."},
	{FieldSrcAddr, "srcaddr", 2, KindAddr, 0, both, nil,
		"Source address: the sender for incoming traffic, the interface's own private IPv4 or IPv6 address for outgoing traffic."},
	{FieldDstAddr, "dstaddr", 2, KindAddr, 0, both, nil,
		"Destination address: the receiver for outgoing traffic, the interface's own private IPv4 or IPv6 address for incoming traffic."},
	{FieldSrcPort, "srcport", 2, KindUint, 16, both, nil,
		"Source port of the traffic."},
	{FieldDstPort, "dstport", 2, KindUint, 16, both, nil,
		"Destination port of the traffic."},
	{FieldProtocol, "protocol", 2, KindUint, 8, both, nil,
		"IANA protocol number of the traffic."},
	{FieldPackets, "packets", 2, KindUint, 63, both, nil,
		"Number of packets transferred during the flow."},
	{FieldBytes, "bytes", 2, KindUint, 63, both, nil,
		"Number of bytes transferred during the flow."},
	{FieldStart, "start", 2, KindTime, 63, both, nil,
		"Unix time, in seconds, of the first packet of the flow within the aggregation interval."},
	{FieldEnd, "end", 2, KindTime, 63, both, nil,
		"Unix time, in seconds, of the last packet of the flow within the aggregation interval."},
	{FieldAction, "action", 2, KindString, 0, ScopeVPC, []string{"ACCEPT", "REJECT"},
		"Whether security groups and network ACLs accepted or rejected the traffic."},
	{FieldLogStatus, "log-status", 2, KindString, 0, both, []string{"OK", "NODATA", "SKIPDATA"},
		"Logging status: OK, NODATA (no traffic in the interval) or SKIPDATA (records were skipped in the interval)."},
	{FieldVPCID, "vpc-id", 3, KindString, 0, ScopeVPC, nil,
		"ID of the VPC that contains the network interface."},
	{FieldSubnetID, "subnet-id", 3, KindString, 0, ScopeVPC, nil,
		"ID of the subnet that contains the network interface."},
	{FieldInstanceID, "instance-id", 3, KindString, 0, ScopeVPC, nil,
		"ID of the instance the network interface is attached to, when you own it."},
	{FieldTCPFlags, "tcp-flags", 3, KindUint, 8, both, nil,
		"Bitwise OR of the TCP flags seen in the interval: FIN 1, SYN 2, RST 4, SYN-ACK 18."},
	{FieldType, "type", 3, KindString, 0, both, []string{"IPv4", "IPv6", "EFA"},
		"Type of traffic: IPv4, IPv6 or EFA."},
	{FieldPktSrcAddr, "pkt-srcaddr", 3, KindAddr, 0, ScopeVPC, nil,
		"Packet-level (original) source address, which differs from srcaddr behind a NAT gateway or middlebox."},
	{FieldPktDstAddr, "pkt-dstaddr", 3, KindAddr, 0, ScopeVPC, nil,
		"Packet-level (original) destination address, which differs from dstaddr behind a NAT gateway or middlebox."},
	{FieldRegion, "region", 4, KindString, 0, both, nil,
		"Region that contains the network interface or transit gateway."},
	{FieldAZID, "az-id", 4, KindString, 0, ScopeVPC, nil,
		"ID of the Availability Zone that contains the network interface."},
	{FieldSublocationType, "sublocation-type", 4, KindString, 0, ScopeVPC, []string{"wavelength", "outpost", "localzone"},
		"Type of sublocation the interface is in: wavelength, outpost or localzone."},
	{FieldSublocationID, "sublocation-id", 4, KindString, 0, ScopeVPC, nil,
		"ID of the sublocation (Wavelength Zone, Outpost or Local Zone) that contains the network interface."},
	{FieldPktSrcAWSService, "pkt-src-aws-service", 5, KindString, 0, both, nil,
		"Name of the subset of IP address ranges of pkt-srcaddr, when it belongs to an AWS service."},
	{FieldPktDstAWSService, "pkt-dst-aws-service", 5, KindString, 0, both, nil,
		"Name of the subset of IP address ranges of pkt-dstaddr, when it belongs to an AWS service."},
	{FieldFlowDirection, "flow-direction", 5, KindString, 0, both, []string{"ingress", "egress"},
		"Direction of the flow relative to the interface: ingress or egress."},
	{FieldTrafficPath, "traffic-path", 5, KindUint, 8, ScopeVPC, nil,
		"Path egress traffic takes to its destination, as a number from 1 to 8 (1 other resource in the VPC, 2 internet gateway or gateway endpoint, ...)."},
	{FieldECSClusterARN, "ecs-cluster-arn", 7, KindString, 0, ScopeVPC, nil,
		"ARN of the ECS cluster, when the traffic is from a running ECS task."},
	{FieldECSClusterName, "ecs-cluster-name", 7, KindString, 0, ScopeVPC, nil,
		"Name of the ECS cluster, when the traffic is from a running ECS task."},
	{FieldECSContainerInstanceARN, "ecs-container-instance-arn", 7, KindString, 0, ScopeVPC, nil,
		"ARN of the ECS container instance, when the task runs on EC2."},
	{FieldECSContainerInstanceID, "ecs-container-instance-id", 7, KindString, 0, ScopeVPC, nil,
		"ID of the ECS container instance, when the task runs on EC2."},
	{FieldECSContainerID, "ecs-container-id", 7, KindString, 0, ScopeVPC, nil,
		"Docker runtime ID of the task's first container."},
	{FieldECSSecondContainerID, "ecs-second-container-id", 7, KindString, 0, ScopeVPC, nil,
		"Docker runtime ID of the task's second container, when it has one."},
	{FieldECSServiceName, "ecs-service-name", 7, KindString, 0, ScopeVPC, nil,
		"Name of the ECS service, when the task was started by a service."},
	{FieldECSTaskDefinitionARN, "ecs-task-definition-arn", 7, KindString, 0, ScopeVPC, nil,
		"ARN of the ECS task definition."},
	{FieldECSTaskARN, "ecs-task-arn", 7, KindString, 0, ScopeVPC, nil,
		"ARN of the ECS task."},
	{FieldECSTaskID, "ecs-task-id", 7, KindString, 0, ScopeVPC, nil,
		"ID of the ECS task."},
	{FieldRejectReason, "reject-reason", 8, KindString, 0, ScopeVPC, []string{"BPA"},
		"Why traffic was rejected, such as BPA when VPC Block Public Access blocked it."},
	{FieldResourceType, "resource-type", TGWVersion, KindString, 0, ScopeTGW, []string{"TransitGateway", "TransitGatewayAttachment"},
		"Type of resource the flow log is for: TransitGateway or TransitGatewayAttachment."},
	{FieldTGWID, "tgw-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the transit gateway the traffic is recorded for."},
	{FieldTGWAttachmentID, "tgw-attachment-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the transit gateway attachment the traffic is recorded for."},
	{FieldTGWSrcVPCAccountID, "tgw-src-vpc-account-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"AWS account ID of the source VPC."},
	{FieldTGWDstVPCAccountID, "tgw-dst-vpc-account-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"AWS account ID of the destination VPC."},
	{FieldTGWSrcVPCID, "tgw-src-vpc-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the source VPC."},
	{FieldTGWDstVPCID, "tgw-dst-vpc-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the destination VPC."},
	{FieldTGWSrcSubnetID, "tgw-src-subnet-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the source subnet."},
	{FieldTGWDstSubnetID, "tgw-dst-subnet-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the destination subnet."},
	{FieldTGWSrcENI, "tgw-src-eni", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the source transit gateway attachment network interface."},
	{FieldTGWDstENI, "tgw-dst-eni", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the destination transit gateway attachment network interface."},
	{FieldTGWSrcAZID, "tgw-src-az-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the Availability Zone of the source transit gateway attachment."},
	{FieldTGWDstAZID, "tgw-dst-az-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the Availability Zone of the destination transit gateway attachment."},
	{FieldTGWPairAttachmentID, "tgw-pair-attachment-id", TGWVersion, KindString, 0, ScopeTGW, nil,
		"ID of the opposite attachment of the flow: the egress attachment for ingress records and the ingress attachment for egress records."},
	{FieldPacketsLostNoRoute, "packets-lost-no-route", TGWVersion, KindUint, 64, ScopeTGW, nil,
		"Packets dropped because the transit gateway had no route for them."},
	{FieldPacketsLostBlackhole, "packets-lost-blackhole", TGWVersion, KindUint, 64, ScopeTGW, nil,
		"Packets dropped by a blackhole route."},
	{FieldPacketsLostMTUExceeded, "packets-lost-mtu-exceeded", TGWVersion, KindUint, 64, ScopeTGW, nil,
		"Packets dropped because they exceeded the MTU."},
	{FieldPacketsLostTTLExpired, "packets-lost-ttl-expired", TGWVersion, KindUint, 64, ScopeTGW, nil,
		"Packets dropped because their time-to-live expired."},
}

var byName = func() map[string]FieldID {
	m := make(map[string]FieldID, NumFields)
	for i := range table {
		if table[i].ID != FieldID(i) {
			panic("flowrecord: field table out of order at " + table[i].Name)
		}
		m[table[i].Name] = FieldID(i)
	}
	return m
}()

// Fields returns the field table in FieldID order.
func Fields() []FieldInfo {
	out := make([]FieldInfo, NumFields)
	copy(out, table[:])
	return out
}

// Lookup returns the field with the given AWS name.
func Lookup(name string) (FieldID, bool) {
	id, ok := byName[name]
	return id, ok
}

// Info returns the field's table entry; the zero FieldInfo for an unknown ID.
func (id FieldID) Info() FieldInfo {
	if int(id) >= NumFields {
		return FieldInfo{}
	}
	return table[id]
}

// String returns the field's AWS name.
func (id FieldID) String() string {
	if int(id) >= NumFields {
		return "field(" + strconv.Itoa(int(id)) + ")"
	}
	return table[id].Name
}
