package watchdog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// S3API is the part of S3 the state store uses.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// S3State keeps each account and region's state in one small JSON object,
// s3://Bucket/Prefix/ACCOUNT/REGION.json: one read and one write per run,
// nothing to provision beyond a bucket, and readable by hand. Two runs at
// once (EventBridge delivers a scheduled event at least once) may both
// announce the same flow log; the later write wins, which is harmless.
type S3State struct {
	S3     S3API
	Bucket string
	// Prefix of the keys; "vpcflow-watchdog/" when empty.
	Prefix string
}

// Key is the object of an account and region.
func (s *S3State) Key(account, region string) string {
	prefix := s.Prefix
	if prefix == "" {
		prefix = defaultStatePrefix
	}
	return prefix + account + "/" + region + ".json"
}

// Load reads the state; a missing object is an empty state (the first run).
func (s *S3State) Load(ctx context.Context, account, region string) (State, error) {
	empty := State{Version: stateVersion, Account: account, Region: region, Failing: map[string]Failing{}}
	key := s.Key(account, region)
	// An object written without a checksum is the usual case here; the SDK
	// would log that on every run.
	out, err := s.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)},
		func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound") {
			return empty, nil
		}
		return empty, fmt.Errorf("reading s3://%s/%s: %w", s.Bucket, key, err)
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return empty, fmt.Errorf("reading s3://%s/%s: %w", s.Bucket, key, err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil || st.Version != stateVersion {
		// Unreadable or from another version: start afresh rather than
		// stop watching; the cost is one round of repeated events.
		return empty, nil
	}
	if st.Failing == nil {
		st.Failing = map[string]Failing{}
	}
	return st, nil
}

// Save writes the state.
func (s *S3State) Save(ctx context.Context, st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	key := s.Key(st.Account, st.Region)
	_, err = s.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(key), Body: bytes.NewReader(b),
		ContentType: aws.String(stateObjectContentType),
	})
	if err != nil {
		return fmt.Errorf("writing s3://%s/%s: %w", s.Bucket, key, err)
	}
	return nil
}
