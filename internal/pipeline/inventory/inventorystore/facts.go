package inventorystore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"slices"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// facts is the stored form of an inventory.Interface, kept in the ENI#
// META item and, as a snapshot, in every ownership range. Tags are not part
// of it: they live in the ARN# TAGS item of the interface ARN, the one
// place that tag-change events and syncs both update.
type facts struct {
	ID                 string   `dynamodbav:"id" json:"id"`
	AccountID          string   `dynamodbav:"account,omitempty" json:"account,omitempty"`
	Region             string   `dynamodbav:"region,omitempty" json:"region,omitempty"`
	AvailabilityZone   string   `dynamodbav:"az,omitempty" json:"az,omitempty"`
	AvailabilityZoneID string   `dynamodbav:"azId,omitempty" json:"azId,omitempty"`
	VPCID              string   `dynamodbav:"vpc,omitempty" json:"vpc,omitempty"`
	SubnetID           string   `dynamodbav:"subnet,omitempty" json:"subnet,omitempty"`
	SecurityGroupIDs   []string `dynamodbav:"securityGroups,omitempty" json:"securityGroups,omitempty"`
	InterfaceType      string   `dynamodbav:"interfaceType,omitempty" json:"interfaceType,omitempty"`
	Status             string   `dynamodbav:"status,omitempty" json:"status,omitempty"`
	RequesterID        string   `dynamodbav:"requesterId,omitempty" json:"requesterId,omitempty"`
	RequesterManaged   bool     `dynamodbav:"requesterManaged,omitempty" json:"requesterManaged,omitempty"`
	Description        string   `dynamodbav:"description,omitempty" json:"description,omitempty"`
	InstanceID         string   `dynamodbav:"instanceId,omitempty" json:"instanceId,omitempty"`
	InstanceOwnerID    string   `dynamodbav:"instanceOwnerId,omitempty" json:"instanceOwnerId,omitempty"`
	AttachTime         int64    `dynamodbav:"attachTime,omitempty" json:"attachTime,omitempty"`
	AttachmentStatus   string   `dynamodbav:"attachmentStatus,omitempty" json:"attachmentStatus,omitempty"`
	AttachmentID       string   `dynamodbav:"attachmentId,omitempty" json:"attachmentId,omitempty"`
	PrivateIPs         []string `dynamodbav:"privateIps,omitempty" json:"privateIps,omitempty"`
	PublicIPs          []string `dynamodbav:"publicIps,omitempty" json:"publicIps,omitempty"`
	IPv6s              []string `dynamodbav:"ipv6s,omitempty" json:"ipv6s,omitempty"`
	IPv4Prefixes       []string `dynamodbav:"ipv4Prefixes,omitempty" json:"ipv4Prefixes,omitempty"`
	IPv6Prefixes       []string `dynamodbav:"ipv6Prefixes,omitempty" json:"ipv6Prefixes,omitempty"`
	// ResourceARNHint is Interface.ResourceARN, or the ENI's
	// vpcflow:resource-arn tag, kept because the tags are not.
	ResourceARNHint string `dynamodbav:"resourceArnHint,omitempty" json:"resourceArnHint,omitempty"`
	// ResourceARN and ResourceType are the attribution of the interface.
	ResourceARN  string `dynamodbav:"resourceArn,omitempty" json:"resourceArn,omitempty"`
	ResourceType string `dynamodbav:"resourceType,omitempty" json:"resourceType,omitempty"`
}

// Resource returns the type and ARN of the resource behind an interface,
// by the rules of package attribution.
func Resource(iface *inventory.Interface) (typ, arn string) {
	addr, ok := anyAddr(iface)
	if !ok {
		return attribution.TypeNetworkInterface, iface.ARN()
	}
	c := *iface
	inv := inventory.New()
	inv.Add(&c, addr, time.Time{}, time.Time{})
	ep := attribution.Attribute(inv, addr, time.Time{}, attribution.Hints{})
	if len(ep.ARNs) == 0 {
		return ep.Type, iface.ARN()
	}
	return ep.Type, ep.ARNs[0]
}

// anyAddr returns an address the interface owns, which attribution needs to
// find the interface.
func anyAddr(iface *inventory.Interface) (netip.Addr, bool) {
	if a := iface.Addrs(); len(a) > 0 {
		return a[0], true
	}
	for _, p := range append(slices.Clip(iface.IPv4Prefixes), iface.IPv6Prefixes...) {
		if p.IsValid() {
			return p.Masked().Addr(), true
		}
	}
	return netip.Addr{}, false
}

func factsOf(iface *inventory.Interface, attachmentID string) facts {
	f := facts{
		ID:                 iface.ID,
		AccountID:          iface.AccountID,
		Region:             iface.Region,
		AvailabilityZone:   iface.AvailabilityZone,
		AvailabilityZoneID: iface.AvailabilityZoneID,
		VPCID:              iface.VPCID,
		SubnetID:           iface.SubnetID,
		SecurityGroupIDs:   slices.Clone(iface.SecurityGroupIDs),
		InterfaceType:      iface.InterfaceType,
		Status:             iface.Status,
		RequesterID:        iface.RequesterID,
		RequesterManaged:   iface.RequesterManaged,
		Description:        iface.Description,
		InstanceID:         iface.InstanceID,
		InstanceOwnerID:    iface.InstanceOwnerID,
		AttachTime:         ms(iface.AttachTime),
		AttachmentStatus:   iface.AttachmentStatus,
		AttachmentID:       attachmentID,
		PrivateIPs:         addrStrings(iface.PrivateIPs),
		PublicIPs:          addrStrings(iface.PublicIPs),
		IPv6s:              addrStrings(iface.IPv6s),
		IPv4Prefixes:       prefixStrings(iface.IPv4Prefixes),
		IPv6Prefixes:       prefixStrings(iface.IPv6Prefixes),
		ResourceARNHint:    iface.ResourceARN,
	}
	if f.ResourceARNHint == "" {
		f.ResourceARNHint = iface.Tags[attribution.ResourceARNTag]
	}
	f.ResourceType, f.ResourceARN = Resource(iface)
	return f
}

// interfaceOf rebuilds the interface a facts snapshot describes, without tags.
func (f *facts) interfaceOf() *inventory.Interface {
	return &inventory.Interface{
		ID:                 f.ID,
		AccountID:          f.AccountID,
		Region:             f.Region,
		AvailabilityZone:   f.AvailabilityZone,
		AvailabilityZoneID: f.AvailabilityZoneID,
		VPCID:              f.VPCID,
		SubnetID:           f.SubnetID,
		SecurityGroupIDs:   f.SecurityGroupIDs,
		InterfaceType:      f.InterfaceType,
		Status:             f.Status,
		RequesterID:        f.RequesterID,
		RequesterManaged:   f.RequesterManaged,
		Description:        f.Description,
		InstanceID:         f.InstanceID,
		InstanceOwnerID:    f.InstanceOwnerID,
		AttachTime:         fromMS(f.AttachTime),
		AttachmentStatus:   f.AttachmentStatus,
		PrivateIPs:         parseAddrs(f.PrivateIPs),
		PublicIPs:          parseAddrs(f.PublicIPs),
		IPv6s:              parseAddrs(f.IPv6s),
		IPv4Prefixes:       parsePrefixes(f.IPv4Prefixes),
		IPv6Prefixes:       parsePrefixes(f.IPv6Prefixes),
		ResourceARN:        f.ResourceARNHint,
	}
}

// hash identifies the content of a snapshot, so that refreshing ranges
// with unchanged facts writes nothing.
func (f *facts) hash() string {
	b, _ := json.Marshal(f)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// addrsOf returns every address and delegated prefix of an interface, in
// key form, sorted and without duplicates.
func addrsOf(iface *inventory.Interface) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range iface.Addrs() {
		if a.IsValid() {
			out = append(out, Single(a))
		}
	}
	for _, p := range iface.IPv4Prefixes {
		if p.IsValid() {
			out = append(out, p.Masked())
		}
	}
	for _, p := range iface.IPv6Prefixes {
		if p.IsValid() {
			out = append(out, p.Masked())
		}
	}
	slices.SortFunc(out, comparePrefix)
	return slices.Compact(out)
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

func addrStrings(as []netip.Addr) []string {
	if len(as) == 0 {
		return nil
	}
	out := make([]string, 0, len(as))
	for _, a := range as {
		if a.IsValid() {
			out = append(out, a.String())
		}
	}
	return out
}

func prefixStrings(ps []netip.Prefix) []string {
	if len(ps) == 0 {
		return nil
	}
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p.IsValid() {
			out = append(out, p.Masked().String())
		}
	}
	return out
}

// parseAddrs and parsePrefixes skip what does not parse: every value was
// written by this package from parsed addresses.
func parseAddrs(ss []string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}

func parsePrefixes(ss []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func keyStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = AddrKey(p)
	}
	return out
}

func parseKeys(ss []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		if p, err := ParseAddrKey(s); err == nil {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, comparePrefix)
	return out
}
