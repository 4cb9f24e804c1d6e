package attribution

import (
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

func TestLambdaFunctionName(t *testing.T) {
	tests := []struct{ desc, want string }{
		{"AWS Lambda VPC ENI-orders-api-3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "orders-api"},
		{"AWS Lambda VPC ENI-sandbox_DependencyTrackInterface_usw2-30bb1fd5-e726-4d80-9ff2-52fd62cd548c", "sandbox_DependencyTrackInterface_usw2"},
		{"AWS Lambda VPC ENI: billing_nightly", "billing_nightly"},
		{"AWS Lambda VPC ENI-example-fn", "example-fn"},
		// A trailing id that is not a UUID stays part of the name.
		{"AWS Lambda VPC ENI-etl-3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5z", "etl-3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5z"},
		{"AWS Lambda VPC ENI", ""},
		{"AWS Lambda VPC ENI-name with spaces", ""},
		{"Primary network interface", ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := lambdaFunctionName(tt.desc); got != tt.want {
				t.Errorf("lambdaFunctionName(%q) = %q, want %q", tt.desc, got, tt.want)
			}
		})
	}
}

func TestLoadBalancer(t *testing.T) {
	b := arnBuilder{"aws", "eu-west-1", "111122223333"}
	tests := []struct {
		rest, wantARN, wantType string
	}{
		{"app/shop-public/8f314ac75b1d43a8", "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/shop-public/8f314ac75b1d43a8", LoadBalancerApplication},
		{"net/ingress-nlb/1a2b3c4d5e6f7890", "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/ingress-nlb/1a2b3c4d5e6f7890", LoadBalancerNetwork},
		{"gwy/inspection/0f1e2d3c4b5a6978", "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/gwy/inspection/0f1e2d3c4b5a6978", LoadBalancerGateway},
		{"legacy-web", "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/legacy-web", LoadBalancerClassic},
		{"app/missing-id", "", LoadBalancerApplication},
		{"app/extra/8f314ac75b1d43a8/part", "", LoadBalancerApplication},
		{"xyz/name/id", "", ""},
		{"two words", "", LoadBalancerClassic},
	}
	for _, tt := range tests {
		t.Run(tt.rest, func(t *testing.T) {
			arn, typ := loadBalancer(b, tt.rest)
			if arn != tt.wantARN || typ != tt.wantType {
				t.Errorf("loadBalancer(%q) = %q, %q; want %q, %q", tt.rest, arn, typ, tt.wantARN, tt.wantType)
			}
		})
	}
}

func TestTypeOfARN(t *testing.T) {
	tests := []struct{ arn, want string }{
		{"arn:aws:rds:us-east-1:111122223333:db:orders-prod", "rds:db"},
		{"arn:aws:rds:us-east-1:111122223333:cluster:orders-aurora", "rds:cluster"},
		{"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890", "ec2:instance"},
		{"arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f", "lambda:function"},
		{"arn:aws:s3:::my-bucket", "s3"},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			if got := typeOfARN(tt.arn); got != tt.want {
				t.Errorf("typeOfARN(%q) = %q, want %q", tt.arn, got, tt.want)
			}
		})
	}
}

func TestClassifyFallbacks(t *testing.T) {
	base := func(f func(*inventory.Interface)) *inventory.Interface {
		i := &inventory.Interface{ID: "eni-0123456789abcdef0", AccountID: "111122223333", Region: "eu-west-1"}
		f(i)
		return i
	}
	eniARN := "arn:aws:ec2:eu-west-1:111122223333:network-interface/eni-0123456789abcdef0"
	tests := []struct {
		name     string
		iface    *inventory.Interface
		typ      string
		firstARN string
	}{
		{"NAT gateway type without id", base(func(i *inventory.Interface) { i.InterfaceType = "nat_gateway" }), TypeNATGateway, eniARN},
		{"VPC endpoint type without id", base(func(i *inventory.Interface) { i.InterfaceType = "vpc_endpoint" }), TypeVPCEndpoint, eniARN},
		{"gateway load balancer endpoint", base(func(i *inventory.Interface) {
			i.InterfaceType = "gateway_load_balancer_endpoint"
			i.Description = "VPC Endpoint Interface vpce-0a1b2c3d4e5f60718"
		}), TypeVPCEndpoint, "arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint/vpce-0a1b2c3d4e5f60718"},
		{"ElastiCache by requester only", base(func(i *inventory.Interface) { i.RequesterID = "amazon-elasticache" }), TypeElastiCache, eniARN},
		{"RDS by attachment owner only", base(func(i *inventory.Interface) { i.InstanceOwnerID = "amazon-rds" }), TypeRDS, eniARN},
		{"malformed resource ARN hint is ignored", base(func(i *inventory.Interface) {
			i.Description = "RDSNetworkInterface"
			i.ResourceARN = "orders-prod"
		}), TypeRDS, eniARN},
		{"ECS description with another service's ARN", base(func(i *inventory.Interface) {
			i.Description = "arn:aws:ecs:eu-west-1:111122223333:cluster/shop"
		}), TypeNetworkInterface, eniARN},
		{"instance attachment of a non-instance", base(func(i *inventory.Interface) { i.InstanceID = "amazon-aws" }), TypeNetworkInterface, eniARN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := classify(tt.iface)
			if r.typ != tt.typ || r.arns[0] != tt.firstARN {
				t.Errorf("classify = %q %q, want %q %q", r.typ, r.arns, tt.typ, tt.firstARN)
			}
		})
	}
}
