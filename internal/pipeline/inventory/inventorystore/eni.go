package inventorystore

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

// ENI is what the store knows about one network interface.
type ENI struct {
	// Interface holds the facts of the latest full description, without
	// tags (see Store.TagHistory).
	Interface    *inventory.Interface
	AttachmentID string
	// ResourceType and ResourceARN attribute the interface (see Resource).
	ResourceType string
	ResourceARN  string
	// Addrs are the addresses and delegated prefixes the interface was
	// last seen to own.
	Addrs []netip.Prefix
	// Updated is the time of the description the facts come from.
	Updated time.Time
	// Deleted is when the interface was deleted; zero while it exists.
	Deleted time.Time
}

// metaItem is the ENI# META item.
type metaItem struct {
	Facts     *facts   `dynamodbav:"facts"`
	FactsHash string   `dynamodbav:"factsHash"`
	Addrs     []string `dynamodbav:"addrs,stringset"`
	// AddrsAt is the time of the latest event that changed Addrs: older
	// events, late or replayed, leave the set alone.
	AddrsAt int64  `dynamodbav:"addrsAt"`
	Updated int64  `dynamodbav:"updated"`
	Deleted *int64 `dynamodbav:"deleted"`
}

// Change counts what an update wrote.
type Change struct {
	// Interface is set when the interface's history or facts were written.
	Interface bool
	// Opened and Closed count ownership events written; Refreshed counts
	// open periods whose expiry the sync pushed back.
	Opened, Closed, Refreshed int
	// Stale is set when the update is about an interface deleted before
	// it: it is recorded, and reads end the interface's ranges at the
	// deletion.
	Stale bool
}

// Add adds the counts of o to c.
func (c *Change) Add(o Change) {
	c.Interface = c.Interface || o.Interface
	c.Opened += o.Opened
	c.Closed += o.Closed
	c.Refreshed += o.Refreshed
	c.Stale = c.Stale || o.Stale
}

// Empty reports whether nothing was written.
func (c Change) Empty() bool {
	return !c.Interface && c.Opened == 0 && c.Closed == 0 && c.Refreshed == 0
}

func (s *Store) meta(ctx context.Context, id string) (*metaItem, error) {
	item, err := s.get(ctx, eniPK(id), skMeta, true)
	if err != nil || item == nil {
		return nil, err
	}
	var m metaItem
	if err := attributevalue.UnmarshalMap(item, &m); err != nil {
		return nil, fmt.Errorf("decoding network interface %s: %w", id, err)
	}
	return &m, nil
}

// ENI returns what the store knows about an interface, deleted or not.
func (s *Store) ENI(ctx context.Context, id string) (ENI, bool, error) {
	m, err := s.meta(ctx, id)
	if err != nil {
		return ENI{}, false, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if m == nil {
		return ENI{}, false, nil
	}
	e := ENI{Addrs: parseKeys(m.Addrs), Updated: fromMS(m.Updated), Deleted: fromMS(deref(m.Deleted))}
	if m.Facts != nil {
		e.Interface = m.Facts.interfaceOf()
		e.AttachmentID = m.Facts.AttachmentID
		e.ResourceType = m.Facts.ResourceType
		e.ResourceARN = m.Facts.ResourceARN
	} else {
		e.Interface = &inventory.Interface{ID: id}
	}
	return e, true, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// History item sort keys of an interface: F#<ms, 13 digits>#<kind>, where
// kind is D (a full description), A#0 (detached), A#1<attachment id>
// (attached) or X (deleted).
const (
	prefixFacts = "F#"
	kindDesc    = "D"
	kindAttach  = "A"
	kindDeleted = "X"
)

func factsSK(at int64, kind string) string {
	return prefixFacts + fmt.Sprintf("%013d", at) + "#" + kind
}

// attachPatch is what an attachment change sets; an empty InstanceID is a
// detachment.
type attachPatch struct {
	AttachmentID    string `dynamodbav:"attachmentId,omitempty"`
	InstanceID      string `dynamodbav:"instanceId,omitempty"`
	InstanceOwnerID string `dynamodbav:"instanceOwnerId,omitempty"`
}

func (p attachPatch) kind() string {
	if p.InstanceID == "" {
		return kindAttach + "#0"
	}
	return kindAttach + "#1" + p.AttachmentID
}

func (p attachPatch) apply(f *facts, at int64) {
	f.AttachmentID, f.InstanceID, f.InstanceOwnerID = p.AttachmentID, p.InstanceID, p.InstanceOwnerID
	if p.InstanceID == "" {
		f.AttachmentID, f.AttachmentStatus, f.AttachTime = "", "", 0
		if f.Status == "in-use" {
			f.Status = "available"
		}
		return
	}
	f.AttachmentStatus, f.AttachTime, f.Status = "attached", at, "in-use"
}

// historyItem is one item of an interface's history.
type historyItem struct {
	at    int64
	kind  string
	facts *facts
	patch attachPatch
}

// History is what the store knows of an interface over time: its
// descriptions, attachment changes and deletion, applied in the order of
// their own times.
type History struct {
	ID    string
	items []historyItem // sorted by at, then kind
	// Deleted is when the interface was deleted, in epoch milliseconds;
	// 0 while it exists. The earliest deletion recorded wins.
	Deleted int64

	mu     sync.Mutex
	splits map[Owned][]Range // Split's answers, as a cached history is split again and again
}

// History reads the history of an interface.
func (s *Store) History(ctx context.Context, id string) (*History, error) {
	items, err := s.queryAll(ctx, eniPK(id), false)
	if err != nil {
		return nil, fmt.Errorf("reading history of network interface %s: %w", id, err)
	}
	h := &History{ID: id}
	for _, item := range items {
		sk := stringAttr(item, attrSK)
		rest, ok := strings.CutPrefix(sk, prefixFacts)
		if !ok {
			continue
		}
		msPart, kind, ok := strings.Cut(rest, "#")
		if !ok {
			continue
		}
		at, err := strconv.ParseInt(msPart, 10, 64)
		if err != nil {
			continue
		}
		hi := historyItem{at: at, kind: kind}
		switch {
		case kind == kindDesc:
			var v struct {
				Facts *facts `dynamodbav:"facts"`
			}
			if err := attributevalue.UnmarshalMap(item, &v); err != nil || v.Facts == nil {
				return nil, fmt.Errorf("decoding %s %s: %v", eniPK(id), sk, err)
			}
			hi.facts = v.Facts
		case strings.HasPrefix(kind, kindAttach):
			if err := attributevalue.UnmarshalMap(item, &hi.patch); err != nil {
				return nil, fmt.Errorf("decoding %s %s: %w", eniPK(id), sk, err)
			}
		case kind == kindDeleted:
			if h.Deleted == 0 || at < h.Deleted {
				h.Deleted = at
			}
			continue
		default:
			continue
		}
		h.items = append(h.items, hi)
	}
	slices.SortFunc(h.items, func(a, b historyItem) int {
		if c := cmpInt(a.at, b.at); c != 0 {
			return c
		}
		return strings.Compare(a.kind, b.kind)
	})
	return h, nil
}

// Known reports whether the history holds a description.
func (h *History) Known() bool {
	for _, it := range h.items {
		if it.facts != nil {
			return true
		}
	}
	return false
}

// factsAt returns the interface's facts at t: the latest description at or
// before t with the attachment changes after it, or, before the first
// description, that description without an attachment it did not have yet
// at t, with the attachment changes up to t. It reports whether an
// attachment change was applied, which changes the attribution.
func (h *History) factsAt(t int64) (facts, bool) {
	base := -1
	for i, it := range h.items {
		if it.at > t {
			break
		}
		if it.facts != nil {
			base = i
		}
	}
	var f facts
	patched := false
	start := 0
	switch {
	case base >= 0:
		f = *h.items[base].facts
		start = base + 1
	default:
		f = facts{ID: h.ID}
		for _, it := range h.items {
			if it.facts != nil {
				f = *it.facts
				if f.InstanceID != "" && (f.AttachTime == 0 || f.AttachTime > t) {
					attachPatch{}.apply(&f, t)
					patched = true
				}
				break
			}
		}
	}
	for _, it := range h.items[start:] {
		if it.at > t {
			break
		}
		if it.facts == nil {
			it.patch.apply(&f, it.at)
			patched = true
		}
	}
	return f, patched
}

// changes returns the times in (from, to) at which the facts may change.
func (h *History) changes(from, to int64) []int64 {
	var out []int64
	in := func(t int64) bool { return t > from && (to == 0 || t < to) }
	for _, it := range h.items {
		if in(it.at) {
			out = append(out, it.at)
		}
		if it.facts != nil && in(it.facts.AttachTime) {
			out = append(out, it.facts.AttachTime)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Split turns a period of ownership by the interface into ranges: it ends
// at the interface's deletion, and is split where the facts changed, each
// part with the facts it had.
func (h *History) Split(o Owned) []Range {
	h.mu.Lock()
	rs, ok := h.splits[o]
	h.mu.Unlock()
	if ok {
		return rs
	}
	rs = h.split(o)
	h.mu.Lock()
	if h.splits == nil {
		h.splits = make(map[Owned][]Range)
	}
	h.splits[o] = rs
	h.mu.Unlock()
	return rs
}

func (h *History) split(o Owned) []Range {
	from, to := o.From, o.To
	if h.Deleted != 0 {
		if from >= h.Deleted {
			return nil
		}
		if to == 0 || to > h.Deleted {
			to = h.Deleted
		}
	}
	points := append([]int64{from}, h.changes(from, to)...)
	var out []Range
	lastHash := ""
	for i, p := range points {
		f, patched := h.factsAt(p)
		hash := f.hash()
		end := to
		if i+1 < len(points) {
			end = points[i+1]
		}
		if i > 0 && hash == lastHash {
			out[len(out)-1].To = fromMS(end)
			continue
		}
		lastHash = hash
		r := Range{Key: o.Key, InterfaceID: h.ID, From: fromMS(p), To: fromMS(end), Interface: f.interfaceOf(),
			ResourceType: f.ResourceType, ResourceARN: f.ResourceARN}
		if patched || r.ResourceType == "" {
			r.ResourceType, r.ResourceARN = Resource(r.Interface)
		}
		out = append(out, r)
	}
	return out
}

// putHistory writes an item of an interface's history; writing it again
// rewrites the same item.
func (s *Store) putHistory(ctx context.Context, id string, at int64, kind string, attrs map[string]types.AttributeValue) error {
	item := key(eniPK(id), factsSK(at, kind))
	for k, v := range attrs {
		item[k] = v
	}
	if kind != kindDeleted {
		item["ttl"] = num(s.expiry(at))
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fmt.Errorf("writing history of network interface %s: %w", id, err)
	}
	return nil
}

// PutInterface records a full description of an interface taken at at: a
// CreateNetworkInterface response, a DescribeNetworkInterfaces result made
// for an event. The description joins the interface's history; the
// interface owns its addresses from at on and gives up, at at, those it
// was last seen with and no longer has; the interface ARN's tags are
// recorded as of at. Every write is keyed by at, so applying the same
// description again, before or after others, gives the same result.
func (s *Store) PutInterface(ctx context.Context, iface *inventory.Interface, attachmentID string, at time.Time) (Change, error) {
	return s.putInterface(ctx, iface, attachmentID, at, false)
}

// SyncInterface is PutInterface for a description of a scheduled sync: it
// writes only what the store does not hold already (an address the
// interface is not recorded to own at at, tags or facts that differ), and
// it uses the attachment time, which EC2 keeps, to record the attachment
// and the interface's primary private address from that time on, earlier
// than at.
func (s *Store) SyncInterface(ctx context.Context, iface *inventory.Interface, attachmentID string, at time.Time) (Change, error) {
	return s.putInterface(ctx, iface, attachmentID, at, true)
}

func (s *Store) putInterface(ctx context.Context, iface *inventory.Interface, attachmentID string, at time.Time, sync bool) (Change, error) {
	var ch Change
	id := iface.ID
	if id == "" {
		return ch, fmt.Errorf("network interface without an id")
	}
	atMS := ms(at)
	old, err := s.meta(ctx, id)
	if err != nil {
		return ch, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if old != nil && old.Deleted != nil && *old.Deleted <= atMS {
		ch.Stale = true
	}
	f := factsOf(iface, attachmentID)
	av, err := attributevalue.Marshal(f)
	if err != nil {
		return ch, err
	}
	hash := f.hash()
	cur := addrsOf(iface)

	var hist *History
	if sync {
		if hist, err = s.History(ctx, id); err != nil {
			return ch, err
		}
	}
	// The history: the description, and for a sync the attachment from
	// the time EC2 says it began.
	if !sync || func() bool { g, _ := hist.factsAt(atMS); return g.hash() != hash }() {
		if err := s.putHistory(ctx, id, atMS, kindDesc, map[string]types.AttributeValue{"facts": av}); err != nil {
			return ch, err
		}
		ch.Interface = true
	}
	if sync && f.InstanceID != "" && f.AttachTime > 0 && f.AttachTime < atMS {
		p := attachPatch{AttachmentID: attachmentID, InstanceID: f.InstanceID, InstanceOwnerID: f.InstanceOwnerID}
		if g, _ := hist.factsAt(f.AttachTime); g.InstanceID != f.InstanceID {
			if err := s.putPatch(ctx, id, f.AttachTime, p); err != nil {
				return ch, err
			}
			ch.Interface = true
		}
	}

	// The latest description in the META item, for ENI and the indexes.
	var oldFacts facts
	if old != nil && old.Facts != nil {
		oldFacts = *old.Facts
	}
	// The address set follows the latest description or event only.
	newest := old == nil || (old.Updated <= atMS && old.AddrsAt <= atMS)
	if old == nil || (old.FactsHash != hash && old.Updated <= atMS) || (newest && len(minus(cur, parseKeys(old.Addrs))) > 0) {
		in := &dynamodb.UpdateItemInput{
			TableName:        aws.String(s.table),
			Key:              key(eniPK(id), skMeta),
			UpdateExpression: aws.String("SET facts = :facts, factsHash = :fh, updated = :at"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":facts": av, ":fh": str(hash), ":at": num(atMS),
			},
			ConditionExpression: aws.String("attribute_not_exists(updated) OR updated <= :at"),
		}
		if newest && len(cur) > 0 {
			*in.UpdateExpression += ", addrsAt = :at ADD addrs :cur"
			in.ExpressionAttributeValues[":cur"] = strSet(keyStrings(cur))
		}
		if _, err := s.db.UpdateItem(ctx, in); err != nil && !conditionFailed(err) {
			return ch, fmt.Errorf("writing network interface %s: %w", id, err)
		}
	}

	// Ownership.
	opens := cur
	if sync {
		opens = nil
		for _, k := range cur {
			os, err := s.KeyOwnership(ctx, k)
			if err != nil {
				return ch, err
			}
			o, owned := ownerAt(os, atMS)
			switch {
			case !owned || o.InterfaceID != id:
				opens = append(opens, k)
			case o.Expires > 0 && o.Expires < s.expiry(atMS)-int64(s.retention.Seconds())/2:
				if err := s.refreshOpen(ctx, o, atMS); err != nil {
					return ch, err
				}
				ch.Refreshed++
			}
		}
		// The primary private address is the interface's for its whole
		// life: owned at the attachment time at the latest.
		if len(iface.PrivateIPs) > 0 && f.AttachTime > 0 && f.AttachTime < atMS {
			k := Single(iface.PrivateIPs[0])
			os, err := s.KeyOwnership(ctx, k)
			if err != nil {
				return ch, err
			}
			if o, owned := ownerAt(os, f.AttachTime); !owned || o.InterfaceID != id {
				if err := s.putEvents(ctx, id, []netip.Prefix{k}, f.AttachTime, true); err != nil {
					return ch, err
				}
				ch.Opened++
			}
		}
	}
	if err := s.putEvents(ctx, id, opens, atMS, true); err != nil {
		return ch, err
	}
	ch.Opened += len(opens)
	if old != nil && old.Updated < atMS && old.AddrsAt < atMS {
		if gone := minus(parseKeys(old.Addrs), cur); len(gone) > 0 {
			c, err := s.closeAll(ctx, id, gone, atMS)
			ch.Add(c)
			if err != nil {
				return ch, err
			}
		}
	}

	if iface.AccountID != "" && iface.Region != "" {
		if sync {
			if _, err := s.syncTags(ctx, iface.ARN(), iface.Tags, at); err != nil {
				return ch, err
			}
		} else if _, err := s.PutTags(ctx, iface.ARN(), iface.Tags, at, 0); err != nil {
			return ch, err
		}
	}
	return ch, s.index(ctx, id, oldFacts, f, old == nil || old.Facts == nil)
}

// ownerAt returns the period, of periods sorted by start, that holds t.
func ownerAt(os []Owned, t int64) (Owned, bool) {
	for i := len(os) - 1; i >= 0; i-- {
		if o := os[i]; o.From <= t && (o.To == 0 || t < o.To) {
			return o, true
		}
	}
	return Owned{}, false
}

// closeAll records that an interface gave up keys at at and drops them
// from its address set.
func (s *Store) closeAll(ctx context.Context, id string, keys []netip.Prefix, at int64) (Change, error) {
	var ch Change
	if len(keys) == 0 {
		return ch, nil
	}
	if err := s.putEvents(ctx, id, keys, at, false); err != nil {
		return ch, err
	}
	ch.Closed = len(keys)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(eniPK(id), skMeta),
		UpdateExpression:          aws.String("SET addrsAt = :at DELETE addrs :gone"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND (attribute_not_exists(addrsAt) OR addrsAt <= :at)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":gone": strSet(keyStrings(keys)), ":at": num(at)},
	})
	if err != nil && !conditionFailed(err) {
		return ch, fmt.Errorf("updating addresses of network interface %s: %w", id, err)
	}
	return ch, nil
}

// index keeps the SCOPE# and INSTANCE# items of an interface in line with
// its latest description.
func (s *Store) index(ctx context.Context, id string, old, cur facts, isNew bool) error {
	var reqs []types.WriteRequest
	eni := map[string]types.AttributeValue{"eni": str(id)}
	put := func(pk, sk string, attrs map[string]types.AttributeValue) {
		item := key(pk, sk)
		for k, v := range attrs {
			item[k] = v
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	if cur.AccountID != "" && cur.Region != "" && (isNew || old.AccountID != cur.AccountID || old.Region != cur.Region) {
		put(scopePK(cur.AccountID, cur.Region), eniSK(id), eni)
	}
	if old.InstanceID != cur.InstanceID {
		if cur.InstanceID != "" {
			put(prefixInstance+cur.InstanceID, eniSK(id), eni)
		}
		if old.InstanceID != "" {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(prefixInstance+old.InstanceID, eniSK(id))}})
		}
	}
	if cur.AttachmentID != "" && old.AttachmentID != cur.AttachmentID {
		put(prefixAttach+cur.AttachmentID, skMeta, map[string]types.AttributeValue{"eni": str(id), "instanceId": str(cur.InstanceID)})
	}
	if len(reqs) == 0 {
		return nil
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("indexing network interface %s: %w", id, err)
	}
	return nil
}

// AssignAddresses records that an interface owns more addresses or
// delegated prefixes from at on (AssignPrivateIpAddresses,
// AssignIpv6Addresses, an Elastic IP association); another interface that
// owned one of them gives it up at at. The ownership is recorded whatever
// the store knows of the interface; ErrUnknownInterface says that it knows
// no description of it, which the caller may fetch.
func (s *Store) AssignAddresses(ctx context.Context, id string, keys []netip.Prefix, at time.Time) (Change, error) {
	var ch Change
	keys = masked(keys)
	if err := s.putEvents(ctx, id, keys, ms(at), true); err != nil {
		return ch, err
	}
	ch.Opened = len(keys)
	m, err := s.meta(ctx, id)
	if err != nil {
		return ch, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if m != nil && m.Deleted != nil && *m.Deleted <= ms(at) {
		ch.Stale = true
	}
	if len(keys) > 0 {
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(s.table),
			Key:                       key(eniPK(id), skMeta),
			UpdateExpression:          aws.String("SET addrsAt = :at ADD addrs :added"),
			ConditionExpression:       aws.String("attribute_not_exists(addrsAt) OR addrsAt <= :at"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":added": strSet(keyStrings(keys)), ":at": num(ms(at))},
		})
		if err != nil && !conditionFailed(err) {
			return ch, fmt.Errorf("updating addresses of network interface %s: %w", id, err)
		}
	}
	if m == nil || m.Facts == nil {
		return ch, fmt.Errorf("assigning addresses to %s: %w", id, ErrUnknownInterface)
	}
	return ch, nil
}

// UnassignAddresses records that an interface gave up addresses or
// delegated prefixes at at.
func (s *Store) UnassignAddresses(ctx context.Context, id string, keys []netip.Prefix, at time.Time) (Change, error) {
	return s.closeAll(ctx, id, masked(keys), ms(at))
}

func (s *Store) putPatch(ctx context.Context, id string, at int64, p attachPatch) error {
	attrs, err := attributevalue.MarshalMap(p)
	if err != nil {
		return err
	}
	return s.putHistory(ctx, id, at, p.kind(), attrs)
}

// SetAttachment records that an interface was attached to an instance at
// at, or detached when instanceID is empty: from at on its ranges carry the
// new attachment, and earlier times keep the one they had. A detachment
// recorded for the attachment before its attachment arrived is applied.
// It returns ErrUnknownInterface, after recording the change, when the
// store knows no description of the interface.
func (s *Store) SetAttachment(ctx context.Context, id, attachmentID, instanceID, instanceOwnerID string, at time.Time) (Change, error) {
	var ch Change
	p := attachPatch{AttachmentID: attachmentID, InstanceID: instanceID, InstanceOwnerID: instanceOwnerID}
	if instanceID == "" {
		p = attachPatch{}
	}
	if err := s.putPatch(ctx, id, ms(at), p); err != nil {
		return ch, err
	}
	ch.Interface = true
	if instanceID != "" && attachmentID != "" {
		item := key(prefixAttach+attachmentID, skMeta)
		item["eni"], item["instanceId"], item["ttl"] = str(id), str(instanceID), num(s.expiry(ms(at)))
		if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
			return ch, fmt.Errorf("indexing attachment %s: %w", attachmentID, err)
		}
		end, err := s.get(ctx, prefixAttach+attachmentID, skEnd, true)
		if err != nil {
			return ch, fmt.Errorf("reading attachment %s: %w", attachmentID, err)
		}
		if v, ok := numOf(end, "at"); ok {
			if err := s.putPatch(ctx, id, v, attachPatch{}); err != nil {
				return ch, err
			}
		}
		if err := s.batchWrite(ctx, []types.WriteRequest{{PutRequest: &types.PutRequest{Item: func() map[string]types.AttributeValue {
			it := key(prefixInstance+instanceID, eniSK(id))
			it["eni"] = str(id)
			return it
		}()}}}); err != nil {
			return ch, fmt.Errorf("indexing network interface %s: %w", id, err)
		}
	}
	m, err := s.meta(ctx, id)
	if err != nil {
		return ch, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if m == nil || m.Facts == nil {
		return ch, fmt.Errorf("attaching %s: %w", id, ErrUnknownInterface)
	}
	if m.Deleted != nil && *m.Deleted <= ms(at) {
		ch.Stale = true
	}
	return ch, nil
}

// skEnd is the sort key of the item recording the end of an attachment or
// Elastic IP association, which may arrive before its start.
const skEnd = "END"

func numOf(item map[string]types.AttributeValue, name string) (int64, bool) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	return n, err == nil
}

// Detach records that an attachment ended at at (DetachNetworkInterface
// names only the attachment). When the attachment's interface is known it
// is detached from at on; otherwise the end waits for the attachment's own
// event (SetAttachment applies it). It returns the interface, if known.
func (s *Store) Detach(ctx context.Context, attachmentID string, at time.Time) (string, Change, error) {
	item := key(prefixAttach+attachmentID, skEnd)
	item["at"], item["ttl"] = num(ms(at)), num(s.expiry(ms(at)))
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return "", Change{}, fmt.Errorf("recording the end of attachment %s: %w", attachmentID, err)
	}
	id, ok, err := s.InterfaceByAttachment(ctx, attachmentID)
	if err != nil || !ok {
		return "", Change{}, err
	}
	if err := s.putPatch(ctx, id, ms(at), attachPatch{}); err != nil {
		return id, Change{}, err
	}
	return id, Change{Interface: true}, nil
}

// DeleteInterface records that an interface was deleted at at: reads end
// its ranges there, whatever arrives about it before or after. Interface
// ids are never reused, so later events about it are late, not new.
func (s *Store) DeleteInterface(ctx context.Context, id string, at time.Time) (Change, error) {
	atMS := ms(at)
	m, err := s.meta(ctx, id)
	if err != nil {
		return Change{}, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if m != nil && m.Deleted != nil && *m.Deleted <= atMS {
		return Change{Stale: true}, nil
	}
	if err := s.putHistory(ctx, id, atMS, kindDeleted, nil); err != nil {
		return Change{}, err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      key(eniPK(id), skMeta),
		UpdateExpression:         aws.String("SET deleted = :at, addrsAt = :at, #ttl = :ttl, updated = if_not_exists(updated, :at) REMOVE addrs"),
		ConditionExpression:      aws.String("attribute_not_exists(deleted) OR deleted > :at"),
		ExpressionAttributeNames: map[string]string{"#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":at":  num(atMS),
			":ttl": num(s.expiry(atMS)),
		},
	})
	if err != nil && !conditionFailed(err) {
		return Change{}, fmt.Errorf("deleting network interface %s: %w", id, err)
	}
	var f facts
	if m != nil && m.Facts != nil {
		f = *m.Facts
	}
	var reqs []types.WriteRequest
	del := func(pk, sk string) {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(pk, sk)}})
	}
	if f.AccountID != "" && f.Region != "" {
		del(scopePK(f.AccountID, f.Region), eniSK(id))
	}
	if f.InstanceID != "" {
		del(prefixInstance+f.InstanceID, eniSK(id))
	}
	if len(reqs) > 0 {
		if err := s.batchWrite(ctx, reqs); err != nil {
			return Change{Interface: true}, fmt.Errorf("removing indexes of network interface %s: %w", id, err)
		}
	}
	return Change{Interface: true}, nil
}

// ReleaseInterface records that an interface gave up every address it was
// last seen with at at, without deleting it, for an interface that may or
// may not outlive its instance: a later description reopens what it still
// owns.
func (s *Store) ReleaseInterface(ctx context.Context, id string, at time.Time) (Change, error) {
	m, err := s.meta(ctx, id)
	if err != nil {
		return Change{}, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if m == nil {
		return Change{}, nil
	}
	return s.closeAll(ctx, id, parseKeys(m.Addrs), ms(at))
}

// InterfaceByAttachment returns the interface of an attachment id
// (eni-attach-...), as last recorded.
func (s *Store) InterfaceByAttachment(ctx context.Context, attachmentID string) (string, bool, error) {
	item, err := s.get(ctx, prefixAttach+attachmentID, skMeta, true)
	if err != nil {
		return "", false, fmt.Errorf("reading attachment %s: %w", attachmentID, err)
	}
	eni := stringAttr(item, "eni")
	return eni, eni != "", nil
}

// InstanceInterfaces returns the interfaces attached to an instance.
func (s *Store) InstanceInterfaces(ctx context.Context, instanceID string) ([]string, error) {
	return s.indexed(ctx, prefixInstance+instanceID)
}

// ScopeInterfaces returns the interfaces known in an account and region,
// deleted ones excepted.
func (s *Store) ScopeInterfaces(ctx context.Context, account, region string) ([]string, error) {
	return s.indexed(ctx, scopePK(account, region))
}

func (s *Store) indexed(ctx context.Context, pk string) ([]string, error) {
	items, err := s.queryAll(ctx, pk, true)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", pk, err)
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		if eni := stringAttr(item, "eni"); eni != "" {
			out = append(out, eni)
		}
	}
	slices.Sort(out)
	return out, nil
}

// minus returns the prefixes of a that are not in b; both are sorted.
func minus(a, b []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range a {
		if _, found := slices.BinarySearchFunc(b, p, comparePrefix); !found {
			out = append(out, p)
		}
	}
	return out
}

func masked(keys []netip.Prefix) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(keys))
	for _, k := range keys {
		if k.IsValid() {
			out = append(out, netip.PrefixFrom(k.Addr().Unmap().WithZone(""), k.Bits()).Masked())
		}
	}
	slices.SortFunc(out, comparePrefix)
	return slices.Compact(out)
}

// PutNewInterfaces records descriptions of interfaces the store does not
// know yet, taken at at, in batches of BatchWriteItem: a first load of a
// large estate. It writes what PutInterface writes for a new interface,
// without reading anything; for an interface the store knows, use
// PutInterface or SyncInterface.
func (s *Store) PutNewInterfaces(ctx context.Context, ifaces []*inventory.Interface, at time.Time) error {
	atMS := ms(at)
	var reqs []types.WriteRequest
	put := func(item map[string]types.AttributeValue) {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	for _, iface := range ifaces {
		if iface.ID == "" {
			return fmt.Errorf("network interface without an id")
		}
		f := factsOf(iface, "")
		av, err := attributevalue.Marshal(f)
		if err != nil {
			return err
		}
		cur := addrsOf(iface)
		hist := key(eniPK(iface.ID), factsSK(atMS, kindDesc))
		hist["facts"], hist["ttl"] = av, num(s.expiry(atMS))
		put(hist)
		meta := key(eniPK(iface.ID), skMeta)
		meta["facts"], meta["factsHash"], meta["updated"] = av, str(f.hash()), num(atMS)
		if len(cur) > 0 {
			meta["addrs"], meta["addrsAt"] = strSet(keyStrings(cur)), num(atMS)
		}
		put(meta)
		for _, k := range cur {
			item := key(ipPK(k), eventSK(atMS, true, iface.ID))
			item["eni"], item["ttl"] = str(iface.ID), num(s.expiry(atMS))
			put(item)
		}
		if iface.AccountID != "" && iface.Region != "" {
			tags := iface.Tags
			if tags == nil {
				tags = map[string]string{}
			}
			tav, err := attributevalue.Marshal(tags)
			if err != nil {
				return err
			}
			item := key(arnPK(iface.ARN()), tagSK(atMS, 0))
			item["tags"] = tav
			put(item)
			scope := key(scopePK(iface.AccountID, iface.Region), eniSK(iface.ID))
			scope["eni"] = str(iface.ID)
			put(scope)
		}
		if f.InstanceID != "" {
			inst := key(prefixInstance+f.InstanceID, eniSK(iface.ID))
			inst["eni"] = str(iface.ID)
			put(inst)
		}
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("writing %d network interfaces: %w", len(ifaces), err)
	}
	return nil
}
