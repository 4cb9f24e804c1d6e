package handler

import (
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

// failingPuts fails the put numbered failAt (1-based) and passes the others
// to the client.
type failingPuts struct {
	s3sink.PutAPI
	puts, failAt int
}

func (f *failingPuts) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.puts++
	if f.puts == f.failAt {
		return nil, errors.New("injected S3 failure")
	}
	return f.PutAPI.PutObject(ctx, in, opts...)
}

// keyPattern is the layout of every object: the prefix, the Hive partition
// and a name read back by s3sink.ParseName.
var keyPattern = regexp.MustCompile(`^flows/dt=\d{4}-\d{2}-\d{2}/hour=\d{2}/([^/]+)$`)

func TestHandleCloudWatchLogs(t *testing.T) {
	client, bucket := motoS3(t)
	// Records of two interfaces, hours apart, so that the rows fall in
	// more than one partition.
	gen := [][]byte{subscription.GeneratePayload(1500, 7), subscription.GeneratePayload(1500, 8)}
	bad := "2 123456789012 eni-0123 not-an-address 10.0.0.1 1 2 6 1 1 1718000000 1718000060 ACCEPT OK"
	msgs := append(payloadMessages(t, gen[0]), bad, bad)
	msgs = append(msgs, payloadMessages(t, gen[1])...)
	gz := subscriptionPayload(t, "123456789012", "/vpc/flow-logs", "eni-0a1b2c3d4e5f60718-all", 900, msgs)
	event := events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(gz)}}
	inv := payloadsInventory(t, gen...)

	for _, format := range s3sink.Formats {
		t.Run(string(format), func(t *testing.T) {
			prefix := "flows/" + string(format) + "/"
			puts := &failingPuts{PutAPI: client, failAt: 2}
			sink, err := s3sink.New(puts, bucket, prefix, format)
			if err != nil {
				t.Fatal(err)
			}
			h, err := NewLogsHandler(EnrichConfig{Sink: sink, Inventory: StaticInventory{Inv: inv}, Logger: quietLog})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()

			// The first attempt fails after storing one partition, as a
			// function that crashed would; Lambda retries the same event.
			if _, err := h.HandleCloudWatchLogs(ctx, event); err == nil || !strings.Contains(err.Error(), "injected") {
				t.Fatalf("first attempt: err %v, want the injected failure", err)
			}
			first := storedRows(t, client, bucket, prefix)
			if len(first) != 1 {
				t.Fatalf("after the failed attempt: %d objects, want 1", len(first))
			}
			var keys [][]string
			for attempt := range 2 {
				res, err := h.HandleCloudWatchLogs(ctx, event)
				if err != nil {
					t.Fatalf("attempt %d: %v", attempt+2, err)
				}
				if res.Read != len(msgs) || res.Rejected != 2 || res.Read != res.Written+res.Rejected {
					t.Errorf("attempt %d: counts %+v, want %d read and 2 rejected", attempt+2, res.Counts, len(msgs))
				}
				keys = append(keys, res.Keys)
			}
			if !slices.Equal(keys[0], keys[1]) || len(keys[0]) < 2 {
				t.Errorf("keys of the two attempts differ or are too few:\n%q\n%q", keys[0], keys[1])
			}
			objects := storedRows(t, client, bucket, prefix)
			if got := sortedKeys(objects); !slices.Equal(got, keys[0]) {
				t.Errorf("stored %q, want exactly %q", got, keys[0])
			}
			if got := recordsIn(t, objects); got != int64(len(msgs)-2) {
				t.Errorf("rows fold %d records, want %d", got, len(msgs)-2)
			}
			for _, k := range keys[0] {
				m := keyPattern.FindStringSubmatch(strings.Replace(k, prefix, "flows/", 1))
				if m == nil {
					t.Errorf("key %q is not PREFIX/dt=.../hour=../NAME", k)
					continue
				}
				n, err := s3sink.ParseName(m[1])
				if err != nil || n.Kind != 'l' || n.First != "00000000000000000000000000000000000000000000000000000900" ||
					!strings.HasSuffix(n.Source, "-eni-0a1b2c3d4e5f60718-all") {
					t.Errorf("name of %q: %+v, %v", k, n, err)
				}
			}
		})
	}
}

func TestHandleCloudWatchLogsRejects(t *testing.T) {
	client, bucket := motoS3(t)
	sink, err := s3sink.New(client, bucket, "flows", s3sink.NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	gen := subscription.GeneratePayload(10, 1)
	h, err := NewLogsHandler(EnrichConfig{Sink: sink, Inventory: StaticInventory{Inv: payloadsInventory(t, gen)}, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	control := `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]}`
	tests := []struct {
		name string
		data string
		want Counts
	}{
		{"not base64", "%%%", Counts{Payloads: 1, Read: 1, Rejected: 1}},
		{"not gzip", base64.StdEncoding.EncodeToString([]byte("plain text")), Counts{Payloads: 1, Read: 1, Rejected: 1}},
		{"control message", base64.StdEncoding.EncodeToString(gzipBytes(t, []byte(control))), Counts{}},
		{"only bad lines", base64.StdEncoding.EncodeToString(subscriptionPayload(t, "1", "g", "s", 1, []string{"x", "y"})), Counts{Payloads: 1, Read: 2, Rejected: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := h.HandleCloudWatchLogs(context.Background(), events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: tt.data}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Counts != tt.want || len(res.Keys) != 0 {
				t.Errorf("result %+v, want counts %+v and no objects", res, tt.want)
			}
		})
	}
	if objects := storedRows(t, client, bucket, "flows/"); len(objects) != 0 {
		t.Errorf("stored %q", sortedKeys(objects))
	}
	// Every rejected record is kept with its reason: two payloads that do
	// not decode and the two lines that do not parse.
	kept := storedRejected(t, client, bucket, "flows/")
	n := 0
	for key, rs := range kept {
		for _, r := range rs {
			n++
			if r.Reason == "" || r.Source == "" || !strings.Contains(key, r.Source) {
				t.Errorf("%s: %+v lacks a reason or its source", key, r)
			}
		}
	}
	if n != 4 || len(kept) != 3 {
		t.Errorf("kept %d rejected records in %d objects, want 4 in 3: %v", n, len(kept), kept)
	}
}
