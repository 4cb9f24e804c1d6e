// Package connrows defines the enriched connection record and writes it as
// gzip-compressed NDJSON or as Parquet, both readable by Athena through the
// table definitions in internal/pipeline/enrich/athena.
//
// Row is the schema: its json tags name the NDJSON keys and its parquet tags
// the Parquet columns, with the same PascalCase names, so one column list
// describes both formats. See internal/pipeline/enrich/SCHEMA.md for what each field
// means.
//
// Counts never wrap: the byte, packet and record counts of a row are signed
// 64-bit integers (Athena's bigint), and a sum larger than that saturates
// at math.MaxInt64 (see Count) rather than coming out negative. Times are
// those package flowrecord accepts, 1970-01-01T00:00:00Z to
// 2262-04-11T23:47:16Z (flowrecord.MaxTime), which NDJSON's RFC 3339 and
// Parquet's millisecond timestamps both write and read back exactly;
// ReadParquet, like every reader that converts timestamps to int64
// nanoseconds, reads later ones wrong.
package connrows

import (
	"math"
	"strconv"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
)

// Row is one enriched record: a connection aggregated over a window, or a
// NODATA or SKIPDATA flow log record kept as such.
type Row struct {
	// Protocol is the IANA keyword of the protocol (tcp, udp, icmp, ...) or
	// its number when it has no keyword here.
	Protocol string `json:"Protocol,omitempty" parquet:"Protocol,optional"`
	// Uploaded and UploadedPackets are sent by the client, Downloaded and
	// DownloadedPackets by the server. Like Records and Duplicates, they
	// saturate at math.MaxInt64 (see Count).
	Uploaded          int64 `json:"Uploaded" parquet:"Uploaded"`
	Downloaded        int64 `json:"Downloaded" parquet:"Downloaded"`
	UploadedPackets   int64 `json:"UploadedPackets" parquet:"UploadedPackets"`
	DownloadedPackets int64 `json:"DownloadedPackets" parquet:"DownloadedPackets"`
	// Start is the earliest start and End the latest end of the records
	// folded, UTC, whole seconds.
	Start time.Time `json:"Start" parquet:"Start,timestamp(millisecond)"`
	End   time.Time `json:"End" parquet:"End,timestamp(millisecond)"`
	// Window is the start of the aggregation window, UTC.
	Window time.Time `json:"Window" parquet:"Window,timestamp(millisecond)"`
	// Action is ACCEPT or REJECT, empty when the records did not say.
	Action     string `json:"Action,omitempty" parquet:"Action,optional"`
	ServerPort int32  `json:"ServerPort" parquet:"ServerPort"`
	// CrossAz is true when both ends are in known, different Availability
	// Zones.
	CrossAz bool `json:"CrossAz" parquet:"CrossAz"`
	// TrafficPath is the path egress traffic took (see TrafficPathName),
	// empty when the records did not say.
	TrafficPath string `json:"TrafficPath,omitempty" parquet:"TrafficPath,optional"`
	// Records is the number of flow log records folded into the row;
	// Duplicates how many of them were a second interface's copy of a flow,
	// counted in Records but not in bytes or packets.
	Records    int64 `json:"Records" parquet:"Records"`
	Duplicates int64 `json:"Duplicates" parquet:"Duplicates"`
	// LogStatus is OK for connections, NODATA or SKIPDATA for those records
	// kept as such.
	LogStatus string `json:"LogStatus" parquet:"LogStatus"`
	// InterfaceID and AccountID are set on NODATA and SKIPDATA rows, which
	// have no ends.
	InterfaceID string `json:"InterfaceId,omitempty" parquet:"InterfaceId,optional"`
	AccountID   string `json:"AccountId,omitempty" parquet:"AccountId,optional"`
	// Client opened the connection; Server accepted it.
	Client *Endpoint `json:"Client,omitempty" parquet:"Client,optional"`
	Server *Endpoint `json:"Server,omitempty" parquet:"Server,optional"`
}

// Count converts a count or a sum of counts to a row's column type: v, or
// math.MaxInt64 when v is larger, so that a row never holds a count that
// wrapped to a negative number.
func Count(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

// Log statuses of rows.
const (
	LogStatusOK       = "OK"
	LogStatusNoData   = "NODATA"
	LogStatusSkipData = "SKIPDATA"
)

// Endpoint is one end of a connection: attribution.Endpoint with Parquet
// column names, so that both formats carry the same fields.
type Endpoint struct {
	Addr               string            `json:"Addr,omitempty" parquet:"Addr,optional"`
	ARNs               []string          `json:"Arns,omitempty" parquet:"Arns,optional,list"`
	InterfaceID        string            `json:"InterfaceId,omitempty" parquet:"InterfaceId,optional"`
	SubnetID           string            `json:"SubnetId,omitempty" parquet:"SubnetId,optional"`
	VPCID              string            `json:"VpcId,omitempty" parquet:"VpcId,optional"`
	AccountID          string            `json:"AccountId,omitempty" parquet:"AccountId,optional"`
	SecurityGroupIDs   []string          `json:"SecurityGroupIds,omitempty" parquet:"SecurityGroupIds,optional,list"`
	AvailabilityZone   string            `json:"AvailabilityZone,omitempty" parquet:"AvailabilityZone,optional"`
	AvailabilityZoneID string            `json:"AvailabilityZoneId,omitempty" parquet:"AvailabilityZoneId,optional"`
	Region             string            `json:"Region,omitempty" parquet:"Region,optional"`
	Type               string            `json:"Type" parquet:"Type"`
	LoadBalancerType   string            `json:"LoadBalancerType,omitempty" parquet:"LoadBalancerType,optional"`
	Rfc1918            bool              `json:"Rfc1918" parquet:"Rfc1918"`
	Rfc6598            bool              `json:"Rfc6598" parquet:"Rfc6598"`
	Ula                bool              `json:"Ula" parquet:"Ula"`
	Public             bool              `json:"Public" parquet:"Public"`
	Tags               map[string]string `json:"Tags,omitempty" parquet:"Tags,optional"`
	AwsService         string            `json:"AwsService,omitempty" parquet:"AwsService,optional"`

	// encoded is the endpoint's JSON once Freeze has run.
	encoded []byte
}

// EndpointOf converts an attributed endpoint. Lists and maps are shared, not
// copied.
func EndpointOf(e *attribution.Endpoint) *Endpoint {
	out := &Endpoint{
		ARNs:               e.ARNs,
		InterfaceID:        e.InterfaceID,
		SubnetID:           e.SubnetID,
		VPCID:              e.VPCID,
		AccountID:          e.AccountID,
		SecurityGroupIDs:   e.SecurityGroupIDs,
		AvailabilityZone:   e.AvailabilityZone,
		AvailabilityZoneID: e.AvailabilityZoneID,
		Region:             e.Region,
		Type:               e.Type,
		LoadBalancerType:   e.LoadBalancerType,
		Rfc1918:            e.Rfc1918,
		Rfc6598:            e.Rfc6598,
		Ula:                e.Ula,
		Public:             e.Public,
		Tags:               e.Tags,
		AwsService:         e.AwsService,
	}
	if e.Addr.IsValid() {
		out.Addr = e.Addr.String()
	}
	return out
}

// Freeze encodes the endpoint once, so that every row that refers to it
// reuses the encoding. The endpoint must not change afterwards.
func (e *Endpoint) Freeze() {
	e.encoded = nil
	e.encoded = e.appendJSON(nil)
}

// CrossAZ reports whether two endpoints are in known, different Availability
// Zones. Zone IDs are compared when both are known, because zone names map
// to different zones in different accounts; names are compared only within
// one account.
func CrossAZ(a, b *Endpoint) bool {
	if a == nil || b == nil {
		return false
	}
	if a.AvailabilityZoneID != "" && b.AvailabilityZoneID != "" {
		return a.AvailabilityZoneID != b.AvailabilityZoneID
	}
	if a.AvailabilityZone != "" && b.AvailabilityZone != "" && a.AccountID == b.AccountID {
		return a.AvailabilityZone != b.AvailabilityZone
	}
	return false
}

var protocolNames = func() (names [256]string) {
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	for n, s := range map[uint8]string{
		1: "icmp", 2: "igmp", 4: "ipv4", 6: "tcp", 17: "udp", 41: "ipv6", 47: "gre",
		50: "esp", 51: "ah", 58: "icmpv6", 89: "ospf", 103: "pim", 112: "vrrp", 132: "sctp",
	} {
		names[n] = s
	}
	return names
}()

// ProtocolName returns the lower-case IANA keyword of a protocol number, or
// the number in decimal.
func ProtocolName(p uint8) string { return protocolNames[p] }

// TrafficPathName returns the name of a traffic-path code (VPC User Guide,
// "Flow log records"), the code in decimal when it is not documented, and ""
// for 0 (absent).
func TrafficPathName(code uint8) string {
	switch code {
	case 0:
		return ""
	case 1:
		return "same-vpc"
	case 2:
		return "internet-gateway-or-gateway-endpoint"
	case 3:
		return "virtual-private-gateway"
	case 4:
		return "intra-region-peering"
	case 5:
		return "inter-region-peering"
	case 6:
		return "local-gateway"
	case 7:
		return "gateway-endpoint"
	case 8:
		return "internet-gateway"
	}
	return protocolNames[code]
}

// PartitionPath returns the Hive-style partition of a window start,
// "dt=2006-01-02/hour=15", under which rows are stored in S3.
func PartitionPath(window time.Time) string {
	w := window.UTC()
	return "dt=" + w.Format("2006-01-02") + "/hour=" + w.Format("15")
}
