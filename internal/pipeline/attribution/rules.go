package attribution

import (
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// ResourceARNTag is the ENI tag that names the resource behind the interface
// when its description does not. RDS interfaces only read
// "RDSNetworkInterface", and AWS lets you tag requester-managed interfaces,
// so tagging them with the DB ARN gets a full rds:db attribution.
const ResourceARNTag = "vpcflow:resource-arn"

// resource is what the rules make of an interface.
type resource struct {
	typ    string
	arns   []string
	lbType string
}

// arnBuilder makes ARNs in the interface's partition, region and account.
type arnBuilder struct{ partition, region, account string }

func (b arnBuilder) arn(service, res string) string {
	return "arn:" + b.partition + ":" + service + ":" + b.region + ":" + b.account + ":" + res
}

// classify applies the attribution rules of the package documentation in
// order; the first that matches wins. ENI descriptions are set by the
// service that created the interface: they are the only place most of these
// resource ids appear.
func classify(iface *inventory.Interface) resource {
	b := arnBuilder{inventory.Partition(iface.Region), iface.Region, iface.AccountID}
	desc := iface.Description
	eni := iface.ARN()
	// typed returns the resource, or the type alone with the interface ARN
	// when the id could not be read.
	typed := func(typ, arn string) resource {
		if arn == "" {
			return resource{typ: typ, arns: []string{eni}}
		}
		return resource{typ: typ, arns: []string{arn}}
	}

	if arn := resourceARNHint(iface); arn != "" {
		return resource{typ: typeOfARN(arn), arns: []string{arn}}
	}

	switch {
	case iface.InterfaceType == "lambda" || strings.HasPrefix(desc, "AWS Lambda VPC ENI"):
		// Since 2019 Lambda shares an interface between every function with
		// the same subnet and security groups; the description names the
		// function that caused it to be created.
		name := lambdaFunctionName(desc)
		if name == "" {
			return typed(TypeLambdaFunction, "")
		}
		return typed(TypeLambdaFunction, b.arn("lambda", "function:"+name))

	case isECSAttachment(desc):
		r := resource{typ: TypeECSTask, arns: []string{desc}}
		if c := iface.Tags["aws:ecs:clusterName"]; c != "" {
			r.arns = append(r.arns, b.arn("ecs", "cluster/"+c))
		}
		return r

	case strings.HasPrefix(desc, "ELB "):
		arn, lbType := loadBalancer(b, desc[len("ELB "):])
		r := typed(TypeLoadBalancer, arn)
		r.lbType = lbType
		return r

	case iface.InterfaceType == "nat_gateway" || strings.HasPrefix(desc, "Interface for NAT Gateway "):
		return typed(TypeNATGateway, idARN(b, "ec2", "natgateway/", desc, "nat-"))

	case iface.InterfaceType == "vpc_endpoint" || iface.InterfaceType == "gateway_load_balancer_endpoint" ||
		strings.HasPrefix(desc, "VPC Endpoint Interface"):
		return typed(TypeVPCEndpoint, idARN(b, "ec2", "vpc-endpoint/", desc, "vpce-"))

	case iface.InterfaceType == "transit_gateway" || strings.HasPrefix(desc, "Network Interface for Transit Gateway Attachment "):
		return typed(TypeTransitGateway, idARN(b, "ec2", "transit-gateway-attachment/", desc, "tgw-attach-"))

	case desc == "RDSNetworkInterface" || iface.RequesterID == "amazon-rds" || iface.InstanceOwnerID == "amazon-rds":
		// The description never names the DB instance; see ResourceARNTag.
		return typed(TypeRDS, "")

	case strings.HasPrefix(desc, "ElastiCache ") || iface.RequesterID == "amazon-elasticache":
		id, _ := strings.CutPrefix(desc, "ElastiCache ")
		if !isName(id) {
			return typed(TypeElastiCache, "")
		}
		return typed(TypeElastiCache, b.arn("elasticache", "cluster:"+id))

	case iface.InterfaceType == "efs" || strings.HasPrefix(desc, "EFS mount target for "):
		return typed(TypeEFS, idARN(b, "elasticfilesystem", "file-system/", desc, "fs-"))

	case strings.HasPrefix(iface.InstanceID, "i-"):
		return typed(TypeInstance, b.arn("ec2", "instance/"+iface.InstanceID))
	}
	return resource{typ: TypeNetworkInterface, arns: []string{eni}}
}

// resourceARNHint returns the caller's or the ENI tag's resource ARN.
func resourceARNHint(iface *inventory.Interface) string {
	for _, arn := range [...]string{iface.ResourceARN, iface.Tags[ResourceARNTag]} {
		if _, ok := splitARN(arn); ok {
			return arn
		}
	}
	return ""
}

// splitARN returns the six colon-separated fields of an ARN.
func splitARN(arn string) ([6]string, bool) {
	var f [6]string
	if !strings.HasPrefix(arn, "arn:") {
		return f, false
	}
	for i := range 5 {
		j := strings.IndexByte(arn, ':')
		if j < 0 {
			return f, false
		}
		f[i], arn = arn[:j], arn[j+1:]
	}
	f[5] = arn
	return f, f[2] != "" && f[5] != ""
}

// typeOfARN returns "service:resource-type" for an ARN, or the service
// alone for ARNs whose resource has no type ("arn:aws:s3:::bucket").
func typeOfARN(arn string) string {
	f, _ := splitARN(arn)
	if i := strings.IndexAny(f[5], "/:"); i > 0 {
		return f[2] + ":" + f[5][:i]
	}
	return f[2]
}

// lambdaFunctionName reads the function name from a Lambda ENI description:
// "AWS Lambda VPC ENI-<name>-<uuid>" today, "AWS Lambda VPC ENI: <name>"
// on older interfaces.
func lambdaFunctionName(desc string) string {
	rest, ok := strings.CutPrefix(desc, "AWS Lambda VPC ENI")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(rest, ":- ")
	if n := len(rest) - 37; n > 0 && rest[n] == '-' && isUUID(rest[n+1:]) {
		rest = rest[:n]
	}
	if !isName(rest) || len(rest) > 64 {
		return ""
	}
	return rest
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

// isName reports whether s is a non-empty resource name or id: letters,
// digits, hyphens and underscores.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isECSAttachment reports whether desc is the ECS attachment ARN that ECS
// writes into the description of awsvpc task interfaces.
func isECSAttachment(desc string) bool {
	f, ok := splitARN(desc)
	return ok && f[2] == "ecs" && strings.HasPrefix(f[5], "attachment/")
}

// loadBalancer reads "app/NAME/ID", "net/NAME/ID", "gwy/NAME/ID" or a
// classic load balancer's bare "NAME" from after "ELB " in a description.
func loadBalancer(b arnBuilder, rest string) (arn, lbType string) {
	kind, nameID, found := strings.Cut(rest, "/")
	if !found {
		if !isName(rest) {
			return "", LoadBalancerClassic
		}
		return b.arn("elasticloadbalancing", "loadbalancer/"+rest), LoadBalancerClassic
	}
	switch kind {
	case "app":
		lbType = LoadBalancerApplication
	case "net":
		lbType = LoadBalancerNetwork
	case "gwy":
		lbType = LoadBalancerGateway
	default:
		return "", ""
	}
	name, id, ok := strings.Cut(nameID, "/")
	if !ok || !isName(name) || !isName(id) {
		return "", lbType
	}
	return b.arn("elasticloadbalancing", "loadbalancer/"+rest), lbType
}

// idARN finds the first id with the given prefix in desc and returns the
// ARN of that resource, or "" when desc holds none.
func idARN(b arnBuilder, service, resourceType, desc, idPrefix string) string {
	i := strings.Index(desc, idPrefix)
	if i < 0 {
		return ""
	}
	id := desc[i:]
	if j := strings.IndexFunc(id, func(r rune) bool {
		return r > 0x7f || !isAlnum(byte(r)) && r != '-'
	}); j >= 0 {
		id = id[:j]
	}
	if len(id) == len(idPrefix) {
		return ""
	}
	return b.arn(service, resourceType+id)
}
