package inventory

import (
	"net/netip"
	"strings"
	"sync/atomic"
	"time"
)

// Interface holds the facts about one elastic network interface (ENI) that
// enrichment needs, as reported by describe-network-interfaces.
type Interface struct {
	ID                 string
	AccountID          string
	Region             string
	AvailabilityZone   string
	AvailabilityZoneID string
	VPCID              string
	SubnetID           string
	SecurityGroupIDs   []string
	InterfaceType      string
	Status             string
	RequesterID        string
	RequesterManaged   bool
	Description        string

	// Attachment facts; InstanceOwnerID is an account id for instances and
	// a service alias (amazon-rds, amazon-aws, ...) for managed interfaces.
	InstanceID       string
	InstanceOwnerID  string
	AttachTime       time.Time
	AttachmentStatus string

	PrivateIPs   []netip.Addr
	PublicIPs    []netip.Addr
	IPv6s        []netip.Addr
	IPv4Prefixes []netip.Prefix
	IPv6Prefixes []netip.Prefix

	Tags map[string]string

	// ResourceARN names the resource behind the interface when the ENI itself
	// does not say (RDS interfaces only read "RDSNetworkInterface"). Callers
	// that know better, for example by resolving a DB endpoint, set it.
	ResourceARN string

	memo atomic.Value
}

// Memo returns the value last stored with SetMemo, or nil.
func (i *Interface) Memo() any { return i.memo.Load() }

// SetMemo stores a value derived from this interface so that it is computed
// once per interface rather than once per lookup; the inventory never reads it.
// Every call must store the same concrete type.
func (i *Interface) SetMemo(v any) { i.memo.Store(v) }

// Addrs returns every single address the interface owns: private IPv4,
// public IPv4 and IPv6, in that order.
func (i *Interface) Addrs() []netip.Addr {
	out := make([]netip.Addr, 0, len(i.PrivateIPs)+len(i.PublicIPs)+len(i.IPv6s))
	out = append(out, i.PrivateIPs...)
	out = append(out, i.PublicIPs...)
	return append(out, i.IPv6s...)
}

// RegionFromAZ returns the region of an Availability Zone, Local Zone or
// Wavelength Zone name ("us-east-1a", "us-west-2-lax-1a", "us-gov-west-1b"
// all keep everything up to the first numeric label), or "" when az does not
// look like a zone name.
func RegionFromAZ(az string) string {
	start := 0
	for start < len(az) {
		end := strings.IndexByte(az[start:], '-')
		if end < 0 {
			end = len(az)
		} else {
			end += start
		}
		label := az[start:end]
		if label != "" && label[0] >= '0' && label[0] <= '9' {
			n := 0
			for n < len(label) && label[n] >= '0' && label[n] <= '9' {
				n++
			}
			if start == 0 {
				return ""
			}
			return az[:start+n]
		}
		start = end + 1
	}
	return ""
}

// Partition returns the ARN partition of a region: aws, aws-cn, aws-us-gov
// or one of the isolated partitions.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// ARN returns the ARN of the network interface itself.
func (i *Interface) ARN() string {
	return "arn:" + Partition(i.Region) + ":ec2:" + i.Region + ":" + i.AccountID + ":network-interface/" + i.ID
}
