package inventory

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
)

// amazonService is the ip-ranges.json code that covers every AWS range.
const amazonService = "AMAZON"

// ec2Service is the code other services' ranges are often also listed under.
const ec2Service = "EC2"

// u128 is an address as a 128-bit number; IPv4 uses its IPv4-mapped form.
type u128 struct{ hi, lo uint64 }

func toU128(a netip.Addr) u128 {
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func compareU128(a, b u128) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

func (a u128) next() (u128, bool) {
	if a.lo == ^uint64(0) {
		if a.hi == ^uint64(0) {
			return u128{}, false
		}
		return u128{a.hi + 1, 0}, true
	}
	return u128{a.hi, a.lo + 1}, true
}

// last returns the highest address of p, in the same 128-bit space.
func last(p netip.Prefix) u128 {
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	v := toU128(p.Masked().Addr())
	switch {
	case bits <= 0:
		return u128{^uint64(0), ^uint64(0)}
	case bits < 64:
		return u128{v.hi | ^uint64(0)>>bits, ^uint64(0)}
	case bits < 128:
		return u128{v.hi, v.lo | ^uint64(0)>>(bits-64)}
	}
	return v
}

// serviceRange is one published ip-ranges.json prefix.
type serviceRange struct {
	prefix             netip.Prefix
	service            string
	region             string
	networkBorderGroup string
}

// rangeTable resolves an address to the longest matching prefix by binary
// search over the disjoint segments the nested prefixes cut the space into.
type rangeTable struct {
	starts  []u128
	vals    []int32 // index into entries, or -1 between prefixes
	entries []serviceRange
}

// serviceRanges holds two tables: one for the specific service codes and
// one for AMAZON, which is the superset of them all.
type serviceRanges struct {
	specific, amazon *rangeTable
}

func (r serviceRanges) lookup(addr netip.Addr) (service, region string, ok bool) {
	if !addr.IsValid() || r.specific == nil && r.amazon == nil {
		return "", "", false
	}
	k := toU128(addr.Unmap())
	for _, t := range [2]*rangeTable{r.specific, r.amazon} {
		if e, ok := t.lookup(k); ok {
			return e.service, e.region, true
		}
	}
	return "", "", false
}

func (t *rangeTable) lookup(k u128) (*serviceRange, bool) {
	if t == nil {
		return nil, false
	}
	// Find the last segment starting at or before k.
	lo, hi := 0, len(t.starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k.less(t.starts[m]) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	if lo == 0 || t.vals[lo-1] < 0 {
		return nil, false
	}
	return &t.entries[t.vals[lo-1]], true
}

// servicePriority orders services published for the very same prefix: AWS
// lists every range under AMAZON too, and a range that a service runs on EC2
// capacity under both EC2 and that service, although only that service uses
// it ("Range overlaps" in the VPC user guide). So the other service wins
// over EC2, and EC2 over AMAZON.
func servicePriority(s string) int {
	switch s {
	case amazonService:
		return 0
	case ec2Service:
		return 1
	}
	return 2
}

// buildRanges makes the lookup tables from published prefixes.
func buildRanges(in []serviceRange) serviceRanges {
	var specific, amazon []serviceRange
	for _, r := range in {
		if r.service == amazonService {
			amazon = append(amazon, r)
		} else {
			specific = append(specific, r)
		}
	}
	return serviceRanges{specific: buildTable(specific), amazon: buildTable(amazon)}
}

func buildTable(in []serviceRange) *rangeTable {
	if len(in) == 0 {
		return nil
	}
	// One entry per prefix, the preferred service first; ties go to the
	// alphabetically first code so the result does not depend on file order.
	slices.SortFunc(in, func(a, b serviceRange) int {
		if c := compareU128(toU128(a.prefix.Addr()), toU128(b.prefix.Addr())); c != 0 {
			return c
		}
		if c := cmp.Compare(a.prefix.Bits()+famBits(a.prefix), b.prefix.Bits()+famBits(b.prefix)); c != 0 {
			return c
		}
		if c := cmp.Compare(servicePriority(b.service), servicePriority(a.service)); c != 0 {
			return c
		}
		return cmp.Compare(a.service, b.service)
	})
	in = slices.CompactFunc(in, func(a, b serviceRange) bool { return a.prefix == b.prefix })

	t := &rangeTable{entries: in}
	emit := func(start u128, v int32) {
		n := len(t.starts)
		if n > 0 && t.starts[n-1] == start {
			t.vals[n-1] = v
			return
		}
		if n > 0 && t.vals[n-1] == v {
			return
		}
		t.starts = append(t.starts, start)
		t.vals = append(t.vals, v)
	}
	type open struct {
		end u128
		val int32
	}
	var stack []open
	pop := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		after, ok := top.end.next()
		if !ok {
			return
		}
		v := int32(-1)
		if len(stack) > 0 {
			v = stack[len(stack)-1].val
		}
		emit(after, v)
	}
	// Sorted by start and then widest first, CIDR prefixes either nest or
	// are disjoint, so a stack of the open ones is enough.
	for i, r := range in {
		start := toU128(r.prefix.Addr())
		for len(stack) > 0 && stack[len(stack)-1].end.less(start) {
			pop()
		}
		emit(start, int32(i))
		stack = append(stack, open{end: last(r.prefix), val: int32(i)})
	}
	for len(stack) > 0 {
		pop()
	}
	return t
}

// famBits puts IPv4 prefix lengths into the 128-bit space they are sorted in.
func famBits(p netip.Prefix) int {
	if p.Addr().Is4() {
		return 96
	}
	return 0
}
