// Package attribution says what is behind an address seen in a flow record:
// which kind of AWS resource, its ARN, where it lives and how it is tagged.
//
// An address owned by a known network interface is attributed by the first
// of these rules that matches the interface (REGION, ACCOUNT and the ARN
// partition are the interface's):
//
//	resource ARN hint       Interface.ResourceARN, else the ENI tag
//	                        vpcflow:resource-arn; type from the ARN
//	lambda:function         InterfaceType lambda or Description
//	                        "AWS Lambda VPC ENI-NAME-UUID" / "AWS Lambda VPC ENI: NAME"
//	                        -> arn:aws:lambda:REGION:ACCOUNT:function:NAME
//	ecs:task                Description arn:aws:ecs:...:attachment/ID
//	                        -> the record's task ARN if given, else the
//	                        attachment ARN; then the cluster ARN
//	elasticloadbalancing:   Description "ELB app|net|gwy/NAME/ID" or "ELB NAME"
//	loadbalancer            -> ...:loadbalancer/app/NAME/ID (classic: loadbalancer/NAME)
//	ec2:natgateway          InterfaceType nat_gateway or "Interface for NAT Gateway nat-ID"
//	ec2:vpc-endpoint        InterfaceType vpc_endpoint, gateway_load_balancer_endpoint
//	                        or "VPC Endpoint Interface vpce-ID"
//	ec2:transit-gateway     InterfaceType transit_gateway or "Network Interface for
//	                        Transit Gateway Attachment tgw-attach-ID"
//	                        -> ...:transit-gateway-attachment/tgw-attach-ID
//	rds:db                  "RDSNetworkInterface" or requester amazon-rds
//	                        -> the interface ARN: nothing on the interface names the DB
//	elasticache:cluster     "ElastiCache ID" or requester amazon-elasticache
//	                        -> arn:aws:elasticache:REGION:ACCOUNT:cluster:ID
//	elasticfilesystem:      InterfaceType efs or "EFS mount target for fs-ID"
//	file-system
//	ec2:instance            attached to an instance i-ID
//	ec2:network-interface   anything else -> the interface ARN
//
// When the id a rule needs cannot be read, the type stands and the ARN is the
// interface's. Addresses no interface owns are aws:service, internet or
// unknown; see Attribute.
package attribution

import (
	"net/netip"
)

// Endpoint types: the AWS service and resource type of what owns an address,
// as in ARNs and IAM ("service:resource-type"), or one of aws:service,
// internet and unknown for addresses no known network interface owns.
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

// setFlags classifies the address: RFC 1918 private IPv4, RFC 6598 shared
// address space (carrier-grade NAT), IPv6 unique local (fc00::/7), or public:
// any other global unicast address.
func (e *Endpoint) setFlags(a netip.Addr) {
	if a.Is4() {
		// netip's tests, on the four bytes at once (RFC 6598 is 100.64.0.0/10).
		b := a.As4()
		private := b[0] == 10 || b[0] == 172 && b[1]&0xf0 == 16 || b[0] == 192 && b[1] == 168
		e.Rfc1918, e.Ula = private, false
		e.Rfc6598 = b[0] == 100 && b[1]&0xc0 == 64
		e.Public = !private && !e.Rfc6598 && a.IsGlobalUnicast()
		return
	}
	// IPv6: private is unique local.
	private := a.IsPrivate()
	e.Rfc1918, e.Rfc6598, e.Ula = false, false, private
	e.Public = !private && a.IsGlobalUnicast()
}
