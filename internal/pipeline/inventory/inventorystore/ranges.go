package inventorystore

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// Range is one period during which an interface owned an address or a
// delegated prefix with the same facts.
type Range struct {
	// Key is the address (a /32 or /128) or the delegated prefix.
	Key         netip.Prefix
	InterfaceID string
	// From is the start; zero means since before any record.
	From time.Time
	// To is the end, exclusive; zero means the range is still open.
	To time.Time
	// Interface holds the interface's facts over the range, without tags
	// (see Store.TagHistory).
	Interface *inventory.Interface
	// ResourceType and ResourceARN attribute the interface (see Resource).
	ResourceType string
	ResourceARN  string
}

// Open reports whether the range has no end yet.
func (r *Range) Open() bool { return r.To.IsZero() }

// Contains reports whether the range covers t.
func (r *Range) Contains(t time.Time) bool {
	return (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || t.Before(r.To))
}

// Owned is a period during which an interface owned an address or
// delegated prefix, as the ownership events of the key tell, before the
// interface's own history (facts, deletion) is applied.
type Owned struct {
	Key         netip.Prefix
	InterfaceID string
	// From and To are epoch milliseconds; To is 0 while open.
	From, To int64
	// Expires is the ttl of the open event that started the period, in
	// epoch seconds (0 for none): the sync refreshes it while the period
	// is open.
	Expires int64
}

// ownEvent is one ownership event of an address: an interface took it
// (open) or gave it up (close) at a time.
type ownEvent struct {
	at   int64
	open bool
	eni  string
	ttl  int64
}

// Ownership event sort keys: AT#<ms, 13 digits>#<C|O>#<eni>. Closes sort
// before opens of the same millisecond, so that an interface giving an
// address up and another (or the same) taking it in the same millisecond
// leaves the taker owning it.
const (
	prefixAt = "AT#"
	opClose  = "C"
	opOpen   = "O"
)

func eventSK(at int64, open bool, eni string) string {
	op := opClose
	if open {
		op = opOpen
	}
	return prefixAt + fmt.Sprintf("%013d", at) + "#" + op + "#" + eni
}

func parseEventSK(sk string) (ownEvent, bool) {
	rest, ok := strings.CutPrefix(sk, prefixAt)
	if !ok {
		return ownEvent{}, false
	}
	parts := strings.SplitN(rest, "#", 3)
	if len(parts) != 3 {
		return ownEvent{}, false
	}
	at, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return ownEvent{}, false
	}
	return ownEvent{at: at, open: parts[1] == opOpen, eni: parts[2]}, true
}

// foldOwnership turns the ownership events of one key into periods. Events
// are taken in the order of their own time (closes first within a
// millisecond), whatever order they were written in and however often:
//
//   - an open by the interface that owns the key already changes nothing;
//   - an open by another interface ends the current owner's period at its
//     time (a reassignment: AllowReassignment, AllowReassociation, an
//     Elastic IP moved back, or an unassignment whose event was lost) and
//     starts the new owner's;
//   - a close by the current owner ends its period; a close by any other
//     interface is about a period that has ended already and changes
//     nothing.
//
// The result is the same for any order and number of deliveries of the
// same events: it depends on the set of events only.
func foldOwnership(k netip.Prefix, evs []ownEvent) []Owned {
	slices.SortFunc(evs, func(a, b ownEvent) int {
		if a.at != b.at {
			if a.at < b.at {
				return -1
			}
			return 1
		}
		if a.open != b.open {
			if !a.open {
				return -1
			}
			return 1
		}
		return strings.Compare(a.eni, b.eni)
	})
	var out []Owned
	var cur *Owned
	for _, e := range evs {
		switch {
		case e.open && cur != nil && cur.InterfaceID == e.eni:
			cur.Expires = max(cur.Expires, e.ttl)
		case e.open:
			if cur != nil {
				cur.To = e.at
				if cur.To > cur.From {
					out = append(out, *cur)
				}
			}
			cur = &Owned{Key: k, InterfaceID: e.eni, From: e.at, Expires: e.ttl}
		case cur != nil && cur.InterfaceID == e.eni:
			cur.To = e.at
			if cur.To > cur.From {
				out = append(out, *cur)
			}
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// putEvents writes ownership events of an interface; writing an event
// again rewrites the same item.
func (s *Store) putEvents(ctx context.Context, eni string, keys []netip.Prefix, at int64, open bool) error {
	if len(keys) == 0 {
		return nil
	}
	reqs := make([]types.WriteRequest, 0, len(keys))
	for _, k := range keys {
		item := key(ipPK(k), eventSK(at, open, eni))
		item["eni"] = str(eni)
		item["ttl"] = num(s.expiry(at))
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		what := "closing"
		if open {
			what = "opening"
		}
		return fmt.Errorf("%s ownership of %d addresses by %s: %w", what, len(keys), eni, err)
	}
	return nil
}

// refreshOpen gives the open event of a period a new ttl, so that a period
// still open when its start is older than the retention keeps its start.
func (s *Store) refreshOpen(ctx context.Context, o Owned, at int64) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(ipPK(o.Key), eventSK(o.From, true, o.InterfaceID)),
		UpdateExpression:          aws.String("SET #ttl = :ttl"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames:  map[string]string{"#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":ttl": num(s.expiry(at))},
	})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("refreshing ownership of %s by %s: %w", AddrKey(o.Key), o.InterfaceID, err)
	}
	return nil
}

// OpenRange records that an interface owns the address or delegated prefix
// k from at on. It reports whether anything was written.
func (s *Store) OpenRange(ctx context.Context, k netip.Prefix, eniID string, at time.Time) (bool, error) {
	return true, s.putEvents(ctx, eniID, masked([]netip.Prefix{k}), ms(at), true)
}

// CloseRange records that an interface gave up k at to.
func (s *Store) CloseRange(ctx context.Context, k netip.Prefix, eniID string, to time.Time) (bool, error) {
	return true, s.putEvents(ctx, eniID, masked([]netip.Prefix{k}), ms(to), false)
}

// KeysOf returns the keys under which ranges covering addr are stored: the
// address itself and the delegated prefix that would contain it (a /28 for
// IPv4, a /80 for IPv6).
func KeysOf(addr netip.Addr) []netip.Prefix {
	addr = addr.Unmap().WithZone("")
	if !addr.IsValid() {
		return nil
	}
	bits := 28
	if addr.Is6() {
		bits = 80
	}
	p, _ := addr.Prefix(bits)
	return []netip.Prefix{Single(addr), p}
}

// KeyOwnership returns the periods of one key.
func (s *Store) KeyOwnership(ctx context.Context, k netip.Prefix) ([]Owned, error) {
	items, err := s.queryAll(ctx, ipPK(k), false)
	if err != nil {
		return nil, fmt.Errorf("reading ownership of %s: %w", AddrKey(k), err)
	}
	evs := make([]ownEvent, 0, len(items))
	for _, item := range items {
		e, ok := parseEventSK(stringAttr(item, attrSK))
		if !ok {
			continue
		}
		if v, ok := item["ttl"].(*types.AttributeValueMemberN); ok {
			e.ttl, _ = strconv.ParseInt(v.Value, 10, 64)
		}
		evs = append(evs, e)
	}
	return foldOwnership(k, evs), nil
}

// Ownership returns the periods of every key that covers addr (the
// address and the prefix that would contain it), sorted by start.
func (s *Store) Ownership(ctx context.Context, addr netip.Addr) ([]Owned, error) {
	var out []Owned
	for _, k := range KeysOf(addr) {
		os, err := s.KeyOwnership(ctx, k)
		if err != nil {
			return nil, err
		}
		out = append(out, os...)
	}
	slices.SortStableFunc(out, func(a, b Owned) int { return cmpInt(a.From, b.From) })
	return out, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Ranges returns every range stored for addr, under the address and under
// the prefix that would contain it, sorted by start: the periods of
// ownership, ended where their interface was deleted and split where its
// facts changed.
func (s *Store) Ranges(ctx context.Context, addr netip.Addr) ([]Range, error) {
	os, err := s.Ownership(ctx, addr)
	if err != nil {
		return nil, err
	}
	hist := make(map[string]*History)
	var out []Range
	for _, o := range os {
		h, ok := hist[o.InterfaceID]
		if !ok {
			h, err = s.History(ctx, o.InterfaceID)
			if err != nil {
				return nil, err
			}
			hist[o.InterfaceID] = h
		}
		out = append(out, h.Split(o)...)
	}
	slices.SortStableFunc(out, func(a, b Range) int { return a.From.Compare(b.From) })
	return out, nil
}

func stringAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// LookupIP returns the range of the interface that owned addr at time at:
// of the ranges that contain at, the one that started last, as
// inventory.Inventory.Lookup decides. A zero at asks for the open range
// with the latest start.
func (s *Store) LookupIP(ctx context.Context, addr netip.Addr, at time.Time) (Range, bool, error) {
	rs, err := s.Ranges(ctx, addr)
	if err != nil {
		return Range{}, false, err
	}
	r, ok := Pick(rs, at)
	return r, ok, nil
}

// Pick returns, of ranges sorted by start, the one that started last and
// contains at; a zero at picks the open range with the latest start.
func Pick(rs []Range, at time.Time) (Range, bool) {
	for i := len(rs) - 1; i >= 0; i-- {
		if (at.IsZero() && rs[i].Open()) || (!at.IsZero() && rs[i].Contains(at)) {
			return rs[i], true
		}
	}
	return Range{}, false
}
