// Package attribution says what is behind an address seen in a flow record:
// which kind of AWS resource, its ARN, where it lives and how it is tagged.
package attribution

import (
	"net/netip"
)

// Endpoint types: the AWS service and resource type of what owns an address,
// as in IAM's "service:resource-type", or one of aws:service, internet and
// unknown for addresses no known network interface owns.
const (
	TypeInstance         = "ec2:instance"
	TypeLambdaFunction   = "lambda:function"
	TypeRDS              = "rds:db"
	TypeLoadBalancer     = "elasticloadbalancing:loadbalancer"
	TypeElastiCache      = "elasticache:cluster"
	TypeNATGateway       = "ec2:natgateway"
	TypeVPCEndpoint      = "ec2:vpc-endpoint"
	TypeTransitGateway   = "ec2:transit-gateway"
	TypeECSTask          = "ecs:task"
	TypeEFS              = "elasticfilesystem:file-system"
	TypeNetworkInterface = "ec2:network-interface"
	TypeAWSService       = "aws:service"
	TypeInternet         = "internet"
	TypeUnknown          = "unknown"
)

// Load balancer types, as Elastic Load Balancing names them.
const (
	LoadBalancerApplication = "application"
	LoadBalancerNetwork     = "network"
	LoadBalancerGateway     = "gateway"
	LoadBalancerClassic     = "classic"
)

// Endpoint describes one side of a connection. Its JSON field names are
// those of the enriched flow record.
//
// Empty strings, lists and maps are left out of the JSON, but the four
// address flags are always written: a query such as WHERE NOT "Public" would
// otherwise silently drop every record that lacks the field.
//
// Endpoints returned by Attribute share their ARNs, SecurityGroupIDs and
// Tags with a cache; treat them as read-only.
type Endpoint struct {
	Addr               netip.Addr        `json:"Addr,omitzero"`
	ARNs               []string          `json:"Arns,omitempty"`
	InterfaceID        string            `json:"InterfaceId,omitempty"`
	SubnetID           string            `json:"SubnetId,omitempty"`
	VPCID              string            `json:"VpcId,omitempty"`
	AccountID          string            `json:"AccountId,omitempty"`
	SecurityGroupIDs   []string          `json:"SecurityGroupIds,omitempty"`
	AvailabilityZone   string            `json:"AvailabilityZone,omitempty"`
	AvailabilityZoneID string            `json:"AvailabilityZoneId,omitempty"`
	Region             string            `json:"Region,omitempty"`
	Type               string            `json:"Type"`
	LoadBalancerType   string            `json:"LoadBalancerType,omitempty"`
	Rfc1918            bool              `json:"Rfc1918"`
	Rfc6598            bool              `json:"Rfc6598"`
	Ula                bool              `json:"Ula"`
	Public             bool              `json:"Public"`
	Tags               map[string]string `json:"Tags,omitempty"`
	AwsService         string            `json:"AwsService,omitempty"`

	key string
}

// IdentityKey returns a stable key that names the endpoint for aggregation:
// the resource ARN when there is one, "aws:service:<service>:<region>" for
// AWS service addresses (":<region>" left out when unknown or global), and
// "internet:<addr>" or "unknown:<addr>" otherwise.
func (e *Endpoint) IdentityKey() string {
	if e.key != "" {
		return e.key
	}
	switch e.Type {
	case TypeAWSService:
		return serviceKey(e.AwsService, e.Region)
	case TypeInternet, TypeUnknown, "":
		return addrKey(e.Type, e.Addr)
	}
	if len(e.ARNs) > 0 {
		return e.ARNs[0]
	}
	if e.InterfaceID != "" {
		return e.Type + ":" + e.InterfaceID
	}
	return addrKey(e.Type, e.Addr)
}

func serviceKey(service, region string) string {
	if region == "" {
		return TypeAWSService + ":" + service
	}
	return TypeAWSService + ":" + service + ":" + region
}

func addrKey(typ string, a netip.Addr) string {
	if typ == "" {
		typ = TypeUnknown
	}
	if !a.IsValid() {
		return typ
	}
	return typ + ":" + a.String()
}

var rfc6598 = netip.MustParsePrefix("100.64.0.0/10")

// setFlags classifies the address: RFC 1918 private IPv4, RFC 6598 shared
// address space (carrier-grade NAT), IPv6 unique local (fc00::/7), or public:
// any other global unicast address.
func (e *Endpoint) setFlags(a netip.Addr) {
	private := a.IsPrivate()
	e.Rfc1918 = private && a.Is4()
	e.Ula = private && a.Is6()
	e.Rfc6598 = a.Is4() && rfc6598.Contains(a)
	e.Public = !private && !e.Rfc6598 && a.IsGlobalUnicast()
}
