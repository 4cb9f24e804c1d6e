package enrich

import (
	"io"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// TestAttributeRemembers checks the endpoints the enricher remembers for
// interface addresses against attribution.Attribute, on an inventory whose
// addresses change hands over time and whose tags change between calls.
func TestAttributeRemembers(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 4))
	base := time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	inv := inventory.New()
	ifaces := []*inventory.Interface{
		{ID: "eni-0a", SubnetID: "subnet-1", VPCID: "vpc-1", AvailabilityZone: "us-east-1a", Tags: map[string]string{"Name": "a"}},
		{ID: "eni-0b", SubnetID: "subnet-2", VPCID: "vpc-1", AvailabilityZone: "us-east-1b", InstanceID: "i-0b"},
		{ID: "eni-0c", SubnetID: "subnet-1", VPCID: "vpc-1", Description: "ELB app/web/0123456789abcdef"},
	}
	addrs := []netip.Addr{
		netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.9"),
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::ffff:10.0.0.1"), netip.MustParseAddr("203.0.113.5"),
	}
	// The same address owned by different interfaces one after the other,
	// and overlapping ranges.
	inv.Add(ifaces[0], addrs[0], at(0), at(30))
	inv.Add(ifaces[1], addrs[0], at(30), at(60))
	inv.Add(ifaces[2], addrs[0], at(45), at(50))
	inv.Add(ifaces[1], addrs[1], time.Time{}, time.Time{})
	inv.Add(ifaces[2], addrs[3], at(10), time.Time{})
	w, err := connrows.NewNDJSON(io.Discard, connrows.NDJSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(inv, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5000 {
		if i%700 == 0 {
			inv.SetTags(ifaces[0].ARN(), map[string]string{"round": string(rune('a' + i/700))})
		}
		a := addrs[rng.IntN(len(addrs))]
		when := at(rng.IntN(70) - 5)
		want := attribution.Attribute(inv, a, when, attribution.Hints{})
		owned, other := &e.ownedSrc, &e.srcEnd
		if rng.IntN(2) == 0 {
			owned, other = &e.ownedDst, &e.dstEnd
		}
		if got := e.attribute(owned, other, a, when, attribution.Hints{}); !reflect.DeepEqual(*got, want) {
			t.Fatalf("call %d: %v at %v: %+v, want %+v", i, a, when, *got, want)
		}
	}
}
