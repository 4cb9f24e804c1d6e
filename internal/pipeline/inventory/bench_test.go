package inventory_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// bigInventory holds n interfaces with one address each, in 10.0.0.0/8, and
// about 8,000 service prefixes, the size of today's ip-ranges.json.
func bigInventory(b *testing.B, n int) (*inventory.Inventory, []netip.Addr) {
	b.Helper()
	inv := inventory.New()
	at := time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
	addrs := make([]netip.Addr, n)
	for i := range n {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		addrs[i] = a
		inv.Add(&inventory.Interface{ID: fmt.Sprintf("eni-%017x", i)}, a, at, time.Time{})
	}
	var sb strings.Builder
	sb.WriteString("[")
	for i := range 8000 {
		if i > 0 {
			sb.WriteString(",")
		}
		svc := [...]string{"AMAZON", "EC2", "S3", "DYNAMODB"}[i%4]
		fmt.Fprintf(&sb, `{"ip_prefix": "%d.%d.%d.0/24", "region": "us-east-1", "service": %q}`, 3+i/65536, (i/256)%256, i%256, svc)
	}
	sb.WriteString("]")
	if err := inv.LoadIPRanges(strings.NewReader(sb.String())); err != nil {
		b.Fatal(err)
	}
	return inv, addrs
}

func BenchmarkLookup(b *testing.B) {
	inv, addrs := bigInventory(b, 100_000)
	at := time.Date(2024, 5, 14, 10, 0, 0, 0, time.UTC)
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, ok := inv.Lookup(addrs[i%len(addrs)], at); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("miss", func(b *testing.B) {
		a := netip.MustParseAddr("198.51.100.7")
		b.ReportAllocs()
		for b.Loop() {
			inv.Lookup(a, at)
		}
	})
}

func BenchmarkAWSService(b *testing.B) {
	inv, _ := bigInventory(b, 1)
	probes := []netip.Addr{
		netip.MustParseAddr("3.0.17.9"),
		netip.MustParseAddr("3.20.5.1"),
		netip.MustParseAddr("198.51.100.7"),
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		inv.AWSService(probes[i%len(probes)])
	}
}
