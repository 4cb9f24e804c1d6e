package inventorystore

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/inventory"
)

// ENI is what the store knows about one network interface.
type ENI struct {
	// Interface holds the facts of the last full description, without
	// tags (see Store.Tags).
	Interface    *inventory.Interface
	AttachmentID string
	// ResourceType and ResourceARN attribute the interface (see Resource).
	ResourceType string
	ResourceARN  string
	// Addrs are the addresses and delegated prefixes the interface was
	// seen to own; every open range of the interface is among them.
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
	Updated   int64    `dynamodbav:"updated"`
	Deleted   *int64   `dynamodbav:"deleted"`
}

// Change counts what an update wrote.
type Change struct {
	// Interface is set when the interface's facts were written.
	Interface bool
	// Opened, Closed and Refreshed count ranges opened (or moved to an
	// earlier start), closed, and given newer facts (or split where the
	// facts changed).
	Opened, Closed, Refreshed int
	// Stale is set when the update was older than what the store holds,
	// or concerned a deleted interface, and was ignored.
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

func (c *Change) count(w written) {
	switch w {
	case opened:
		c.Opened++
	case refreshed:
		c.Refreshed++
	}
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

// PutInterface records a full description of an interface taken at at: a
// CreateNetworkInterface response, a DescribeNetworkInterfaces result. The
// interface's addresses are opened, addresses it no longer has are closed,
// its facts and tags are written and its indexes kept. A description older
// than the one stored, or of a deleted interface, is ignored.
func (s *Store) PutInterface(ctx context.Context, iface *inventory.Interface, attachmentID string, at time.Time) (Change, error) {
	return s.putInterface(ctx, iface, attachmentID, at, true)
}

// putInterface writes the facts of an interface; with full it also makes
// the interface's ranges those of its addresses, otherwise it only gives
// the open ranges the new facts from at on (see splitRange).
func (s *Store) putInterface(ctx context.Context, iface *inventory.Interface, attachmentID string, at time.Time, full bool) (Change, error) {
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
	if old != nil && (old.Deleted != nil || old.Updated > atMS) {
		ch.Stale = true
		return ch, nil
	}
	snap, err := newSnapshot(factsOf(iface, attachmentID))
	if err != nil {
		return ch, err
	}
	var oldAddrs []netip.Prefix
	var oldFacts facts
	if old != nil {
		oldAddrs = parseKeys(old.Addrs)
		if old.Facts != nil {
			oldFacts = *old.Facts
		}
	}
	var cur []netip.Prefix
	if full {
		cur = addrsOf(iface)
	}
	added := minus(cur, oldAddrs)

	if old == nil || old.FactsHash != snap.hash || old.Updated != atMS || len(added) > 0 {
		in := &dynamodb.UpdateItemInput{
			TableName:           aws.String(s.table),
			Key:                 key(eniPK(id), skMeta),
			UpdateExpression:    aws.String("SET facts = :facts, factsHash = :fh, updated = :at"),
			ConditionExpression: aws.String("attribute_not_exists(PK) OR (attribute_not_exists(deleted) AND updated <= :at)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":facts": snap.av,
				":fh":    str(snap.hash),
				":at":    num(atMS),
			},
		}
		if len(added) > 0 {
			*in.UpdateExpression += " ADD addrs :added"
			in.ExpressionAttributeValues[":added"] = strSet(keyStrings(added))
		}
		if _, err := s.db.UpdateItem(ctx, in); err != nil {
			if conditionFailed(err) {
				ch.Stale = true
				return ch, nil
			}
			return ch, fmt.Errorf("writing network interface %s: %w", id, err)
		}
		ch.Interface = true
	}

	if full {
		for _, k := range cur {
			w, _, err := s.openRange(ctx, k, snap, atMS, false)
			if err != nil {
				return ch, err
			}
			ch.count(w)
		}
		c, err := s.closeAll(ctx, id, minus(oldAddrs, cur), oldAddrs, atMS)
		ch.Add(c)
		if err != nil {
			return ch, err
		}
		if iface.AccountID != "" && iface.Region != "" {
			if err := s.putTagsIfNewer(ctx, iface.ARN(), iface.Tags, at); err != nil {
				return ch, err
			}
		}
	} else {
		for _, k := range oldAddrs {
			w, err := s.splitRange(ctx, k, snap, atMS)
			if err != nil {
				return ch, err
			}
			ch.count(w)
		}
	}
	return ch, s.index(ctx, id, oldFacts, snap.facts, old == nil)
}

// closeAll closes the ranges of keys owned by an interface and drops from
// its address set, as last read, those no longer open.
func (s *Store) closeAll(ctx context.Context, id string, keys, set []netip.Prefix, at int64) (Change, error) {
	var ch Change
	var gone []netip.Prefix
	for _, k := range keys {
		closed, open, err := s.closeRange(ctx, k, id, at)
		if err != nil {
			return ch, err
		}
		if closed {
			ch.Closed++
		}
		if _, inSet := slices.BinarySearchFunc(set, k, comparePrefix); !open && inSet {
			gone = append(gone, k)
		}
	}
	if len(gone) == 0 {
		return ch, nil
	}
	// An address assigned again between the close and this write would
	// leave the set without one of its open ranges; the next description
	// of the interface, or the range's own close event, repairs that.
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(eniPK(id), skMeta),
		UpdateExpression:          aws.String("DELETE addrs :gone"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":gone": strSet(keyStrings(gone))},
	})
	if err != nil && !conditionFailed(err) {
		return ch, fmt.Errorf("updating addresses of network interface %s: %w", id, err)
	}
	return ch, nil
}

// index keeps the SCOPE#, INSTANCE# and ATTACH# items of an interface in
// line with its facts.
func (s *Store) index(ctx context.Context, id string, old, cur facts, isNew bool) error {
	var reqs []types.WriteRequest
	put := func(pk, sk string, attrs map[string]types.AttributeValue) {
		item := key(pk, sk)
		for k, v := range attrs {
			item[k] = v
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	del := func(pk, sk string) {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(pk, sk)}})
	}
	eni := map[string]types.AttributeValue{"eni": str(id)}
	if cur.AccountID != "" && cur.Region != "" && (isNew || old.AccountID != cur.AccountID || old.Region != cur.Region) {
		put(scopePK(cur.AccountID, cur.Region), eniSK(id), eni)
	}
	if old.InstanceID != cur.InstanceID {
		if cur.InstanceID != "" {
			put(prefixInstance+cur.InstanceID, eniSK(id), eni)
		}
		if old.InstanceID != "" {
			del(prefixInstance+old.InstanceID, eniSK(id))
		}
	}
	if old.AttachmentID != cur.AttachmentID {
		if cur.AttachmentID != "" {
			put(prefixAttach+cur.AttachmentID, skMeta, map[string]types.AttributeValue{"eni": str(id), "instanceId": str(cur.InstanceID)})
		}
		if old.AttachmentID != "" {
			del(prefixAttach+old.AttachmentID, skMeta)
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("indexing network interface %s: %w", id, err)
	}
	return nil
}

// AssignAddresses records that a known interface owns more addresses or
// delegated prefixes from at on (AssignPrivateIpAddresses,
// AssignIpv6Addresses, an Elastic IP association). The new ranges carry the
// interface's stored facts. It returns ErrUnknownInterface when the store
// does not know the interface.
func (s *Store) AssignAddresses(ctx context.Context, id string, keys []netip.Prefix, at time.Time) (Change, error) {
	var ch Change
	m, err := s.meta(ctx, id)
	if err != nil {
		return ch, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if m == nil || m.Facts == nil {
		return ch, fmt.Errorf("assigning addresses to %s: %w", id, ErrUnknownInterface)
	}
	if m.Deleted != nil {
		ch.Stale = true
		return ch, nil
	}
	snap, err := newSnapshot(*m.Facts)
	if err != nil {
		return ch, err
	}
	// Ranges first, then the address set, with only the addresses whose
	// range is open: a replayed assignment after an unassignment changes
	// nothing, and one cut short is completed by the retry.
	var open []netip.Prefix
	for _, k := range masked(keys) {
		w, isOpen, err := s.openRange(ctx, k, snap, ms(at), false)
		if err != nil {
			return ch, err
		}
		ch.count(w)
		if isOpen {
			open = append(open, k)
		}
	}
	if added := minus(open, parseKeys(m.Addrs)); len(added) > 0 {
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(s.table),
			Key:                       key(eniPK(id), skMeta),
			UpdateExpression:          aws.String("ADD addrs :added"),
			ConditionExpression:       aws.String("attribute_exists(PK)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":added": strSet(keyStrings(added))},
		})
		if err != nil {
			return ch, fmt.Errorf("updating addresses of network interface %s: %w", id, err)
		}
		ch.Interface = true
	}
	return ch, nil
}

// UnassignAddresses records that an interface no longer owns addresses or
// delegated prefixes from at on.
func (s *Store) UnassignAddresses(ctx context.Context, id string, keys []netip.Prefix, at time.Time) (Change, error) {
	m, err := s.meta(ctx, id)
	if err != nil {
		return Change{}, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	var set []netip.Prefix
	if m != nil {
		set = parseKeys(m.Addrs)
	}
	return s.closeAll(ctx, id, masked(keys), set, ms(at))
}

// SetAttachment records that an interface was attached to an instance at
// at, or detached when instanceID is empty: its open ranges end at at and
// continue with the new facts, so that earlier times keep the attachment
// they had. It returns ErrUnknownInterface when the store does not know the
// interface.
func (s *Store) SetAttachment(ctx context.Context, id, attachmentID, instanceID, instanceOwnerID string, at time.Time) (Change, error) {
	m, err := s.meta(ctx, id)
	if err != nil {
		return Change{}, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if m == nil || m.Facts == nil {
		return Change{}, fmt.Errorf("attaching %s: %w", id, ErrUnknownInterface)
	}
	iface := m.Facts.interfaceOf()
	if instanceID == "" {
		iface.InstanceID, iface.InstanceOwnerID, iface.AttachmentStatus = "", "", ""
		iface.AttachTime = time.Time{}
		attachmentID = ""
		if iface.Status == "in-use" {
			iface.Status = "available"
		}
	} else {
		iface.InstanceID, iface.InstanceOwnerID, iface.AttachmentStatus = instanceID, instanceOwnerID, "attached"
		iface.AttachTime = at
		iface.Status = "in-use"
	}
	return s.putInterface(ctx, iface, attachmentID, at, false)
}

// DeleteInterface records that an interface was deleted at at: its ranges
// close, it is marked deleted (for Options.Retention, so that late events
// about it are ignored) and its indexes go. Deleting an interface the store
// does not know still marks it deleted.
func (s *Store) DeleteInterface(ctx context.Context, id string, at time.Time) (Change, error) {
	m, err := s.meta(ctx, id)
	if err != nil {
		return Change{}, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if m != nil && m.Deleted != nil {
		return Change{Stale: true}, nil
	}
	atMS := ms(at)
	var ch Change
	var f facts
	if m != nil {
		if m.Facts != nil {
			f = *m.Facts
		}
		keys := parseKeys(m.Addrs)
		if ch, err = s.closeAll(ctx, id, keys, keys, atMS); err != nil {
			return ch, err
		}
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      key(eniPK(id), skMeta),
		UpdateExpression:         aws.String("SET deleted = :at, #ttl = :ttl, updated = if_not_exists(updated, :at) REMOVE addrs"),
		ConditionExpression:      aws.String("attribute_not_exists(deleted)"),
		ExpressionAttributeNames: map[string]string{"#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":at":  num(atMS),
			":ttl": num(s.expiry(atMS)),
		},
	})
	if err != nil {
		if conditionFailed(err) {
			ch.Stale = true
			return ch, nil
		}
		return ch, fmt.Errorf("deleting network interface %s: %w", id, err)
	}
	ch.Interface = true
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
	if f.AttachmentID != "" {
		del(prefixAttach+f.AttachmentID, skMeta)
	}
	if len(reqs) > 0 {
		if err := s.batchWrite(ctx, reqs); err != nil {
			return ch, fmt.Errorf("removing indexes of network interface %s: %w", id, err)
		}
	}
	return ch, nil
}

// ReleaseInterface closes every open range of an interface at at without
// marking it deleted, for an interface that may or may not outlive its
// instance: a later description reopens what it still owns.
func (s *Store) ReleaseInterface(ctx context.Context, id string, at time.Time) (Change, error) {
	m, err := s.meta(ctx, id)
	if err != nil {
		return Change{}, fmt.Errorf("reading network interface %s: %w", id, err)
	}
	if m == nil || m.Deleted != nil {
		return Change{Stale: m != nil}, nil
	}
	keys := parseKeys(m.Addrs)
	return s.closeAll(ctx, id, keys, keys, ms(at))
}

// InterfaceByAttachment returns the interface of an attachment id
// (eni-attach-...), as last recorded.
func (s *Store) InterfaceByAttachment(ctx context.Context, attachmentID string) (string, bool, error) {
	item, err := s.get(ctx, prefixAttach+attachmentID, skMeta, false)
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
