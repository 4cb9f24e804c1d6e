package inventory

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"
)

func TestReloadDoesNotGrowSpans(t *testing.T) {
	inv := New()
	iface := &Interface{ID: "eni-0a1b2c3d4e5f60718"}
	addr := netip.MustParseAddr("10.20.1.15")
	start := time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
	for i := range 100 {
		inv.Add(iface, addr, start.Add(time.Duration(i)*5*time.Minute), time.Time{})
	}
	if got := len(inv.v4[v4key(addr)]); got != 1 {
		t.Errorf("%d spans after 100 sightings of the same owner, want 1", got)
	}
}

// naiveService is the reference for the range tables: longest specific
// match by scanning, then longest AMAZON match.
func naiveService(ranges []serviceRange, a netip.Addr) string {
	best, bestAmazon := -1, -1
	for i, r := range ranges {
		if !r.prefix.Contains(a) {
			continue
		}
		pick := func(cur int) int {
			if cur < 0 {
				return i
			}
			c := ranges[cur]
			switch {
			case r.prefix.Bits() != c.prefix.Bits():
				if r.prefix.Bits() > c.prefix.Bits() {
					return i
				}
			case servicePriority(r.service) != servicePriority(c.service):
				if servicePriority(r.service) > servicePriority(c.service) {
					return i
				}
			case r.service < c.service:
				return i
			}
			return cur
		}
		if r.service == amazonService {
			bestAmazon = pick(bestAmazon)
		} else {
			best = pick(best)
		}
	}
	if best < 0 {
		best = bestAmazon
	}
	if best < 0 {
		return ""
	}
	return ranges[best].service
}

// FuzzServiceRanges checks the segment tables against a linear scan. Each
// 6-byte chunk of data is a prefix: 4 address bytes, a length and a service.
func FuzzServiceRanges(f *testing.F) {
	f.Add([]byte{3, 5, 0, 0, 19, 0, 3, 5, 0, 0, 19, 1, 3, 5, 0, 0, 24, 2}, uint32(0x03050001))
	f.Add([]byte{10, 0, 0, 0, 8, 3, 10, 1, 0, 0, 16, 0, 10, 1, 2, 0, 24, 1}, uint32(0x0a010203))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 32, 2}, uint32(0xffffffff))
	services := []string{amazonService, ec2Service, "S3", "DYNAMODB"}
	f.Fuzz(func(t *testing.T, data []byte, probe uint32) {
		var ranges []serviceRange
		for ; len(data) >= 6; data = data[6:] {
			a := netip.AddrFrom4([4]byte(data[:4]))
			p := netip.PrefixFrom(a, int(data[4])%33).Masked()
			ranges = append(ranges, serviceRange{prefix: p, service: services[int(data[5])%len(services)]})
		}
		ref := append([]serviceRange(nil), ranges...)
		r := buildRanges(ranges)
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], probe)
		// Probe the fuzzed address and every prefix boundary, where an
		// off-by-one would show.
		probes := []netip.Addr{netip.AddrFrom4(b)}
		for _, rr := range ref {
			probes = append(probes, rr.prefix.Addr())
			if p := rr.prefix.Addr().Prev(); p.IsValid() {
				probes = append(probes, p)
			}
			l := last(rr.prefix)
			var lb [16]byte
			binary.BigEndian.PutUint64(lb[:8], l.hi)
			binary.BigEndian.PutUint64(lb[8:], l.lo)
			end := netip.AddrFrom16(lb).Unmap()
			probes = append(probes, end)
			if n := end.Next(); n.IsValid() {
				probes = append(probes, n)
			}
		}
		for _, a := range probes {
			got, _, _ := r.lookup(a)
			if want := naiveService(ref, a); got != want {
				t.Fatalf("lookup(%s) = %q, want %q; prefixes %v", a, got, want, ref)
			}
		}
	})
}

func TestSetResourceARN(t *testing.T) {
	inv := New()
	addr := netip.MustParseAddr("10.20.3.41")
	inv.Add(&Interface{ID: "eni-0d4c3b2a190817263", Description: "RDSNetworkInterface"}, addr, time.Time{}, time.Time{})
	orig := inv.Clone()

	const arn = "arn:aws:rds:us-east-1:111122223333:db:orders-prod"
	if !inv.SetResourceARN("eni-0d4c3b2a190817263", arn) {
		t.Fatal("SetResourceARN did not find the interface")
	}
	if inv.SetResourceARN("eni-0000000000000000", arn) {
		t.Error("SetResourceARN found an unknown interface")
	}
	tests := []struct {
		name string
		inv  *Inventory
		want string
	}{
		{"updated inventory", inv, arn},
		{"clone taken before", orig, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := tt.inv.Lookup(addr, time.Time{})
			byID, _ := tt.inv.InterfaceByID("eni-0d4c3b2a190817263")
			if got.ResourceARN != tt.want || byID.ResourceARN != tt.want {
				t.Errorf("ResourceARN = %q by address, %q by id; want %q", got.ResourceARN, byID.ResourceARN, tt.want)
			}
		})
	}
}
