package inventorystore

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventory"
)

// Range is one period during which an interface owned an address or a
// delegated prefix.
type Range struct {
	// Key is the address (a /32 or /128) or the delegated prefix.
	Key         netip.Prefix
	InterfaceID string
	// From is the start; zero means since before any record.
	From time.Time
	// To is the end, exclusive; zero means the range is still open.
	To time.Time
	// Interface holds the interface's facts as last described while the
	// range was open, without tags (see Store.Tags).
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

// headItem is the ownership head of an (address, interface) pair.
type headItem struct {
	ENI       string `dynamodbav:"eni"`
	From      *int64 `dynamodbav:"from"`
	Closed    *int64 `dynamodbav:"closed"`
	Facts     *facts `dynamodbav:"facts"`
	FactsHash string `dynamodbav:"factsHash"`
	FactsAt   int64  `dynamodbav:"factsAt"`
}

// historyItem is a closed range.
type historyItem struct {
	ENI   string `dynamodbav:"eni"`
	From  int64  `dynamodbav:"from"`
	To    int64  `dynamodbav:"to"`
	Facts *facts `dynamodbav:"facts"`
}

func (s *Store) head(ctx context.Context, k netip.Prefix, eni string) (*headItem, error) {
	item, err := s.get(ctx, ipPK(k), eniSK(eni), true)
	if err != nil || item == nil {
		return nil, err
	}
	var h headItem
	if err := attributevalue.UnmarshalMap(item, &h); err != nil {
		return nil, fmt.Errorf("decoding ownership of %s by %s: %w", AddrKey(k), eni, err)
	}
	return &h, nil
}

// written says what openRange wrote.
type written int

const (
	none      written = iota
	opened            // a range opened, or its start moved back
	refreshed         // an open range got newer facts
)

// maxRaceRetries bounds how often a conditional write is retried after
// another writer changed the item between read and write.
const maxRaceRetries = 4

// snapshot is a facts snapshot ready to be written.
type snapshot struct {
	facts facts
	av    types.AttributeValue
	hash  string
}

func newSnapshot(f facts) (snapshot, error) {
	av, err := attributevalue.Marshal(f)
	if err != nil {
		return snapshot{}, err
	}
	return snapshot{facts: f, av: av, hash: f.hash()}, nil
}

// openRange records that the snapshot's interface owns k from at on. It
// opens a new range when there is none or the last one ended at or before
// at; moves the start of an open range back to at when at is earlier and
// after the last close; and otherwise refreshes the facts of an open range
// when they changed and are not older than those stored. With refreshOnly
// it never opens or moves a range. It reports what it wrote and whether the
// range is open afterwards.
func (s *Store) openRange(ctx context.Context, k netip.Prefix, snap snapshot, at int64, refreshOnly bool) (w written, open bool, err error) {
	for range maxRaceRetries {
		h, err := s.head(ctx, k, snap.facts.ID)
		if err != nil {
			return none, false, err
		}
		w := opened
		isOpen := h != nil && h.From != nil
		in := &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.table),
			Key:                      key(ipPK(k), eniSK(snap.facts.ID)),
			ExpressionAttributeNames: map[string]string{"#from": "from"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":at": num(at),
			},
		}
		setFacts := func() {
			in.ExpressionAttributeValues[":facts"] = snap.av
			in.ExpressionAttributeValues[":fh"] = str(snap.hash)
		}
		switch {
		case refreshOnly && !isOpen:
			return none, false, nil
		case h == nil:
			setFacts()
			in.ExpressionAttributeValues[":eni"] = str(snap.facts.ID)
			in.UpdateExpression = aws.String("SET eni = :eni, #from = :at, facts = :facts, factsHash = :fh, factsAt = :at")
			in.ConditionExpression = aws.String("attribute_not_exists(PK)")
		case h.From == nil:
			if h.Closed != nil && *h.Closed > at {
				// Closed after at: a late or replayed event.
				return none, false, nil
			}
			setFacts()
			in.ExpressionAttributeNames["#ttl"] = "ttl"
			in.UpdateExpression = aws.String("SET #from = :at, facts = :facts, factsHash = :fh, factsAt = :at REMOVE #ttl")
			in.ConditionExpression = aws.String("attribute_not_exists(#from) AND closed = :closed")
			in.ExpressionAttributeValues[":closed"] = num(deref(h.Closed))
		case !refreshOnly && *h.From > at && (h.Closed == nil || *h.Closed <= at):
			in.UpdateExpression = aws.String("SET #from = :at")
			in.ConditionExpression = aws.String("#from = :old")
			in.ExpressionAttributeValues[":old"] = num(*h.From)
		case h.FactsHash != snap.hash && h.FactsAt <= at:
			w = refreshed
			setFacts()
			in.UpdateExpression = aws.String("SET facts = :facts, factsHash = :fh, factsAt = :at")
			in.ConditionExpression = aws.String("#from = :old AND factsAt = :oldAt")
			in.ExpressionAttributeValues[":old"] = num(*h.From)
			in.ExpressionAttributeValues[":oldAt"] = num(h.FactsAt)
		default:
			return none, isOpen, nil
		}
		if _, err := s.db.UpdateItem(ctx, in); err != nil {
			if conditionFailed(err) {
				continue
			}
			return none, isOpen, fmt.Errorf("opening ownership of %s by %s: %w", AddrKey(k), snap.facts.ID, err)
		}
		return w, true, nil
	}
	return none, false, fmt.Errorf("opening ownership of %s by %s: changed concurrently %d times", AddrKey(k), snap.facts.ID, maxRaceRetries)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// closeRange ends the open range of k by eni at to. It does nothing when
// the range is not open or started after to (a late or replayed event). It
// reports whether it closed the range and whether a range is still open.
func (s *Store) closeRange(ctx context.Context, k netip.Prefix, eni string, to int64) (closed, open bool, err error) {
	for range maxRaceRetries {
		h, err := s.head(ctx, k, eni)
		if err != nil {
			return false, false, err
		}
		if h == nil || h.From == nil {
			return false, false, nil
		}
		from := *h.From
		if from > to {
			return false, true, nil
		}
		if from < to {
			// The closed range first, so that the head never closes
			// without it; a replay finds it written.
			hist, err := attributevalue.MarshalMap(historyItem{ENI: eni, From: from, To: to, Facts: h.Facts})
			if err != nil {
				return false, true, err
			}
			hist[attrPK] = str(ipPK(k))
			hist[attrSK] = str(historySK(from, eni))
			hist["ttl"] = num(s.expiry(to))
			_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
				TableName:           aws.String(s.table),
				Item:                hist,
				ConditionExpression: aws.String("attribute_not_exists(PK)"),
			})
			if err != nil && !conditionFailed(err) {
				return false, true, fmt.Errorf("closing ownership of %s by %s: %w", AddrKey(k), eni, err)
			}
		}
		_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.table),
			Key:                      key(ipPK(k), eniSK(eni)),
			UpdateExpression:         aws.String("SET closed = :to, #ttl = :ttl REMOVE #from"),
			ConditionExpression:      aws.String("#from = :from"),
			ExpressionAttributeNames: map[string]string{"#from": "from", "#ttl": "ttl"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":to":   num(to),
				":ttl":  num(s.expiry(to)),
				":from": num(from),
			},
		})
		if err != nil {
			if conditionFailed(err) {
				continue
			}
			return false, true, fmt.Errorf("closing ownership of %s by %s: %w", AddrKey(k), eni, err)
		}
		return true, false, nil
	}
	return false, true, fmt.Errorf("closing ownership of %s by %s: changed concurrently %d times", AddrKey(k), eni, maxRaceRetries)
}

// splitRange gives an open range of k new facts from at on: the range
// closes at at, keeping the facts it had, and a range with the new facts
// opens there, so that history says what the interface was at each time. A
// range that starts at or after at only has its facts refreshed.
func (s *Store) splitRange(ctx context.Context, k netip.Prefix, snap snapshot, at int64) (written, error) {
	h, err := s.head(ctx, k, snap.facts.ID)
	if err != nil || h == nil || h.From == nil || h.FactsHash == snap.hash {
		return none, err
	}
	if *h.From >= at {
		w, _, err := s.openRange(ctx, k, snap, at, true)
		return w, err
	}
	if _, _, err := s.closeRange(ctx, k, snap.facts.ID, at); err != nil {
		return none, err
	}
	if _, _, err := s.openRange(ctx, k, snap, at, false); err != nil {
		return none, err
	}
	return refreshed, nil
}

// OpenRange records that iface owns the address or delegated prefix k from
// at on, with the conditions described in the package documentation. It
// reports whether anything was written.
func (s *Store) OpenRange(ctx context.Context, k netip.Prefix, iface *inventory.Interface, attachmentID string, at time.Time) (bool, error) {
	snap, err := newSnapshot(factsOf(iface, attachmentID))
	if err != nil {
		return false, err
	}
	w, _, err := s.openRange(ctx, k.Masked(), snap, ms(at), false)
	return w != none, err
}

// CloseRange ends the open range of k by the interface at to. It reports
// whether a range was closed; a range that is not open or that started after
// to is left alone.
func (s *Store) CloseRange(ctx context.Context, k netip.Prefix, eniID string, to time.Time) (bool, error) {
	closed, _, err := s.closeRange(ctx, k.Masked(), eniID, ms(to))
	return closed, err
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

// Ranges returns every range stored for addr, under the address and under
// the prefix that would contain it, sorted by start.
func (s *Store) Ranges(ctx context.Context, addr netip.Addr) ([]Range, error) {
	var out []Range
	for _, k := range KeysOf(addr) {
		rs, err := s.keyRanges(ctx, k)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	slices.SortStableFunc(out, func(a, b Range) int { return a.From.Compare(b.From) })
	return out, nil
}

func (s *Store) keyRanges(ctx context.Context, k netip.Prefix) ([]Range, error) {
	items, err := s.queryAll(ctx, ipPK(k), false)
	if err != nil {
		return nil, fmt.Errorf("reading ownership of %s: %w", AddrKey(k), err)
	}
	var heads, closed []Range
	type start struct {
		eni  string
		from int64
	}
	done := make(map[start]bool)
	for _, item := range items {
		sk := stringAttr(item, attrSK)
		switch {
		case strings.HasPrefix(sk, prefixENI):
			var h headItem
			if err := attributevalue.UnmarshalMap(item, &h); err != nil {
				return nil, fmt.Errorf("decoding %s %s: %w", ipPK(k), sk, err)
			}
			if h.From == nil {
				continue
			}
			heads = append(heads, newRange(k, h.ENI, *h.From, 0, h.Facts))
		case strings.HasPrefix(sk, prefixFrom):
			var c historyItem
			if err := attributevalue.UnmarshalMap(item, &c); err != nil {
				return nil, fmt.Errorf("decoding %s %s: %w", ipPK(k), sk, err)
			}
			done[start{c.ENI, c.From}] = true
			closed = append(closed, newRange(k, c.ENI, c.From, c.To, c.Facts))
		}
	}
	for _, h := range heads {
		// A head still open beside a closed range with the same start is
		// a close that wrote its range and stopped; the range is closed.
		if !done[start{h.InterfaceID, ms(h.From)}] {
			closed = append(closed, h)
		}
	}
	return closed, nil
}

func newRange(k netip.Prefix, eni string, from, to int64, f *facts) Range {
	r := Range{Key: k, InterfaceID: eni, From: fromMS(from), To: fromMS(to)}
	if f != nil {
		r.Interface = f.interfaceOf()
		r.ResourceType = f.ResourceType
		r.ResourceARN = f.ResourceARN
	} else {
		r.Interface = &inventory.Interface{ID: eni}
	}
	return r
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
