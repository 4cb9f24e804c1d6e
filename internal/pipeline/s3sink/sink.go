// Package s3sink stores enriched connection rows in S3 the way the Athena
// tables of internal/pipeline/enrich/athena read them: one object per input batch
// and Hive partition,
//
//	PREFIX/dt=YYYY-MM-DD/hour=HH/NAME.json.gz   (gzip NDJSON)
//	PREFIX/dt=YYYY-MM-DD/hour=HH/NAME.parquet   (Parquet)
//
// where the partition is that of each row's aggregation window
// (connrows.PartitionPath) and NAME is derived from the input alone (see
// KinesisName and LogsName). A batch that is processed again, because Lambda
// retried it, therefore writes the same keys and overwrites what the first
// attempt wrote instead of adding to it.
package s3sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
)

// Format is the file format of the objects.
type Format string

// Formats.
const (
	NDJSON  Format = contract.FormatNDJSON
	Parquet Format = contract.FormatParquet
)

// Formats lists the formats, for validation and documentation.
var Formats = []Format{NDJSON, Parquet}

// Ext returns the file name extension of the format.
func (f Format) Ext() string {
	if f == Parquet {
		return ".parquet"
	}
	return ".json.gz"
}

// ContentType returns the media type objects of the format are stored with.
func (f Format) ContentType() string {
	if f == Parquet {
		return "application/vnd.apache.parquet"
	}
	return "application/gzip"
}

// ParseFormat returns the format of a name, "" meaning NDJSON.
func ParseFormat(s string) (Format, error) {
	f, err := contract.ParseFormat(s)
	return Format(f), err
}

// PutAPI is the part of the S3 client the sink uses.
type PutAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Sink writes batches of rows to one bucket and prefix.
type Sink struct {
	client PutAPI
	bucket string
	prefix string
	format Format
	// rows is where the partitions of rows are: the prefix, or its
	// staging folder (Staged).
	rows string
}

// New returns a sink writing objects of the given format under
// s3://bucket/prefix. A prefix that does not end with a slash gets one.
func New(client PutAPI, bucket, prefix string, format Format) (*Sink, error) {
	if bucket == "" {
		return nil, errors.New("s3sink: no bucket")
	}
	if _, err := ParseFormat(string(format)); err != nil {
		return nil, err
	}
	if format == "" {
		format = NDJSON
	}
	if prefix != "" && prefix[len(prefix)-1] != '/' {
		prefix += "/"
	}
	return &Sink{client: client, bucket: bucket, prefix: prefix, format: format, rows: prefix}, nil
}

// Staged returns a sink that writes the same bucket and prefix, with its
// rows under PREFIX/_staging/ (contract.StagingDir) instead of PREFIX/, for the
// compaction to merge. Rejected records stay where they are.
func (s *Sink) Staged() *Sink {
	c := *s
	c.rows = s.prefix + contract.StagingDir + "/"
	return &c
}

// Staging reports whether the sink writes its rows to the staging folder.
func (s *Sink) Staging() bool { return s.rows != s.prefix }

// Bucket returns the bucket the sink writes to.
func (s *Sink) Bucket() string { return s.bucket }

// Prefix returns the key prefix, empty or ending with a slash.
func (s *Sink) Prefix() string { return s.prefix }

// Format returns the format of the objects.
func (s *Sink) Format() Format { return s.format }

// Key returns the key of the object of a batch name in a partition.
func (s *Sink) Key(partition, name string) string {
	return s.rows + partition + "/" + name + s.format.Ext()
}

// NewBatch returns an empty batch in the sink's format.
func (s *Sink) NewBatch() *Batch { return &Batch{format: s.format} }

// Commit stores each partition of a closed batch as the object
// Key(partition, name), in partition order, and returns the keys written.
// On an error the objects already written stay: committing the same rows
// under the same name again replaces them.
func (s *Sink) Commit(ctx context.Context, b *Batch, name string) ([]string, error) {
	if !b.closed {
		return nil, errors.New("s3sink: committing a batch that is not closed")
	}
	if name == "" {
		return nil, errors.New("s3sink: committing a batch without a name")
	}
	keys := make([]string, 0, len(b.order))
	for _, p := range b.sorted() {
		key := s.Key(p.partition, name)
		_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(s.bucket),
			Key:           aws.String(key),
			Body:          bytes.NewReader(p.buf.Bytes()),
			ContentLength: aws.Int64(int64(p.buf.Len())),
			ContentType:   aws.String(s.format.ContentType()),
			Metadata: map[string]string{
				"rows":    strconv.Itoa(p.rows),
				"records": strconv.FormatInt(p.records, 10),
			},
		})
		if err != nil {
			return keys, fmt.Errorf("writing s3://%s/%s: %w", s.bucket, key, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// Batch collects the rows of one input batch, each in the file of its
// partition. It is a connrows.Writer; Close ends the files, after which
// Sink.Commit stores them.
type Batch struct {
	format Format
	parts  map[string]*partFile
	order  []*partFile
	closed bool
	err    error
}

var _ connrows.Writer = (*Batch)(nil)

// partFile is the file of one partition.
type partFile struct {
	partition string
	buf       bytes.Buffer
	w         connrows.Writer
	nd        *connrows.NDJSONWriter
	rows      int
	records   int64
}

// Write adds a row to the file of its window's partition.
func (b *Batch) Write(r *connrows.Row) error {
	if b.err != nil {
		return b.err
	}
	if b.closed {
		return errors.New("s3sink: write to a closed batch")
	}
	p := b.part(connrows.PartitionPath(r.Window))
	if p == nil {
		return b.err
	}
	p.rows++
	p.records += r.Records
	if err := p.w.Write(r); err != nil {
		b.err = err
	}
	return b.err
}

func (b *Batch) part(partition string) *partFile {
	if p, ok := b.parts[partition]; ok {
		return p
	}
	if b.parts == nil {
		b.parts = make(map[string]*partFile)
	}
	p := &partFile{partition: partition}
	switch b.format {
	case Parquet:
		p.w = parquetrows.NewWriter(&p.buf)
	default:
		nd, err := connrows.NewNDJSON(&p.buf, connrows.NDJSONOptions{Gzip: true})
		if err != nil {
			b.err = err
			return nil
		}
		p.w, p.nd = nd, nd
	}
	b.parts[partition] = p
	b.order = append(b.order, p)
	return p
}

// Close ends the file of every partition.
func (b *Batch) Close() error {
	if b.closed {
		return b.err
	}
	b.closed = true
	for _, p := range b.order {
		if err := p.w.Close(); err != nil && b.err == nil {
			b.err = err
		}
	}
	return b.err
}

// Reset empties the batch for reuse. The files of partitions that had rows
// are kept, emptied, for the same partitions in the next batch, so that a
// warm Lambda function does not grow their buffers again; the others are
// dropped, so that what is kept stays bounded.
func (b *Batch) Reset() {
	kept := b.order[:0]
	for _, p := range b.order {
		if p.nd == nil || p.rows == 0 {
			delete(b.parts, p.partition)
			continue
		}
		p.buf.Reset()
		p.nd.Reset(&p.buf)
		p.rows, p.records = 0, 0
		kept = append(kept, p)
	}
	clear(b.order[len(kept):])
	b.order = kept
	b.closed = false
	b.err = nil
}

// Partitions returns the partitions that have rows, in order.
func (b *Batch) Partitions() []string {
	var ps []string
	for _, p := range b.sorted() {
		ps = append(ps, p.partition)
	}
	return ps
}

// Rows returns the number of rows written.
func (b *Batch) Rows() int {
	n := 0
	for _, p := range b.order {
		n += p.rows
	}
	return n
}

// sorted returns the files that have rows, by partition.
func (b *Batch) sorted() []*partFile {
	ps := make([]*partFile, 0, len(b.order))
	for _, p := range b.order {
		if p.rows > 0 {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(x, y *partFile) int {
		switch {
		case x.partition < y.partition:
			return -1
		case x.partition > y.partition:
			return 1
		}
		return 0
	})
	return ps
}

// Dir is a PutAPI that writes objects as files under a directory, as
// ROOT/KEY, ignoring the bucket: for running the pipeline and the queries
// on a machine without S3.
type Dir string

// PutObject writes the body to the key's file.
func (d Dir) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	path := filepath.Join(string(d), filepath.FromSlash(aws.ToString(in.Key)))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if _, err := f.ReadFrom(in.Body); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return &s3.PutObjectOutput{}, nil
}
