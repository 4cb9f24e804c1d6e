package inventorystore

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// PutTags replaces the tags of a resource with those it had at at. Version
// is the "version" of a Tag Change on Resource event, which AWS increases
// with every change of the resource's tags and which orders changes made
// within the same second; pass 0 when there is none (a sync). Tags older
// than those stored are ignored. An empty map records that the resource has
// no tags, so that an older event cannot bring them back. It reports whether
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
	in := &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      key(arnPK(arn), skTags),
		UpdateExpression:         aws.String("SET tags = :tags, updated = :at"),
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR updated < :at OR (updated = :at AND (attribute_not_exists(#v) OR #v < :v))"),
		ExpressionAttributeNames: map[string]string{"#v": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":tags": av,
			":at":   num(ms(at)),
			":v":    num(version),
		},
	}
	if version > 0 {
		*in.UpdateExpression += ", #v = :v"
	}
	if _, err := s.db.UpdateItem(ctx, in); err != nil {
		if conditionFailed(err) {
			return false, nil
		}
		return false, fmt.Errorf("writing tags of %s: %w", arn, err)
	}
	return true, nil
}

// putTagsIfNewer writes tags from a description of the resource unless the
// stored ones are as new: reading first keeps replays free of writes.
func (s *Store) putTagsIfNewer(ctx context.Context, arn string, tags map[string]string, at time.Time) error {
	item, err := s.get(ctx, arnPK(arn), skTags, true)
	if err != nil {
		return fmt.Errorf("reading tags of %s: %w", arn, err)
	}
	if v, ok := item["updated"].(*types.AttributeValueMemberN); ok {
		if updated, err := strconv.ParseInt(v.Value, 10, 64); err == nil && updated >= ms(at) {
			return nil
		}
	}
	_, err = s.PutTags(ctx, arn, tags, at, 0)
	return err
}

// Tags returns the tags of a resource, and whether the store has any
// record of them (an empty map with true means the resource has no tags).
func (s *Store) Tags(ctx context.Context, arn string) (map[string]string, bool, error) {
	item, err := s.get(ctx, arnPK(arn), skTags, false)
	if err != nil {
		return nil, false, fmt.Errorf("reading tags of %s: %w", arn, err)
	}
	if item == nil {
		return nil, false, nil
	}
	var t struct {
		Tags map[string]string `dynamodbav:"tags"`
	}
	if err := attributevalue.UnmarshalMap(item, &t); err != nil {
		return nil, false, fmt.Errorf("decoding tags of %s: %w", arn, err)
	}
	if t.Tags == nil {
		t.Tags = map[string]string{}
	}
	return t.Tags, true, nil
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
// the public address's range.
func (s *Store) PutAssociation(ctx context.Context, a Association) error {
	item := key(prefixEIPAssoc+a.ID, skMeta)
	item["publicIp"] = str(a.PublicIP.String())
	item["eni"] = str(a.InterfaceID)
	item["at"] = num(ms(a.At))
	if a.AllocationID != "" {
		item["allocationId"] = str(a.AllocationID)
	}
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR #at < :at"),
		ExpressionAttributeNames:  map[string]string{"#at": "at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": num(ms(a.At))},
	})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("writing association %s: %w", a.ID, err)
	}
	return nil
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

// DeleteAssociation forgets an Elastic IP association.
func (s *Store) DeleteAssociation(ctx context.Context, id string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       key(prefixEIPAssoc+id, skMeta),
	})
	if err != nil {
		return fmt.Errorf("deleting association %s: %w", id, err)
	}
	return nil
}
