package attribution_test

import (
	"net/netip"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
)

func BenchmarkAttribute(b *testing.B) {
	inv := fixture(b)
	cases := []struct {
		name  string
		addr  netip.Addr
		hints attribution.Hints
	}{
		{"instance", netip.MustParseAddr("10.0.1.10"), attribution.Hints{}},
		{"ecs-task-hint", netip.MustParseAddr("10.0.1.77"), attribution.Hints{ECSTaskARN: "arn:aws:ecs:us-east-1:111122223333:task/shop-prod/0f2b7c9e4d1a4b6c8e3f5a7b9c1d3e5f"}},
		{"aws-service", netip.MustParseAddr("52.216.64.10"), attribution.Hints{}},
		{"aws-service-hint", netip.MustParseAddr("198.51.100.7"), attribution.Hints{AwsService: "DYNAMODB"}},
		{"internet", netip.MustParseAddr("198.51.100.7"), attribution.Hints{}},
		{"unknown-private", netip.MustParseAddr("10.9.9.9"), attribution.Hints{}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				attribution.Attribute(inv, c.addr, at, c.hints)
			}
		})
	}
	b.Run("instance-parallel", func(b *testing.B) {
		addr := netip.MustParseAddr("10.0.1.10")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				attribution.Attribute(inv, addr, at, attribution.Hints{})
			}
		})
	})
}
