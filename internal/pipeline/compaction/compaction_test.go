package compaction_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/compaction"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

var bucketSeq atomic.Int64

// motoBucket returns an S3 client of the package's moto and a new bucket.
func motoBucket(tb testing.TB) (*s3.Client, string) {
	tb.Helper()
	client := s3.NewFromConfig(acctest.AWSConfig(tb), func(o *s3.Options) {
		o.UsePathStyle = true
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	bucket := fmt.Sprintf("vpcflow-compaction-%d-%d", time.Now().UnixNano()%1_000_000, bucketSeq.Add(1))
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		tb.Fatal(err)
	}
	return client, bucket
}

// faultStore fails chosen calls of a store: a run that stops there, as a
// Lambda function that times out or whose S3 calls fail does.
type faultStore struct {
	compaction.Store
	// failManifest fails the Put of the n-th manifest (1-based, counted
	// over the store's life); failStagingDelete the n-th Delete of staged
	// parts.
	failManifest, failStagingDelete int
	manifests, stagingDeletes       int
}

var errInjected = errors.New("injected failure")

func (f *faultStore) Put(ctx context.Context, key string, body []byte, ctype string, meta map[string]string) error {
	if strings.Contains(key, "/"+compaction.ManifestDir+"/") {
		f.manifests++
		if f.manifests == f.failManifest {
			return errInjected
		}
	}
	return f.Store.Put(ctx, key, body, ctype, meta)
}

func (f *faultStore) Delete(ctx context.Context, keys []string) error {
	if len(keys) > 0 && strings.Contains(keys[0], "/"+compaction.StagingDir+"/") {
		f.stagingDeletes++
		if f.stagingDeletes == f.failStagingDelete {
			return errInjected
		}
	}
	return f.Store.Delete(ctx, keys)
}

// testRows returns n rows in the hour of at, each of one record.
func testRows(at time.Time, n, seed int) []connrows.Row {
	rows := make([]connrows.Row, n)
	for i := range rows {
		rows[i] = connrows.Row{
			Protocol: "tcp", Uploaded: int64(100 + i + seed), Downloaded: int64(1000 + i), UploadedPackets: 2, DownloadedPackets: 3,
			Start: at, End: at.Add(time.Minute), Window: at, Action: "ACCEPT", ServerPort: 443, Records: 1, LogStatus: connrows.LogStatusOK,
			Client: &connrows.Endpoint{Addr: fmt.Sprintf("10.0.%d.%d", seed%250, i%250), Type: "instance", Rfc1918: true},
			Server: &connrows.Endpoint{Addr: "10.1.0.1", Type: "rds", Rfc1918: true, Tags: map[string]string{"app": "orders"}},
		}
	}
	return rows
}

// stagePart writes rows as a staged part in the sink's format, as the
// enrichment handlers do.
func stagePart(tb testing.TB, sink *s3sink.Sink, name string, rows []connrows.Row) {
	tb.Helper()
	b := sink.NewBatch()
	for i := range rows {
		if err := b.Write(&rows[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		tb.Fatal(err)
	}
	if _, err := sink.Commit(context.Background(), b, name); err != nil {
		tb.Fatal(err)
	}
}

// listed returns the keys under a prefix.
func listed(tb testing.TB, store compaction.Store, prefix string) []string {
	tb.Helper()
	objs, err := store.List(context.Background(), prefix)
	if err != nil {
		tb.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}

// readAll returns every row of the compacted objects under prefix, and
// the number of objects.
func readAll(tb testing.TB, store compaction.Store, prefix string) ([]connrows.Row, int) {
	tb.Helper()
	var rows []connrows.Row
	n := 0
	for _, key := range listed(tb, store, prefix) {
		rel := strings.TrimPrefix(key, prefix)
		if strings.HasPrefix(rel, "_") {
			continue
		}
		body, err := store.Get(context.Background(), key)
		if err != nil {
			tb.Fatal(err)
		}
		n++
		if strings.HasSuffix(key, ".parquet") {
			rs, err := parquetrows.Read(bytes.NewReader(body), int64(len(body)))
			if err != nil {
				tb.Fatalf("%s: %v", key, err)
			}
			rows = append(rows, rs...)
			continue
		}
		rows = append(rows, readNDJSON(tb, key, body)...)
	}
	return rows, n
}

func TestCompactPartitionLifecycle(t *testing.T) {
	ctx := context.Background()
	client, bucket := motoBucket(t)
	store := s3sink.Objects{Client: client, Bucket: bucket}
	sink, err := s3sink.New(client, bucket, "rows", s3sink.NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	staged := sink.Staged()
	hour := time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)
	now := hour.Add(2 * time.Hour)
	c, err := compaction.New(store, compaction.Options{Prefix: "rows/", Format: compaction.Parquet, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	// An open partition (the current hour) next to a closed one.
	for i := range 5 {
		stagePart(t, staged, fmt.Sprintf("l-abc-stream-%d", i), testRows(hour, 10, i))
	}
	stagePart(t, staged, "l-abc-stream-99", testRows(now, 3, 99))

	st, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Partitions != 1 || st.Open != 1 || st.Parts != 5 || st.Objects != 1 || st.Rows != 50 || st.Records != 50 {
		t.Fatalf("first run: %+v", st)
	}
	rows, objects := readAll(t, store, "rows/")
	if len(rows) != 50 || objects != 1 {
		t.Fatalf("after the first run: %d rows in %d objects", len(rows), objects)
	}
	if got := listed(t, store, "rows/_staging/dt=2024-06-01/hour=10/"); len(got) != 0 {
		t.Fatalf("parts left after compaction: %v", got)
	}

	// A retried payload stores its part again after the compaction: it is
	// recognised by the manifest and deleted, not counted twice.
	stagePart(t, staged, "l-abc-stream-3", testRows(hour, 10, 3))
	// A late part makes a second object.
	stagePart(t, staged, "l-abc-stream-7", testRows(hour, 4, 7))
	if st, err = c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if st.Redelivered != 1 || st.Parts != 1 || st.Objects != 1 || st.Rows != 4 {
		t.Fatalf("second run: %+v", st)
	}
	rows, objects = readAll(t, store, "rows/")
	if len(rows) != 54 || objects != 2 {
		t.Fatalf("after the second run: %d rows in %d objects, want 54 in 2", len(rows), objects)
	}
	if got := listed(t, store, "rows/_compacted/dt=2024-06-01/hour=10/"); len(got) != 2 {
		t.Fatalf("manifests: %v", got)
	}

	// Nothing new: a run changes nothing.
	if st, err = c.Run(ctx); err != nil || st.Objects != 0 || st.Redelivered != 0 || st.Open != 1 {
		t.Fatalf("third run: %+v, %v", st, err)
	}
}

func TestCompactCrashes(t *testing.T) {
	ctx := context.Background()
	client, bucket := motoBucket(t)
	store := &faultStore{Store: s3sink.Objects{Client: client, Bucket: bucket}}
	sink, err := s3sink.New(client, bucket, "rows/", s3sink.Parquet)
	if err != nil {
		t.Fatal(err)
	}
	staged := sink.Staged()
	hour := time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)
	clock := hour.Add(3 * time.Hour)
	c, err := compaction.New(store, compaction.Options{Prefix: "rows/", Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		stagePart(t, staged, fmt.Sprintf("k-abc-shard-%d-%d", 10*i, 10*i+9), testRows(hour, 20, i))
	}

	// The run stops after writing the objects, before the manifest.
	store.failManifest = 1
	if _, err := c.Run(ctx); !errors.Is(err, errInjected) {
		t.Fatalf("run with a failing manifest: %v", err)
	}
	if _, objects := readAll(t, store, "rows/"); objects != 1 {
		t.Fatalf("%d objects after the failed run, want the unfinished one", objects)
	}
	// A part arrives before the next run: the group changes, and the
	// unfinished group's object is an orphan.
	stagePart(t, staged, "k-abc-shard-40-49", testRows(hour, 20, 4))
	// The next run stops after the manifest, before deleting the parts.
	store.failStagingDelete = 1
	st, err := c.Run(ctx)
	if !errors.Is(err, errInjected) || st.Orphans != 1 {
		t.Fatalf("run with a failing delete: %+v, %v", st, err)
	}
	// The third run finishes: the staged parts are those of the manifest.
	if st, err = c.Run(ctx); err != nil || st.Redelivered != 5 || st.Objects != 0 {
		t.Fatalf("third run: %+v, %v", st, err)
	}
	rows, objects := readAll(t, store, "rows/")
	if len(rows) != 100 || objects != 1 {
		t.Fatalf("%d rows in %d objects, want 100 in 1", len(rows), objects)
	}
	if got := listed(t, store, "rows/_staging/"); len(got) != 0 {
		t.Fatalf("parts left: %v", got)
	}
}

func TestCompactSplitsAtMaxObjectBytes(t *testing.T) {
	ctx := context.Background()
	client, bucket := motoBucket(t)
	store := s3sink.Objects{Client: client, Bucket: bucket}
	sink, err := s3sink.New(client, bucket, "rows/", s3sink.NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	hour := time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)
	var want int
	for i := range 6 {
		stagePart(t, sink.Staged(), fmt.Sprintf("l-abc-s-%d", i), testRows(hour, 3000, i))
		want += 3000
	}
	const max = 64 << 10
	c, err := compaction.New(store, compaction.Options{Prefix: "rows/", Format: compaction.NDJSON, MaxObjectBytes: max,
		Now: func() time.Time { return hour.Add(5 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Objects < 2 {
		t.Fatalf("%d objects for %d bytes out at most %d bytes each", st.Objects, st.BytesOut, max)
	}
	// Each object ends at the first compressed block past the bound.
	if limit := int64(st.Objects) * (max + 128<<10); st.BytesOut > limit {
		t.Fatalf("%d bytes in %d objects: more than the bound allows", st.BytesOut, st.Objects)
	}
	rows, objects := readAll(t, store, "rows/")
	if len(rows) != want || objects != st.Objects {
		t.Fatalf("%d rows in %d objects, want %d in %d", len(rows), objects, want, st.Objects)
	}
	keys := listed(t, store, "rows/dt=2024-06-01/hour=10/")
	if !slices.IsSorted(keys) || !strings.HasSuffix(keys[0], "-0000.json.gz") {
		t.Fatalf("object keys: %v", keys)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	client, bucket := motoBucket(t)
	store := s3sink.Objects{Client: client, Bucket: bucket}
	if _, err := compaction.New(store, compaction.Options{Format: "csv"}); err == nil {
		t.Error("format csv accepted")
	}
	if _, err := compaction.New(store, compaction.Options{Grace: -time.Minute}); err == nil {
		t.Error("negative grace accepted")
	}
	if _, err := compaction.New(nil, compaction.Options{}); err == nil {
		t.Error("no store accepted")
	}
}
