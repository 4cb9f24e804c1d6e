package inventorystore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// DefaultRetention is how long closed ranges and deleted interfaces are
// kept when Options.Retention is zero.
const DefaultRetention = 30 * 24 * time.Hour

// Options configure a Store.
type Options struct {
	// Retention is how long a closed range, closed head or deleted
	// interface is kept after it closed, through its ttl attribute.
	// Default: DefaultRetention.
	Retention time.Duration
}

// Store reads and writes the inventory table.
type Store struct {
	db        API
	table     string
	retention time.Duration
}

// New returns a store on the named table.
func New(db API, table string, opts Options) *Store {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	return &Store{db: db, table: table, retention: opts.Retention}
}

// Table returns the name of the table.
func (s *Store) Table() string { return s.table }

// ErrUnknownInterface is returned by updates that need what the store knows
// about an interface when it knows nothing.
var ErrUnknownInterface = errors.New("network interface not in the inventory")

// Key attribute names and prefixes; KEYS.md documents them.
const (
	attrPK = "PK"
	attrSK = "SK"

	prefixIP       = "IP#"
	prefixENI      = "ENI#"
	prefixARN      = "ARN#"
	prefixScope    = "SCOPE#"
	prefixInstance = "INSTANCE#"
	prefixAttach   = "ATTACH#"
	prefixEIPAssoc = "EIPASSOC#"

	skMeta = "META"
	skTags = "TAGS"
)

// AddrKey returns the key form of an address or delegated prefix: the
// address alone for a single address, the masked prefix otherwise.
func AddrKey(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.Masked().String()
}

// ParseAddrKey parses what AddrKey returns.
func ParseAddrKey(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Single returns the prefix that stands for one address.
func Single(a netip.Addr) netip.Prefix {
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen())
}

func ipPK(p netip.Prefix) string { return prefixIP + AddrKey(p) }
func eniSK(id string) string     { return prefixENI + id }
func eniPK(id string) string     { return prefixENI + id }
func arnPK(arn string) string    { return prefixARN + arn }
func scopePK(account, region string) string {
	return prefixScope + account + "#" + region
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// ms converts a time to the epoch milliseconds stored in items; the zero
// time is 0, "since before any record".
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func strSet(v []string) types.AttributeValue { return &types.AttributeValueMemberSS{Value: v} }

// expiry is the ttl attribute value, in epoch seconds, of an item closed at
// closedMS.
func (s *Store) expiry(closedMS int64) int64 {
	return (closedMS + s.retention.Milliseconds()) / 1000
}

// conditionFailed reports whether err is a failed condition of a
// conditional write: the expected outcome when an event is stale or
// replayed.
func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func (s *Store) get(ctx context.Context, pk, sk string, consistent bool) (map[string]types.AttributeValue, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(pk, sk),
		ConsistentRead: aws.Bool(consistent),
	})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

// queryAll reads every item of a partition, page after page.
func (s *Store) queryAll(ctx context.Context, pk string, consistent bool) ([]map[string]types.AttributeValue, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ConsistentRead:            aws.Bool(consistent),
	}
	var items []map[string]types.AttributeValue
	for {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, err
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// maxBatchRetries bounds the retries of unprocessed batch writes, which
// DynamoDB returns under throttling.
const maxBatchRetries = 5

// batchWrite writes requests 25 at a time, the BatchWriteItem limit,
// retrying unprocessed items with a short backoff.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		n := min(len(reqs), 25)
		pending := map[string][]types.WriteRequest{s.table: reqs[:n]}
		reqs = reqs[n:]
		for attempt := 0; len(pending[s.table]) > 0; attempt++ {
			if attempt > maxBatchRetries {
				return fmt.Errorf("%d writes still unprocessed after %d retries", len(pending[s.table]), maxBatchRetries)
			}
			if attempt > 0 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(time.Duration(attempt*attempt) * 50 * time.Millisecond):
				}
			}
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return err
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}
