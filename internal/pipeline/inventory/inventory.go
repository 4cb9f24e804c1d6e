// Package inventory answers, for an address and a moment, which network
// interface owned it, which tags a resource carries and which AWS service a
// public address belongs to. It is loaded from the JSON that the AWS CLI
// prints and is read on the enrichment hot path, so lookups do not allocate.
package inventory

import (
	"maps"
	"math"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"
)

// span is one validity range [from, to) of an address, in Unix nanoseconds.
type span struct {
	from, to int64
	iface    *Interface
}

const (
	beginning = math.MinInt64
	forever   = math.MaxInt64
)

// generations hands out inventory generations, unique across inventories so
// that a value memoised for one inventory is never mistaken for another's.
var generations atomic.Uint64

// Inventory is a read-mostly index of network interfaces, resource tags and
// AWS service address ranges.
//
// Lookups are safe from many goroutines at once. Add, SetTags and the loaders
// are not safe to run alongside lookups: build or update an inventory first
// (Clone gives a copy to update) and then publish it, for example through an
// atomic.Pointer.
type Inventory struct {
	v4 map[uint32][]span
	// v4Seen has a bit for every /16 that holds an address of v4, so that
	// most addresses no interface owns (internet peers) are told apart
	// without a map lookup.
	v4Seen   [1 << 16 / 64]uint64
	v6       map[netip.Addr][]span
	v6Prefix map[netip.Prefix][]span
	v6Bits   []int
	byID     map[string]*Interface
	tags     map[string]map[string]string
	ranges   serviceRanges
	gen      uint64
}

// New returns an empty inventory.
func New() *Inventory {
	return &Inventory{
		v4:       make(map[uint32][]span),
		v6:       make(map[netip.Addr][]span),
		v6Prefix: make(map[netip.Prefix][]span),
		byID:     make(map[string]*Interface),
		tags:     make(map[string]map[string]string),
		gen:      generations.Add(1),
	}
}

// Clone returns a copy that can be updated while the original keeps serving
// lookups. Interfaces and tag maps are shared, not copied.
func (inv *Inventory) Clone() *Inventory {
	c := &Inventory{
		v4:       make(map[uint32][]span, len(inv.v4)),
		v6:       make(map[netip.Addr][]span, len(inv.v6)),
		v6Prefix: make(map[netip.Prefix][]span, len(inv.v6Prefix)),
		v6Bits:   append([]int(nil), inv.v6Bits...),
		byID:     make(map[string]*Interface, len(inv.byID)),
		tags:     make(map[string]map[string]string, len(inv.tags)),
		ranges:   inv.ranges,
		gen:      generations.Add(1),
	}
	c.v4Seen = inv.v4Seen
	for k, v := range inv.v4 {
		c.v4[k] = append([]span(nil), v...)
	}
	for k, v := range inv.v6 {
		c.v6[k] = append([]span(nil), v...)
	}
	for k, v := range inv.v6Prefix {
		c.v6Prefix[k] = append([]span(nil), v...)
	}
	for k, v := range inv.byID {
		c.byID[k] = v
	}
	for k, v := range inv.tags {
		c.tags[k] = v
	}
	return c
}

// Generation identifies the inventory's contents: it changes on every
// update, so values derived from the inventory can tell when they are stale.
func (inv *Inventory) Generation() uint64 { return inv.gen }

func (inv *Inventory) touch() { inv.gen = generations.Add(1) }

// Add records that iface owned addr from from until to. A zero from means
// "since before any record", a zero to means "still does" (open-ended).
//
// Addresses are reused, so ownership is kept per time range: a new range
// closes any open-ended range of another owner that started before it,
// ranges of the same interface with the same facts that overlap or touch
// are merged, and where ranges still overlap the one that started last
// wins. Ranges of one interface with different facts (another attachment,
// other tags) are another owner and are never merged, so that each time
// keeps the facts it had.
func (inv *Inventory) Add(iface *Interface, addr netip.Addr, from, to time.Time) {
	inv.add(iface, addr, from, to)
	inv.index(iface)
	inv.touch()
}

// AddPrefix records that iface owned every address of a delegated prefix
// (ENI prefix delegation, as EKS uses) from from until to.
func (inv *Inventory) AddPrefix(iface *Interface, p netip.Prefix, from, to time.Time) {
	inv.addPrefix(iface, p, from, to)
	inv.index(iface)
	inv.touch()
}

// IPv4 prefixes of up to 256 addresses are expanded into single addresses;
// AWS delegates IPv4 prefixes as /28s.
const maxExpandBits = 8

func (inv *Inventory) addPrefix(iface *Interface, p netip.Prefix, from, to time.Time) {
	p = p.Masked()
	if !p.IsValid() {
		return
	}
	if p.Addr().Is4() {
		if 32-p.Bits() > maxExpandBits {
			return
		}
		for a := p.Addr(); p.Contains(a); a = a.Next() {
			inv.add(iface, a, from, to)
		}
		return
	}
	s := newSpan(iface, from, to)
	inv.v6Prefix[p] = insertSpan(inv.v6Prefix[p], s)
	for _, b := range inv.v6Bits {
		if b == p.Bits() {
			return
		}
	}
	inv.v6Bits = append(inv.v6Bits, p.Bits())
}

func (inv *Inventory) index(iface *Interface) {
	if iface.ID != "" {
		inv.byID[iface.ID] = iface
	}
}

func newSpan(iface *Interface, from, to time.Time) span {
	s := span{from: beginning, to: forever, iface: iface}
	if !from.IsZero() {
		s.from = from.UnixNano()
	}
	if !to.IsZero() {
		s.to = to.UnixNano()
	}
	return s
}

func (inv *Inventory) add(iface *Interface, addr netip.Addr, from, to time.Time) {
	addr = addr.Unmap().WithZone("")
	if !addr.IsValid() {
		return
	}
	s := newSpan(iface, from, to)
	if s.to <= s.from {
		return
	}
	if addr.Is4() {
		k := v4key(addr)
		inv.v4[k] = insertSpan(inv.v4[k], s)
		inv.v4Seen[k>>22] |= 1 << (k >> 16 & 63)
		return
	}
	inv.v6[addr] = insertSpan(inv.v6[addr], s)
}

// insertSpan adds s to spans kept sorted by start. Open-ended spans of other
// owners that started earlier end where s starts: a later sighting of
// another owner means the address was released, or the interface's facts
// changed. A span of the same interface with the same facts that overlaps
// or touches s is widened instead of adding one, so reloading the same
// snapshot again and again does not grow the index.
func insertSpan(spans []span, s span) []span {
	for i := range spans {
		if o := &spans[i]; o.to == forever && o.from < s.from && !sameFacts(o.iface, s.iface) {
			o.to = s.from
		}
	}
	for i := range spans {
		o := &spans[i]
		if s.from > o.to || o.from > s.to || !sameFacts(o.iface, s.iface) {
			continue
		}
		if s.from < o.from {
			o.from = s.from
		}
		if s.to > o.to {
			o.to = s.to
		}
		// The newest description of the interface wins; its facts are
		// the same.
		o.iface = s.iface
		sortSpan(spans, i)
		return spans
	}
	spans = append(spans, s)
	sortSpan(spans, len(spans)-1)
	return spans
}

// sortSpan moves spans[i] to its place by start time.
func sortSpan(spans []span, i int) {
	for i > 0 && spans[i-1].from > spans[i].from {
		spans[i-1], spans[i] = spans[i], spans[i-1]
		i--
	}
	for i+1 < len(spans) && spans[i+1].from < spans[i].from {
		spans[i+1], spans[i] = spans[i], spans[i+1]
		i++
	}
}

func v4key(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// Lookup returns the interface that owned addr at the given time. A zero
// time asks for the owner with the latest start.
func (inv *Inventory) Lookup(addr netip.Addr, at time.Time) (*Interface, bool) {
	if inv == nil {
		return nil, false
	}
	addr = addr.Unmap()
	t := int64(forever - 1)
	if !at.IsZero() {
		t = at.UnixNano()
	}
	if addr.Is4() {
		k := v4key(addr)
		if inv.v4Seen[k>>22]&(1<<(k>>16&63)) == 0 {
			return nil, false
		}
		return find(inv.v4[k], t)
	}
	if !addr.IsValid() {
		return nil, false
	}
	if addr.Zone() != "" {
		addr = addr.WithZone("")
	}
	if iface, ok := find(inv.v6[addr], t); ok {
		return iface, true
	}
	for _, b := range inv.v6Bits {
		p, _ := addr.Prefix(b)
		if iface, ok := find(inv.v6Prefix[p], t); ok {
			return iface, true
		}
	}
	return nil, false
}

// LookupRange is Lookup that also returns the range of times [from, to),
// in Unix nanoseconds and containing at, over which the answer for addr
// stays the same while the inventory does (see Generation), so that a
// caller can keep it. The range may be narrower than the truth, down to at
// alone: so it is for IPv6 addresses that no interface owns directly.
func (inv *Inventory) LookupRange(addr netip.Addr, at time.Time) (iface *Interface, from, to int64, ok bool) {
	t := int64(forever - 1)
	if !at.IsZero() {
		t = at.UnixNano()
	}
	if inv == nil {
		return nil, beginning, forever, false
	}
	addr = addr.Unmap()
	if addr.Is4() {
		k := v4key(addr)
		if inv.v4Seen[k>>22]&(1<<(k>>16&63)) == 0 {
			return nil, beginning, forever, false
		}
		iface, from, to, ok = findRange(inv.v4[k], t)
		return iface, from, to, ok
	}
	if !addr.IsValid() {
		return nil, beginning, forever, false
	}
	if addr.Zone() != "" {
		addr = addr.WithZone("")
	}
	if iface, from, to, ok = findRange(inv.v6[addr], t); ok || len(inv.v6Bits) == 0 {
		return iface, from, to, ok
	}
	iface, ok = inv.Lookup(addr, at)
	return iface, t, t + 1, ok
}

// findRange is find that also returns the range of times around t with the
// same answer: a later-starting span takes over where it starts, and until
// it ends.
func findRange(spans []span, t int64) (iface *Interface, from, to int64, ok bool) {
	from, to = beginning, forever
	i := len(spans) - 1
	for ; i >= 0; i-- {
		if s := &spans[i]; s.from <= t && t < s.to {
			iface, ok = s.iface, true
			from, to = s.from, s.to
			break
		}
	}
	// Spans that start later (all of them when none holds t) do not
	// contain t: they bound the range.
	for j := i + 1; j < len(spans); j++ {
		if s := &spans[j]; s.from > t {
			to = min(to, s.from)
		} else {
			from = max(from, s.to)
		}
	}
	return iface, from, to, ok
}

// find returns the latest-starting span that contains t.
func find(spans []span, t int64) (*Interface, bool) {
	for i := len(spans) - 1; i >= 0; i-- {
		if s := &spans[i]; s.from <= t && t < s.to {
			return s.iface, true
		}
	}
	return nil, false
}

// InterfaceByID returns the latest description of an interface by its id.
func (inv *Inventory) InterfaceByID(eniID string) (*Interface, bool) {
	if inv == nil {
		return nil, false
	}
	iface, ok := inv.byID[eniID]
	return iface, ok
}

// SetResourceARN records the ARN of the resource behind an interface, for
// interfaces whose description does not name it (see Interface.ResourceARN).
// The interface is replaced by an updated copy, so clones that share it are
// unaffected. It reports whether the interface is known.
func (inv *Inventory) SetResourceARN(eniID, arn string) bool {
	old, ok := inv.byID[eniID]
	if !ok {
		return false
	}
	c := &Interface{}
	*c = *old
	c.memo = atomic.Value{}
	c.ResourceARN = arn
	inv.byID[eniID] = c
	swap := func(spans []span) {
		for i := range spans {
			if spans[i].iface == old {
				spans[i].iface = c
			}
		}
	}
	// A rare, configuration-time call: walking every span is simpler than
	// tracking which addresses were added for the interface.
	for _, spans := range inv.v4 {
		swap(spans)
	}
	for _, spans := range inv.v6 {
		swap(spans)
	}
	for _, spans := range inv.v6Prefix {
		swap(spans)
	}
	inv.touch()
	return true
}

// Len returns the number of interfaces the inventory knows.
func (inv *Inventory) Len() int { return len(inv.byID) }

// Tags returns the tags of a resource by ARN, or nil. The map is shared:
// callers must not modify it.
func (inv *Inventory) Tags(arn string) map[string]string {
	if inv == nil {
		return nil
	}
	return inv.tags[arn]
}

// SetTags replaces the tags of a resource; an empty map forgets them.
func (inv *Inventory) SetTags(arn string, tags map[string]string) {
	if len(tags) == 0 {
		delete(inv.tags, arn)
	} else {
		inv.tags[arn] = tags
	}
	inv.touch()
}

// AWSService returns the ip-ranges.json service code (S3, EC2, AMAZON, ...)
// and region of a public AWS address. See LoadIPRanges for how overlapping
// ranges are resolved.
func (inv *Inventory) AWSService(addr netip.Addr) (service, region string, ok bool) {
	if inv == nil {
		return "", "", false
	}
	return inv.ranges.lookup(addr)
}

// sameFacts reports whether two descriptions are of the same interface
// with the same facts, tags included.
func sameFacts(a, b *Interface) bool {
	if a == b {
		return true
	}
	return a.ID != "" && a.ID == b.ID &&
		a.AccountID == b.AccountID && a.Region == b.Region &&
		a.AvailabilityZone == b.AvailabilityZone && a.AvailabilityZoneID == b.AvailabilityZoneID &&
		a.VPCID == b.VPCID && a.SubnetID == b.SubnetID &&
		slices.Equal(a.SecurityGroupIDs, b.SecurityGroupIDs) &&
		a.InterfaceType == b.InterfaceType && a.Status == b.Status &&
		a.RequesterID == b.RequesterID && a.RequesterManaged == b.RequesterManaged &&
		a.Description == b.Description &&
		a.InstanceID == b.InstanceID && a.InstanceOwnerID == b.InstanceOwnerID &&
		a.AttachTime.Equal(b.AttachTime) && a.AttachmentStatus == b.AttachmentStatus &&
		slices.Equal(a.PrivateIPs, b.PrivateIPs) && slices.Equal(a.PublicIPs, b.PublicIPs) &&
		slices.Equal(a.IPv6s, b.IPv6s) &&
		slices.Equal(a.IPv4Prefixes, b.IPv4Prefixes) && slices.Equal(a.IPv6Prefixes, b.IPv6Prefixes) &&
		maps.Equal(a.Tags, b.Tags) && a.ResourceARN == b.ResourceARN
}
