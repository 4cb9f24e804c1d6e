package attribution_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

var update = flag.Bool("update", false, "rewrite golden files")

var at = time.Date(2024, 5, 14, 10, 0, 0, 0, time.UTC)

// fixture loads the interfaces, tags and AWS ranges in testdata, the
// interfaces with no start so that any record time finds them.
func fixture(t testing.TB) *inventory.Inventory {
	t.Helper()
	inv := inventory.New()
	loads := []struct {
		file string
		load func(*os.File) error
	}{
		{"network-interfaces.json", func(f *os.File) error { return inv.LoadNetworkInterfaces(f, time.Time{}) }},
		{"get-resources.json", func(f *os.File) error { return inv.LoadTags(f) }},
		{"ip-ranges.json", func(f *os.File) error { return inv.LoadIPRanges(f) }},
	}
	for _, l := range loads {
		f, err := os.Open("testdata/" + l.file)
		if err != nil {
			t.Fatal(err)
		}
		err = l.load(f)
		f.Close()
		if err != nil {
			t.Fatalf("loading %s: %v", l.file, err)
		}
	}
	return inv
}

func TestAttributeRules(t *testing.T) {
	inv := fixture(t)
	inv.SetResourceARN("eni-0d4c3b2a190817265", "arn:aws:rds:us-east-1:111122223333:db:billing-replica")

	tests := []struct {
		name      string
		addr      string
		hints     attribution.Hints
		typ       string
		arns      []string
		lbType    string
		region    string
		service   string
		iface     string
		tags      map[string]string // expected subset
		noTags    bool
		rfc1918   bool
		rfc6598   bool
		ula       bool
		public    bool
		wantKey   string
		wantAZID  string
		wantSGs   []string
		wantAcct  string
		wantVPC   string
		wantSubnt string
	}{
		{
			name: "EC2 instance by attachment", addr: "10.0.1.10",
			typ:    attribution.TypeInstance,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890"},
			region: "us-east-1", iface: "eni-0a1b2c3d4e5f60718", rfc1918: true,
			tags:     map[string]string{"Name": "web-1", "team": "platform-network", "owner": "data-team@example.com"},
			wantKey:  "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890",
			wantAZID: "use1-az2", wantSGs: []string{"sg-0f1e2d3c4b5a69788"}, wantAcct: "111122223333",
			wantVPC: "vpc-0c1d2e3f4a5b6c7d8", wantSubnt: "subnet-0e4d5c6b7a8f90123",
		},
		{
			name: "EC2 instance by its elastic IP", addr: "54.210.33.17",
			typ:    attribution.TypeInstance,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890"},
			region: "us-east-1", iface: "eni-0a1b2c3d4e5f60718", public: true,
		},
		{
			name: "EC2 instance by IPv6, ahead of the EC2 range it is in", addr: "2600:1f18:4a3:6f00:8d2e:13c9:5b0a:77e1",
			hints:  attribution.Hints{AwsService: "EC2"},
			typ:    attribution.TypeInstance,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890"},
			region: "us-east-1", iface: "eni-0a1b2c3d4e5f60718", public: true,
		},
		{
			name: "Lambda function, current description", addr: "10.0.2.200",
			typ:    attribution.TypeLambdaFunction,
			arns:   []string{"arn:aws:lambda:us-east-1:111122223333:function:orders-api"},
			region: "us-east-1", iface: "eni-05c4d3e2f1a0b9c87", rfc1918: true,
			tags: map[string]string{"app": "orders", "aws:cloudformation:stack-name": "orders-prod"},
		},
		{
			name: "Lambda function, older description", addr: "10.0.2.201",
			typ:    attribution.TypeLambdaFunction,
			arns:   []string{"arn:aws:lambda:us-east-1:111122223333:function:billing_nightly"},
			region: "us-east-1", rfc1918: true,
		},
		{
			name: "Lambda interface without a function name", addr: "10.0.2.202",
			typ:    attribution.TypeLambdaFunction,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:network-interface/eni-0f00e11d22c33b44a"},
			region: "us-east-1", rfc1918: true, noTags: true,
		},
		{
			name: "RDS, identifier not derivable", addr: "10.0.3.41",
			typ:    attribution.TypeRDS,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:network-interface/eni-0d4c3b2a190817263"},
			region: "us-east-1", rfc1918: true, noTags: true,
			wantKey: "arn:aws:ec2:us-east-1:111122223333:network-interface/eni-0d4c3b2a190817263",
		},
		{
			name: "RDS named by the ENI tag", addr: "10.0.3.42",
			typ:    attribution.TypeRDS,
			arns:   []string{"arn:aws:rds:us-east-1:111122223333:db:orders-prod"},
			region: "us-east-1", rfc1918: true,
			tags: map[string]string{"data-classification": "confidential"},
		},
		{
			name: "RDS named by the caller", addr: "10.0.3.43",
			typ:    attribution.TypeRDS,
			arns:   []string{"arn:aws:rds:us-east-1:111122223333:db:billing-replica"},
			region: "us-east-1", rfc1918: true, noTags: true,
		},
		{
			name: "application load balancer", addr: "10.0.4.251",
			typ:    attribution.TypeLoadBalancer,
			arns:   []string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/shop-public/8f314ac75b1d43a8"},
			lbType: attribution.LoadBalancerApplication, region: "us-east-1", rfc1918: true,
			tags: map[string]string{"app": "shop"},
		},
		{
			name: "application load balancer by its public IP, ahead of the EC2 range", addr: "3.218.184.81",
			typ:    attribution.TypeLoadBalancer,
			arns:   []string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/shop-public/8f314ac75b1d43a8"},
			lbType: attribution.LoadBalancerApplication, region: "us-east-1", public: true,
		},
		{
			name: "network load balancer", addr: "10.0.4.252",
			typ:    attribution.TypeLoadBalancer,
			arns:   []string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/ingress-nlb/1a2b3c4d5e6f7890"},
			lbType: attribution.LoadBalancerNetwork, region: "us-east-1", rfc1918: true,
		},
		{
			name: "gateway load balancer", addr: "10.0.4.253",
			typ:    attribution.TypeLoadBalancer,
			arns:   []string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/gwy/inspection/0f1e2d3c4b5a6978"},
			lbType: attribution.LoadBalancerGateway, region: "us-east-1", rfc1918: true,
		},
		{
			name: "classic load balancer", addr: "10.0.4.254",
			typ:    attribution.TypeLoadBalancer,
			arns:   []string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/legacy-web"},
			lbType: attribution.LoadBalancerClassic, region: "us-east-1", rfc1918: true,
		},
		{
			name: "ElastiCache node", addr: "10.0.5.31",
			typ:    attribution.TypeElastiCache,
			arns:   []string{"arn:aws:elasticache:us-east-1:111122223333:cluster:sessions-0001-001"},
			region: "us-east-1", rfc1918: true,
		},
		{
			name: "NAT gateway", addr: "10.0.0.45",
			typ:    attribution.TypeNATGateway,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:natgateway/nat-06e2c1d5f4a3b2c10"},
			region: "us-east-1", rfc1918: true, tags: map[string]string{"Name": "prod-nat-a"},
		},
		{
			name: "NAT gateway by its elastic IP", addr: "3.225.114.9",
			typ:    attribution.TypeNATGateway,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:natgateway/nat-06e2c1d5f4a3b2c10"},
			region: "us-east-1", public: true,
		},
		{
			name: "interface VPC endpoint", addr: "10.0.6.12",
			typ:    attribution.TypeVPCEndpoint,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0d8ddce4be80e4474"},
			region: "us-east-1", rfc1918: true,
		},
		{
			name: "interface VPC endpoint, older description", addr: "10.0.6.13",
			typ:    attribution.TypeVPCEndpoint,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0f00567fa8477a1e6"},
			region: "us-east-1", rfc1918: true,
		},
		{
			name: "transit gateway attachment", addr: "10.0.7.60",
			typ:    attribution.TypeTransitGateway,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:transit-gateway-attachment/tgw-attach-06bf47fa39e5d1578"},
			region: "us-east-1", rfc1918: true,
		},
		{
			name: "ECS task without a task ARN", addr: "10.0.1.77",
			typ: attribution.TypeECSTask,
			arns: []string{
				"arn:aws:ecs:us-east-1:111122223333:attachment/5b0e7d2c-9a41-4f3e-8c6d-2e1f0a9b8c7d",
				"arn:aws:ecs:us-east-1:111122223333:cluster/shop-prod",
			},
			region: "us-east-1", rfc1918: true,
			tags: map[string]string{"aws:ecs:clusterName": "shop-prod", "aws:ecs:serviceName": "checkout"},
		},
		{
			name: "ECS task with the record's task ARN", addr: "10.0.1.77",
			hints: attribution.Hints{ECSTaskARN: "arn:aws:ecs:us-east-1:111122223333:task/shop-prod/0f2b7c9e4d1a4b6c8e3f5a7b9c1d3e5f"},
			typ:   attribution.TypeECSTask,
			arns: []string{
				"arn:aws:ecs:us-east-1:111122223333:task/shop-prod/0f2b7c9e4d1a4b6c8e3f5a7b9c1d3e5f",
				"arn:aws:ecs:us-east-1:111122223333:cluster/shop-prod",
			},
			region: "us-east-1", rfc1918: true,
			tags:    map[string]string{"aws:ecs:clusterName": "shop-prod", "app": "checkout"},
			wantKey: "arn:aws:ecs:us-east-1:111122223333:task/shop-prod/0f2b7c9e4d1a4b6c8e3f5a7b9c1d3e5f",
		},
		{
			name: "ECS task, cluster taken from the task ARN", addr: "10.0.1.78",
			hints: attribution.Hints{ECSTaskARN: "arn:aws:ecs:us-east-1:111122223333:task/shop-prod/9a8b7c6d5e4f40312a1b2c3d4e5f6a7b"},
			typ:   attribution.TypeECSTask,
			arns: []string{
				"arn:aws:ecs:us-east-1:111122223333:task/shop-prod/9a8b7c6d5e4f40312a1b2c3d4e5f6a7b",
				"arn:aws:ecs:us-east-1:111122223333:cluster/shop-prod",
			},
			region: "us-east-1", rfc1918: true, noTags: true,
		},
		{
			name: "task ARN hint on a non-ECS interface is ignored", addr: "10.0.1.10",
			hints:  attribution.Hints{ECSTaskARN: "arn:aws:ecs:us-east-1:111122223333:task/shop-prod/0f2b7c9e4d1a4b6c8e3f5a7b9c1d3e5f"},
			typ:    attribution.TypeInstance,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890"},
			region: "us-east-1", rfc1918: true,
		},
		{
			name: "EFS mount target", addr: "10.0.8.9",
			typ:    attribution.TypeEFS,
			arns:   []string{"arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0a1b2c3d4e5f67890"},
			region: "us-east-1", rfc1918: true,
		},
		{
			name: "plain network interface", addr: "10.0.9.100",
			typ:    attribution.TypeNetworkInterface,
			arns:   []string{"arn:aws:ec2:us-east-1:111122223333:network-interface/eni-0d9e8f7a6b5c41302"},
			region: "us-east-1", rfc1918: true, tags: map[string]string{"Name": "failover-vip"},
		},
		{
			name: "network interface in the China partition", addr: "172.31.16.139",
			typ:    attribution.TypeNetworkInterface,
			arns:   []string{"arn:aws-cn:ec2:cn-north-1:444455556666:network-interface/eni-0123abcd4567ef890"},
			region: "cn-north-1", rfc1918: true, wantAcct: "444455556666",
		},
		{
			name: "AWS service from ip-ranges", addr: "52.216.64.10",
			typ: attribution.TypeAWSService, service: "s3", region: "us-east-1", public: true,
			wantKey: "aws:service:s3:us-east-1",
		},
		{
			name: "AWS service from the record's hint", addr: "198.51.100.7",
			hints: attribution.Hints{AwsService: "DYNAMODB"},
			typ:   attribution.TypeAWSService, service: "dynamodb", public: true,
			wantKey: "aws:service:dynamodb",
		},
		{
			name: "AMAZON hint yields to the specific range", addr: "52.216.64.10",
			hints: attribution.Hints{AwsService: "AMAZON"},
			typ:   attribution.TypeAWSService, service: "s3", region: "us-east-1", public: true,
		},
		{
			name: "specific hint wins over an AMAZON-only range", addr: "15.230.39.60",
			hints: attribution.Hints{AwsService: "ROUTE53_RESOLVER"},
			typ:   attribution.TypeAWSService, service: "route53_resolver", region: "us-east-2", public: true,
		},
		{
			name: "AMAZON-only range", addr: "15.230.39.60",
			typ: attribution.TypeAWSService, service: "amazon", region: "us-east-2", public: true,
			wantKey: "aws:service:amazon:us-east-2",
		},
		{
			name: "global service has no region", addr: "13.32.99.1",
			typ: attribution.TypeAWSService, service: "cloudfront", public: true,
		},
		{
			name: "AWS service over IPv6", addr: "2600:1fa0:80c4:1::3",
			typ: attribution.TypeAWSService, service: "s3", region: "us-east-1", public: true,
		},
		{
			name: "internet", addr: "198.51.100.7",
			typ: attribution.TypeInternet, public: true, wantKey: "internet:198.51.100.7",
		},
		{
			name: "internet over IPv4-mapped IPv6", addr: "::ffff:198.51.100.7",
			typ: attribution.TypeInternet, public: true, wantKey: "internet:198.51.100.7",
		},
		{
			name: "unknown RFC 1918 address", addr: "10.9.9.9",
			typ: attribution.TypeUnknown, rfc1918: true, wantKey: "unknown:10.9.9.9",
		},
		{
			name: "unknown shared address space", addr: "100.64.12.7",
			typ: attribution.TypeUnknown, rfc6598: true,
		},
		{
			name: "unknown unique local IPv6", addr: "fd12:3456:789a::1",
			typ: attribution.TypeUnknown, ula: true,
		},
		{
			name: "link-local is neither private nor public", addr: "169.254.169.254",
			typ: attribution.TypeUnknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := netip.MustParseAddr(tt.addr)
			e := attribution.Attribute(inv, addr, at, tt.hints)
			check := func(field string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %v, want %v", field, got, want)
				}
			}
			check("Type", e.Type, tt.typ)
			check("Addr", e.Addr, addr.Unmap())
			if !slices.Equal(e.ARNs, tt.arns) {
				t.Errorf("ARNs = %q, want %q", e.ARNs, tt.arns)
			}
			check("LoadBalancerType", e.LoadBalancerType, tt.lbType)
			check("Region", e.Region, tt.region)
			check("AwsService", e.AwsService, tt.service)
			check("Rfc1918", e.Rfc1918, tt.rfc1918)
			check("Rfc6598", e.Rfc6598, tt.rfc6598)
			check("Ula", e.Ula, tt.ula)
			check("Public", e.Public, tt.public)
			if tt.iface != "" {
				check("InterfaceID", e.InterfaceID, tt.iface)
			}
			for k, v := range tt.tags {
				check("Tags["+k+"]", e.Tags[k], v)
			}
			if tt.noTags && len(e.Tags) > 0 {
				t.Errorf("Tags = %v, want none", e.Tags)
			}
			if tt.wantKey != "" {
				check("IdentityKey()", e.IdentityKey(), tt.wantKey)
			}
			if tt.wantAZID != "" {
				check("AvailabilityZoneID", e.AvailabilityZoneID, tt.wantAZID)
			}
			if tt.wantSGs != nil && !slices.Equal(e.SecurityGroupIDs, tt.wantSGs) {
				t.Errorf("SecurityGroupIDs = %q, want %q", e.SecurityGroupIDs, tt.wantSGs)
			}
			if tt.wantAcct != "" {
				check("AccountID", e.AccountID, tt.wantAcct)
			}
			if tt.wantVPC != "" {
				check("VPCID", e.VPCID, tt.wantVPC)
			}
			if tt.wantSubnt != "" {
				check("SubnetID", e.SubnetID, tt.wantSubnt)
			}
		})
	}
}

func TestAttributeWithoutInventory(t *testing.T) {
	tests := []struct {
		name, addr string
		hints      attribution.Hints
		want       string
	}{
		{"private", "10.0.1.10", attribution.Hints{}, attribution.TypeUnknown},
		{"public", "8.8.8.8", attribution.Hints{}, attribution.TypeInternet},
		{"hinted", "52.216.64.10", attribution.Hints{AwsService: "S3"}, attribution.TypeAWSService},
		{"invalid", "", attribution.Hints{}, attribution.TypeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var addr netip.Addr
			if tt.addr != "" {
				addr = netip.MustParseAddr(tt.addr)
			}
			if got := attribution.Attribute(nil, addr, at, tt.hints); got.Type != tt.want {
				t.Errorf("Type = %q, want %q", got.Type, tt.want)
			}
		})
	}
}

func TestTimeRangedOwnership(t *testing.T) {
	inv := inventory.New()
	lambda := &inventory.Interface{
		ID: "eni-05c4d3e2f1a0b9c87", AccountID: "111122223333", Region: "us-east-1",
		InterfaceType: "lambda", Description: "AWS Lambda VPC ENI-orders-api-3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
	}
	instance := &inventory.Interface{
		ID: "eni-0a1b2c3d4e5f60718", AccountID: "111122223333", Region: "us-east-1",
		InterfaceType: "interface", InstanceID: "i-0abc12345def67890",
	}
	addr := netip.MustParseAddr("10.0.2.200")
	inv.Add(lambda, addr, at.Add(-2*time.Hour), at)
	inv.Add(instance, addr, at, time.Time{})
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"before the handover", at.Add(-time.Minute), attribution.TypeLambdaFunction},
		{"after the handover", at.Add(time.Minute), attribution.TypeInstance},
		{"before anyone", at.Add(-3 * time.Hour), attribution.TypeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := attribution.Attribute(inv, addr, tt.at, attribution.Hints{}); got.Type != tt.want {
				t.Errorf("Type = %q, want %q", got.Type, tt.want)
			}
		})
	}
}

func TestAttributeCachesPerInterface(t *testing.T) {
	inv := fixture(t)
	addr := netip.MustParseAddr("10.0.1.10")
	first := attribution.Attribute(inv, addr, at, attribution.Hints{})
	second := attribution.Attribute(inv, netip.MustParseAddr("54.210.33.17"), at, attribution.Hints{})
	if &first.ARNs[0] != &second.ARNs[0] {
		t.Error("two addresses of one interface did not share the cached description")
	}

	const arn = "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890"
	inv.SetTags(arn, map[string]string{"owner": "new-team@example.com"})
	after := attribution.Attribute(inv, addr, at, attribution.Hints{})
	if got := after.Tags["owner"]; got != "new-team@example.com" {
		t.Errorf("Tags[owner] after SetTags = %q, want the new value", got)
	}
	if got := after.Tags["app"]; got != "" {
		t.Errorf("Tags[app] after SetTags = %q, want it gone", got)
	}
}

func TestAttributeDoesNotAllocate(t *testing.T) {
	inv := fixture(t)
	task := "arn:aws:ecs:us-east-1:111122223333:task/shop-prod/0f2b7c9e4d1a4b6c8e3f5a7b9c1d3e5f"
	tests := []struct {
		name  string
		addr  string
		hints attribution.Hints
	}{
		{"instance", "10.0.1.10", attribution.Hints{}},
		{"ECS task with task ARN", "10.0.1.77", attribution.Hints{ECSTaskARN: task}},
		{"AWS service from ip-ranges", "52.216.64.10", attribution.Hints{}},
		{"AWS service from the hint", "198.51.100.7", attribution.Hints{AwsService: "DYNAMODB"}},
		{"internet", "198.51.100.7", attribution.Hints{}},
		{"unknown", "10.9.9.9", attribution.Hints{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := netip.MustParseAddr(tt.addr)
			attribution.Attribute(inv, addr, at, tt.hints) // warm the caches
			var e attribution.Endpoint
			n := testing.AllocsPerRun(100, func() {
				e = attribution.Attribute(inv, addr, at, tt.hints)
			})
			if n != 0 {
				t.Errorf("Attribute allocates %v times per call, want 0", n)
			}
			if e.Type == "" {
				t.Error("empty endpoint")
			}
		})
	}
}

func TestEndpointJSON(t *testing.T) {
	inv := fixture(t)
	var got bytes.Buffer
	enc := json.NewEncoder(&got)
	enc.SetIndent("", "  ")
	cases := []struct {
		addr  string
		hints attribution.Hints
	}{
		{"10.0.1.10", attribution.Hints{}},
		{"10.0.4.251", attribution.Hints{}},
		{"52.216.64.10", attribution.Hints{}},
		{"198.51.100.7", attribution.Hints{}},
	}
	for _, c := range cases {
		if err := enc.Encode(attribution.Attribute(inv, netip.MustParseAddr(c.addr), at, c.hints)); err != nil {
			t.Fatal(err)
		}
	}
	const golden = "testdata/endpoints.golden.json"
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("JSON differs from %s (rerun with -update to accept):\n%s", golden, got.String())
	}
}

func TestIdentityKey(t *testing.T) {
	tests := []struct {
		name string
		e    attribution.Endpoint
		want string
	}{
		{"resource ARN", attribution.Endpoint{Type: attribution.TypeInstance, ARNs: []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890"}}, "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc12345def67890"},
		{"AWS service", attribution.Endpoint{Type: attribution.TypeAWSService, AwsService: "s3", Region: "us-east-1"}, "aws:service:s3:us-east-1"},
		{"AWS service without region", attribution.Endpoint{Type: attribution.TypeAWSService, AwsService: "cloudfront"}, "aws:service:cloudfront"},
		{"internet", attribution.Endpoint{Type: attribution.TypeInternet, Addr: netip.MustParseAddr("2001:db8::7")}, "internet:2001:db8::7"},
		{"unknown", attribution.Endpoint{Type: attribution.TypeUnknown, Addr: netip.MustParseAddr("10.9.9.9")}, "unknown:10.9.9.9"},
		{"empty", attribution.Endpoint{}, "unknown"},
		{"interface without ARN", attribution.Endpoint{Type: attribution.TypeNetworkInterface, InterfaceID: "eni-0d9e8f7a6b5c41302"}, "ec2:network-interface:eni-0d9e8f7a6b5c41302"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.IdentityKey(); got != tt.want {
				t.Errorf("IdentityKey() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAttributeConcurrently(t *testing.T) {
	inv := fixture(t)
	addrs := []netip.Addr{
		netip.MustParseAddr("10.0.1.10"),
		netip.MustParseAddr("10.0.1.77"),
		netip.MustParseAddr("52.216.64.10"),
		netip.MustParseAddr("203.0.113.9"),
	}
	hints := []attribution.Hints{
		{ECSTaskARN: "arn:aws:ecs:us-east-1:111122223333:task/shop-prod/0f2b7c9e4d1a4b6c8e3f5a7b9c1d3e5f"},
		{ECSTaskARN: "arn:aws:ecs:us-east-1:111122223333:task/shop-prod/9a8b7c6d5e4f40312a1b2c3d4e5f6a7b"},
		{AwsService: "S3"},
		{AwsService: "EC2"},
	}
	done := make(chan string)
	for g := range 8 {
		go func() {
			bad := ""
			for i := range 2000 {
				a := addrs[(g+i)%len(addrs)]
				h := hints[(g*3+i)%len(hints)]
				if e := attribution.Attribute(inv, a, at, h); e.Type == "" || e.IdentityKey() == "" {
					bad = a.String()
				}
			}
			done <- bad
		}()
	}
	for range 8 {
		if bad := <-done; bad != "" {
			t.Errorf("empty attribution for %s", bad)
		}
	}
}

// TestSetFlagsIPv4 checks the byte tests Attribute makes on IPv4 addresses
// against netip's own, over every first octet and sampled others.
func TestSetFlagsIPv4(t *testing.T) {
	inv := inventory.New()
	for a := range 256 {
		for b := 0; b < 256; b += 1 + a%7 {
			for _, cd := range [][2]byte{{0, 0}, {0, 1}, {1, 2}, {255, 254}, {255, 255}} {
				addr := netip.AddrFrom4([4]byte{byte(a), byte(b), cd[0], cd[1]})
				e := attribution.Attribute(inv, addr, time.Time{}, attribution.Hints{})
				private := addr.IsPrivate()
				cgnat := netip.MustParsePrefix("100.64.0.0/10").Contains(addr)
				got := [4]bool{e.Rfc1918, e.Rfc6598, e.Ula, e.Public}
				want := [4]bool{private, cgnat, false, !private && !cgnat && addr.IsGlobalUnicast()}
				if got != want {
					t.Fatalf("%v: flags %v, want %v", addr, got, want)
				}
			}
		}
	}
}
