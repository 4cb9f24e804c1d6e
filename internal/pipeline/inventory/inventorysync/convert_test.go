package inventorysync_test

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
)

func TestFromEC2(t *testing.T) {
	attached := time.Date(2025, 2, 28, 7, 41, 12, 0, time.UTC)
	tests := []struct {
		name       string
		in         ec2types.NetworkInterface
		region     string
		want       *inventory.Interface
		attachment string
	}{
		{
			name: "instance interface with everything",
			in: ec2types.NetworkInterface{
				NetworkInterfaceId: aws.String("eni-0a8b7c6d5e4f32109"),
				OwnerId:            aws.String("210987654321"),
				AvailabilityZone:   aws.String("eu-west-1b"),
				AvailabilityZoneId: aws.String("euw1-az3"),
				VpcId:              aws.String("vpc-0123abcd4567ef890"),
				SubnetId:           aws.String("subnet-0a1b2c3d4e5f60718"),
				InterfaceType:      ec2types.NetworkInterfaceTypeInterface,
				Status:             ec2types.NetworkInterfaceStatusInUse,
				Description:        aws.String("Primary network interface"),
				Groups:             []ec2types.GroupIdentifier{{GroupId: aws.String("sg-0c1d2e3f4a5b6c7d8")}},
				Attachment: &ec2types.NetworkInterfaceAttachment{
					AttachmentId:    aws.String("eni-attach-0e1f2a3b4c5d6e7f8"),
					InstanceId:      aws.String("i-0d4f9a2b7c1e83456"),
					InstanceOwnerId: aws.String("210987654321"),
					Status:          ec2types.AttachmentStatusAttached,
					AttachTime:      aws.Time(attached),
				},
				PrivateIpAddress: aws.String("10.0.12.77"),
				Association:      &ec2types.NetworkInterfaceAssociation{PublicIp: aws.String("54.160.12.9")},
				PrivateIpAddresses: []ec2types.NetworkInterfacePrivateIpAddress{
					{PrivateIpAddress: aws.String("10.0.12.77"), Primary: aws.Bool(true), Association: &ec2types.NetworkInterfaceAssociation{PublicIp: aws.String("54.160.12.9")}},
					{PrivateIpAddress: aws.String("10.0.12.88"), Association: &ec2types.NetworkInterfaceAssociation{PublicIp: aws.String("3.91.22.7")}},
				},
				Ipv6Addresses: []ec2types.NetworkInterfaceIpv6Address{{Ipv6Address: aws.String("2a05:d018:6a2:7c01:4e1b:9d3a:c2f7:81e5")}},
				Ipv4Prefixes:  []ec2types.Ipv4PrefixSpecification{{Ipv4Prefix: aws.String("10.0.12.160/28")}},
				Ipv6Prefixes:  []ec2types.Ipv6PrefixSpecification{{Ipv6Prefix: aws.String("2a05:d018:6a2:7c01:9a3e::/80")}},
				TagSet:        []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("node-b")}},
			},
			region: "eu-west-1",
			want: &inventory.Interface{
				ID:                 "eni-0a8b7c6d5e4f32109",
				AccountID:          "210987654321",
				Region:             "eu-west-1",
				AvailabilityZone:   "eu-west-1b",
				AvailabilityZoneID: "euw1-az3",
				VPCID:              "vpc-0123abcd4567ef890",
				SubnetID:           "subnet-0a1b2c3d4e5f60718",
				SecurityGroupIDs:   []string{"sg-0c1d2e3f4a5b6c7d8"},
				InterfaceType:      "interface",
				Status:             "in-use",
				Description:        "Primary network interface",
				InstanceID:         "i-0d4f9a2b7c1e83456",
				InstanceOwnerID:    "210987654321",
				AttachTime:         attached,
				AttachmentStatus:   "attached",
				PrivateIPs:         []netip.Addr{netip.MustParseAddr("10.0.12.77"), netip.MustParseAddr("10.0.12.88")},
				PublicIPs:          []netip.Addr{netip.MustParseAddr("54.160.12.9"), netip.MustParseAddr("3.91.22.7")},
				IPv6s:              []netip.Addr{netip.MustParseAddr("2a05:d018:6a2:7c01:4e1b:9d3a:c2f7:81e5")},
				IPv4Prefixes:       []netip.Prefix{netip.MustParsePrefix("10.0.12.160/28")},
				IPv6Prefixes:       []netip.Prefix{netip.MustParsePrefix("2a05:d018:6a2:7c01:9a3e::/80")},
				Tags:               map[string]string{"Name": "node-b"},
			},
			attachment: "eni-attach-0e1f2a3b4c5d6e7f8",
		},
		{
			name: "requester-managed interface without a zone",
			in: ec2types.NetworkInterface{
				NetworkInterfaceId: aws.String("eni-0f9e8d7c6b5a49382"),
				OwnerId:            aws.String("210987654321"),
				InterfaceType:      ec2types.NetworkInterfaceType("nat_gateway"), // what DescribeNetworkInterfaces returns; the SDK constant reads natGateway
				RequesterId:        aws.String("amazon-aws"),
				RequesterManaged:   aws.Bool(true),
				Description:        aws.String("Interface for NAT Gateway nat-0a1b2c3d4e5f60718"),
				PrivateIpAddress:   aws.String("10.0.0.45"),
			},
			region: "us-east-1",
			want: &inventory.Interface{
				ID:               "eni-0f9e8d7c6b5a49382",
				AccountID:        "210987654321",
				Region:           "us-east-1",
				InterfaceType:    "nat_gateway",
				RequesterID:      "amazon-aws",
				RequesterManaged: true,
				Description:      "Interface for NAT Gateway nat-0a1b2c3d4e5f60718",
				PrivateIPs:       []netip.Addr{netip.MustParseAddr("10.0.0.45")},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, attachment := inventorysync.FromEC2(tt.in, tt.region)
			if !reflect.DeepEqual(got, tt.want) || attachment != tt.attachment {
				t.Errorf("FromEC2 =\n%+v %q\nwant\n%+v %q", got, attachment, tt.want, tt.attachment)
			}
		})
	}
}
