package inventorystore

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// TagVersion is the tags a resource had from a time on.
type TagVersion struct {
	At time.Time
	// Version is the "version" of the Tag Change on Resource event, 0
	// for a description.
	Version int64
	Tags    map[string]string
}

// TagHistory is what the store knows of a resource's tags over time,
// sorted by time and version.
type TagHistory []TagVersion

// At returns the tags a resource had at t: those of the latest version at
// or before t, or, before the first version recorded, those of the first
// (the best knowledge of tags set before the store saw the resource). A
// zero t asks for the latest. It returns nil when nothing is recorded.
func (h TagHistory) At(t time.Time) map[string]string {
	if len(h) == 0 {
		return nil
	}
	if t.IsZero() {
		return h[len(h)-1].Tags
	}
	i, _ := slices.BinarySearchFunc(h, t, func(v TagVersion, t time.Time) int {
		if v.At.After(t) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return h[0].Tags
	}
	return h[i-1].Tags
}

// Changes returns the times in (from, to) at which the tags change; a
// zero to is open.
func (h TagHistory) Changes(from, to time.Time) []time.Time {
	var out []time.Time
	for _, v := range h {
		if v.At.After(from) && (to.IsZero() || v.At.Before(to)) {
			out = append(out, v.At)
		}
	}
	return out
}

// Tag history sort keys: T#<ms, 13 digits>#<version, 20 digits>.
const prefixTagVersion = "T#"

func tagSK(at, version int64) string {
	return prefixTagVersion + fmt.Sprintf("%013d#%020d", at, version)
}

// PutTags records the tags a resource has from at on. Version is the
// "version" of a Tag Change on Resource event, which AWS increases with
// every change of the resource's tags and which orders changes made within
// the same millisecond; pass 0 when there is none. An empty map records
// that the resource has no tags. Writing the same change again rewrites the
// same item, and changes may arrive in any order. It reports whether
// anything was written.
func (s *Store) PutTags(ctx context.Context, arn string, tags map[string]string, at time.Time, version int64) (bool, error) {
	if arn == "" {
		return false, nil
	}
	if tags == nil {
		tags = map[string]string{}
	}
	av, err := attributevalue.Marshal(tags)
	if err != nil {
		return false, err
	}
	item := key(arnPK(arn), tagSK(ms(at), version))
	item["tags"] = av
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return false, fmt.Errorf("writing tags of %s: %w", arn, err)
	}
	return true, nil
}

// syncTags records the tags a description of a sync shows, unless the
// history already gives the resource those tags at at.
func (s *Store) syncTags(ctx context.Context, arn string, tags map[string]string, at time.Time) (bool, error) {
	h, err := s.TagHistory(ctx, arn)
	if err != nil {
		return false, err
	}
	if len(h) > 0 && maps.Equal(h.At(at), tags) {
		return false, nil
	}
	return s.PutTags(ctx, arn, tags, at, 0)
}

// SyncTags is PutTags for tags a scheduled sync read: nothing is written
// when the history already gives the resource those tags at at.
func (s *Store) SyncTags(ctx context.Context, arn string, tags map[string]string, at time.Time) (bool, error) {
	return s.syncTags(ctx, arn, tags, at)
}

// TagHistory returns the recorded tags of a resource over time.
func (s *Store) TagHistory(ctx context.Context, arn string) (TagHistory, error) {
	items, err := s.queryAll(ctx, arnPK(arn), false)
	if err != nil {
		return nil, fmt.Errorf("reading tags of %s: %w", arn, err)
	}
	var h TagHistory
	for _, item := range items {
		rest, ok := strings.CutPrefix(stringAttr(item, attrSK), prefixTagVersion)
		if !ok {
			continue
		}
		atPart, verPart, _ := strings.Cut(rest, "#")
		at, err1 := strconv.ParseInt(atPart, 10, 64)
		ver, err2 := strconv.ParseInt(verPart, 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		var t struct {
			Tags map[string]string `dynamodbav:"tags"`
		}
		if err := attributevalue.UnmarshalMap(item, &t); err != nil {
			return nil, fmt.Errorf("decoding tags of %s: %w", arn, err)
		}
		if t.Tags == nil {
			t.Tags = map[string]string{}
		}
		h = append(h, TagVersion{At: fromMS(at), Version: ver, Tags: t.Tags})
	}
	// Items come sorted by key, which sorts by time then version.
	return h, nil
}

// Tags returns the latest tags of a resource, and whether the store has
// any record of them (an empty map with true means the resource has no
// tags).
func (s *Store) Tags(ctx context.Context, arn string) (map[string]string, bool, error) {
	h, err := s.TagHistory(ctx, arn)
	if err != nil || len(h) == 0 {
		return nil, false, err
	}
	return h.At(time.Time{}), true, nil
}

// Association is an Elastic IP association: which public address was
// associated with which interface.
type Association struct {
	ID           string
	AllocationID string
	PublicIP     netip.Addr
	InterfaceID  string
	At           time.Time
}

// PutAssociation records an Elastic IP association, so that the
// DisassociateAddress event, which names only the association, can close
// the public address's range. A disassociation recorded before the
// association arrived is applied now. The address's opening at a.At is
// AssignAddresses's to record.
func (s *Store) PutAssociation(ctx context.Context, a Association) (Change, error) {
	item := key(prefixEIPAssoc+a.ID, skMeta)
	item["publicIp"] = str(a.PublicIP.String())
	item["eni"] = str(a.InterfaceID)
	item["at"] = num(ms(a.At))
	item["ttl"] = num(s.expiry(ms(a.At)))
	if a.AllocationID != "" {
		item["allocationId"] = str(a.AllocationID)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return Change{}, fmt.Errorf("writing association %s: %w", a.ID, err)
	}
	end, err := s.get(ctx, prefixEIPAssoc+a.ID, skEnd, true)
	if err != nil {
		return Change{}, fmt.Errorf("reading association %s: %w", a.ID, err)
	}
	if at, ok := numOf(end, "at"); ok {
		return s.closeAll(ctx, a.InterfaceID, []netip.Prefix{Single(a.PublicIP)}, at)
	}
	return Change{}, nil
}

// Disassociate records that an Elastic IP association ended at at. When
// the association is known its public address's range closes; otherwise
// the end waits for the association's own event (PutAssociation applies
// it).
func (s *Store) Disassociate(ctx context.Context, id string, at time.Time) (Association, bool, Change, error) {
	item := key(prefixEIPAssoc+id, skEnd)
	item["at"], item["ttl"] = num(ms(at)), num(s.expiry(ms(at)))
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return Association{}, false, Change{}, fmt.Errorf("recording the end of association %s: %w", id, err)
	}
	a, ok, err := s.Association(ctx, id)
	if err != nil || !ok {
		return a, ok, Change{}, err
	}
	ch, err := s.closeAll(ctx, a.InterfaceID, []netip.Prefix{Single(a.PublicIP)}, ms(at))
	return a, true, ch, err
}

// Association returns a recorded Elastic IP association.
func (s *Store) Association(ctx context.Context, id string) (Association, bool, error) {
	item, err := s.get(ctx, prefixEIPAssoc+id, skMeta, true)
	if err != nil {
		return Association{}, false, fmt.Errorf("reading association %s: %w", id, err)
	}
	if item == nil {
		return Association{}, false, nil
	}
	var v struct {
		PublicIP     string `dynamodbav:"publicIp"`
		ENI          string `dynamodbav:"eni"`
		At           int64  `dynamodbav:"at"`
		AllocationID string `dynamodbav:"allocationId"`
	}
	if err := attributevalue.UnmarshalMap(item, &v); err != nil {
		return Association{}, false, fmt.Errorf("decoding association %s: %w", id, err)
	}
	ip, err := netip.ParseAddr(v.PublicIP)
	if err != nil {
		return Association{}, false, fmt.Errorf("decoding association %s: %w", id, err)
	}
	return Association{ID: id, AllocationID: v.AllocationID, PublicIP: ip, InterfaceID: v.ENI, At: fromMS(v.At)}, true, nil
}
