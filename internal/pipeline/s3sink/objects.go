package s3sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/compaction"
)

// ObjectsAPI is the part of the S3 client the compaction uses.
type ObjectsAPI interface {
	PutAPI
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, opts ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

// Objects is the compaction's store on one S3 bucket.
type Objects struct {
	Client ObjectsAPI
	Bucket string
}

var _ compaction.Store = Objects{}

// List returns every object under a prefix, in key order.
func (o Objects) List(ctx context.Context, prefix string) ([]compaction.Object, error) {
	var out []compaction.Object
	pages := s3.NewListObjectsV2Paginator(o.Client, &s3.ListObjectsV2Input{Bucket: aws.String(o.Bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", o.Bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			out = append(out, compaction.Object{Key: aws.ToString(obj.Key), Size: aws.ToInt64(obj.Size)})
		}
	}
	return out, nil
}

// Get returns an object's body.
func (o Objects) Get(ctx context.Context, key string) ([]byte, error) {
	out, err := o.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("reading s3://%s/%s: %w", o.Bucket, key, err)
	}
	defer func() { _ = out.Body.Close() }() // read only
	var buf bytes.Buffer
	if n := aws.ToInt64(out.ContentLength); n > 0 {
		buf.Grow(int(n))
	}
	if _, err := io.Copy(&buf, out.Body); err != nil {
		return nil, fmt.Errorf("reading s3://%s/%s: %w", o.Bucket, key, err)
	}
	return buf.Bytes(), nil
}

// Put writes an object.
func (o Objects) Put(ctx context.Context, key string, body []byte, contentType string, meta map[string]string) error {
	_, err := o.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(o.Bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String(contentType),
		Metadata:      meta,
	})
	if err != nil {
		return fmt.Errorf("writing s3://%s/%s: %w", o.Bucket, key, err)
	}
	return nil
}

// maxDelete is how many keys one DeleteObjects call takes.
const maxDelete = 1000

// Delete deletes objects, a thousand a call; DeleteObjects reports a key
// that does not exist as deleted.
func (o Objects) Delete(ctx context.Context, keys []string) error {
	for len(keys) > 0 {
		n := min(len(keys), maxDelete)
		ids := make([]types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := o.Client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(o.Bucket),
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("deleting %d objects of s3://%s: %w", n, o.Bucket, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("deleting s3://%s/%s: %s: %s (and %d more)", o.Bucket, aws.ToString(e.Key),
				aws.ToString(e.Code), aws.ToString(e.Message), len(out.Errors)-1)
		}
		keys = keys[n:]
	}
	return nil
}

// errNoBucket is returned by NewObjects without a bucket.
var errNoBucket = errors.New("s3sink: no bucket")

// NewObjects returns the compaction's store on a bucket.
func NewObjects(client ObjectsAPI, bucket string) (Objects, error) {
	if bucket == "" {
		return Objects{}, errNoBucket
	}
	return Objects{Client: client, Bucket: bucket}, nil
}
