package s3sink

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"
)

// RejectedDir is the folder, under the sink's prefix, of the records the
// enricher could not use, kept with their reasons:
//
//	PREFIX/_rejected/NAME.json.gz
//
// NAME is the name of the rows' objects of the same input, so that a retry
// overwrites what a failed attempt kept, as it does for rows. Athena, like
// Hive, skips folders whose names begin with an underscore, so the table of
// the rows does not read them.
const RejectedDir = "_rejected"

// Rejected is one record, or one whole payload, that was not used.
type Rejected struct {
	// Source names the input: the object name of its rows.
	Source string `json:"source"`
	// LogGroup and LogStream are those of the payload, when it decoded.
	LogGroup  string `json:"log_group,omitempty"`
	LogStream string `json:"log_stream,omitempty"`
	// Object is the s3://bucket/key of a flow log file the record came
	// from, when it came from one; Event is then its line number (the
	// header is line 1), or its row for Parquet.
	Object string `json:"object,omitempty"`
	// Event is the 1-based index of the log event in its payload; 0 for a
	// payload that did not decode.
	Event  int    `json:"event"`
	Reason string `json:"reason"`
	// Message is the flow log line, or for a payload that did not decode
	// its first bytes.
	Message string `json:"message"`
}

// RejectedKey returns the key of the rejected records of an input name.
func (s *Sink) RejectedKey(name string) string {
	return s.prefix + RejectedDir + "/" + name + NDJSON.Ext()
}

// CommitRejected stores the rejected records of one input as gzip NDJSON
// under RejectedKey(name), and returns the key; nothing is written for
// none.
func (s *Sink) CommitRejected(ctx context.Context, name string, rs []Rejected) (string, error) {
	if len(rs) == 0 {
		return "", nil
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	enc := json.NewEncoder(zw)
	for i := range rs {
		if err := enc.Encode(&rs[i]); err != nil {
			return "", err
		}
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	key := s.RejectedKey(name)
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(buf.Bytes()),
		ContentLength: aws.Int64(int64(buf.Len())),
		ContentType:   aws.String(NDJSON.ContentType()),
		Metadata:      map[string]string{"records": strconv.Itoa(len(rs))},
	})
	if err != nil {
		return "", fmt.Errorf("writing s3://%s/%s: %w", s.bucket, key, err)
	}
	return key, nil
}
