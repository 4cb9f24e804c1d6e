package inventorysync

import (
	"net/netip"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// FromEC2 converts a DescribeNetworkInterfaces result into an inventory
// interface and its attachment id. region is used when the zone does not
// name one. Addresses that do not parse are left out.
func FromEC2(ni ec2types.NetworkInterface, region string) (*inventory.Interface, string) {
	iface := &inventory.Interface{
		ID:                 aws.ToString(ni.NetworkInterfaceId),
		AccountID:          aws.ToString(ni.OwnerId),
		Region:             inventory.RegionFromAZ(aws.ToString(ni.AvailabilityZone)),
		AvailabilityZone:   aws.ToString(ni.AvailabilityZone),
		AvailabilityZoneID: aws.ToString(ni.AvailabilityZoneId),
		VPCID:              aws.ToString(ni.VpcId),
		SubnetID:           aws.ToString(ni.SubnetId),
		InterfaceType:      string(ni.InterfaceType),
		Status:             string(ni.Status),
		RequesterID:        aws.ToString(ni.RequesterId),
		RequesterManaged:   aws.ToBool(ni.RequesterManaged),
		Description:        aws.ToString(ni.Description),
	}
	if iface.Region == "" {
		iface.Region = region
	}
	for _, g := range ni.Groups {
		if id := aws.ToString(g.GroupId); id != "" {
			iface.SecurityGroupIDs = append(iface.SecurityGroupIDs, id)
		}
	}
	var attachmentID string
	if a := ni.Attachment; a != nil {
		iface.InstanceID = aws.ToString(a.InstanceId)
		iface.InstanceOwnerID = aws.ToString(a.InstanceOwnerId)
		iface.AttachmentStatus = string(a.Status)
		if a.AttachTime != nil {
			iface.AttachTime = a.AttachTime.UTC()
		}
		attachmentID = aws.ToString(a.AttachmentId)
	}
	addAddr := func(dst *[]netip.Addr, s *string) {
		if a, err := netip.ParseAddr(aws.ToString(s)); err == nil && !slices.Contains(*dst, a) {
			*dst = append(*dst, a)
		}
	}
	addPrefix := func(dst *[]netip.Prefix, s *string) {
		if p, err := netip.ParsePrefix(aws.ToString(s)); err == nil {
			*dst = append(*dst, p.Masked())
		}
	}
	addAddr(&iface.PrivateIPs, ni.PrivateIpAddress)
	if ni.Association != nil {
		addAddr(&iface.PublicIPs, ni.Association.PublicIp)
	}
	for _, p := range ni.PrivateIpAddresses {
		addAddr(&iface.PrivateIPs, p.PrivateIpAddress)
		if p.Association != nil {
			addAddr(&iface.PublicIPs, p.Association.PublicIp)
		}
	}
	addAddr(&iface.IPv6s, ni.Ipv6Address)
	for _, a := range ni.Ipv6Addresses {
		addAddr(&iface.IPv6s, a.Ipv6Address)
	}
	for _, p := range ni.Ipv4Prefixes {
		addPrefix(&iface.IPv4Prefixes, p.Ipv4Prefix)
	}
	for _, p := range ni.Ipv6Prefixes {
		addPrefix(&iface.IPv6Prefixes, p.Ipv6Prefix)
	}
	for _, t := range ni.TagSet {
		if iface.Tags == nil {
			iface.Tags = make(map[string]string, len(ni.TagSet))
		}
		iface.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return iface, attachmentID
}
