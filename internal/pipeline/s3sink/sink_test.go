package s3sink

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
)

// memS3 keeps the objects put, by key.
type memS3 struct {
	objects map[string][]byte
	puts    int
	failAt  int // the put that fails, 1-based; 0 for none
}

func (m *memS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	m.puts++
	if m.puts == m.failAt {
		return nil, errors.New("injected failure")
	}
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[aws.ToString(in.Key)] = b
	return &s3.PutObjectOutput{}, nil
}

func row(window string, records int64) *connrows.Row {
	w, err := time.Parse(time.RFC3339, window)
	if err != nil {
		panic(err)
	}
	return &connrows.Row{
		Protocol: "tcp", Start: w, End: w.Add(time.Minute), Window: w, Action: "ACCEPT",
		ServerPort: 443, Records: records, Uploaded: 100 * records, LogStatus: connrows.LogStatusOK,
		Client: &connrows.Endpoint{Type: "ec2:instance", Addr: "10.0.0.1"},
		Server: &connrows.Endpoint{Type: "internet", Public: true},
	}
}

// readNDJSON returns the rows of a gzip NDJSON object.
func readNDJSON(t *testing.T, b []byte) []connrows.Row {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var rows []connrows.Row
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		var r connrows.Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCommitPartitions(t *testing.T) {
	for _, format := range Formats {
		t.Run(string(format), func(t *testing.T) {
			store := &memS3{}
			sink, err := New(store, "bucket", "flows", format)
			if err != nil {
				t.Fatal(err)
			}
			b := sink.NewBatch()
			for _, r := range []*connrows.Row{
				row("2024-05-01T10:00:00Z", 1), row("2024-05-01T11:59:00Z", 2),
				row("2024-05-01T10:30:00Z", 3), row("2024-05-02T00:00:00Z", 4),
			} {
				if err := b.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			keys, err := sink.Commit(context.Background(), b, "k-abc-shardId-000000000000-1-9")
			if err != nil {
				t.Fatal(err)
			}
			ext := format.Ext()
			want := []string{
				"flows/dt=2024-05-01/hour=10/k-abc-shardId-000000000000-1-9" + ext,
				"flows/dt=2024-05-01/hour=11/k-abc-shardId-000000000000-1-9" + ext,
				"flows/dt=2024-05-02/hour=00/k-abc-shardId-000000000000-1-9" + ext,
			}
			if !slices.Equal(keys, want) {
				t.Fatalf("keys %q, want %q", keys, want)
			}
			var records []int64
			for _, k := range want {
				var rows []connrows.Row
				if format == Parquet {
					b := store.objects[k]
					if rows, err = parquetrows.Read(bytes.NewReader(b), int64(len(b))); err != nil {
						t.Fatal(err)
					}
				} else {
					rows = readNDJSON(t, store.objects[k])
				}
				for _, r := range rows {
					if got := connrows.PartitionPath(r.Window); !strings.Contains(k, got) {
						t.Errorf("row of %s in %s", got, k)
					}
					records = append(records, r.Records)
				}
			}
			if !slices.Equal(records, []int64{1, 3, 2, 4}) {
				t.Errorf("records per row %v", records)
			}
		})
	}
}

// TestCommitAgainOverwrites is the idempotence the keys exist for: a batch
// committed twice under its name, the first time failing halfway, leaves
// exactly the objects of one commit.
func TestCommitAgainOverwrites(t *testing.T) {
	store := &memS3{failAt: 2}
	sink, err := New(store, "bucket", "p/", NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	commit := func() ([]string, error) {
		b := sink.NewBatch()
		for _, r := range []*connrows.Row{row("2024-05-01T10:00:00Z", 1), row("2024-05-01T11:00:00Z", 2)} {
			if err := b.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		return sink.Commit(context.Background(), b, "l-abc-eni-1-all-42")
	}
	keys, err := commit()
	if err == nil || len(keys) != 1 {
		t.Fatalf("first commit: keys %q, err %v; want one key and the injected failure", keys, err)
	}
	if keys, err = commit(); err != nil || len(keys) != 2 {
		t.Fatalf("second commit: keys %q, err %v", keys, err)
	}
	if len(store.objects) != 2 {
		t.Fatalf("%d objects, want 2", len(store.objects))
	}
	total := 0
	for _, b := range store.objects {
		for _, r := range readNDJSON(t, b) {
			total += int(r.Records)
		}
	}
	if total != 3 {
		t.Errorf("records stored %d, want 3", total)
	}
}

func TestBatchReset(t *testing.T) {
	sink, err := New(&memS3{}, "b", "", NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	b := sink.NewBatch()
	for i, windows := range [][]string{
		{"2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z"},
		{"2024-05-01T11:00:00Z"},
		{"2024-05-01T12:00:00Z", "2024-05-01T13:00:00Z"},
	} {
		b.Reset()
		for _, w := range windows {
			if err := b.Write(row(w, 1)); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if got := len(b.Partitions()); got != len(windows) {
			t.Errorf("batch %d: partitions %q", i, b.Partitions())
		}
		if len(b.order) > len(windows)+1 {
			t.Errorf("batch %d: %d files kept", i, len(b.order))
		}
		if b.Rows() != len(windows) {
			t.Errorf("batch %d: rows %d", i, b.Rows())
		}
	}
}

func TestDir(t *testing.T) {
	root := t.TempDir()
	sink, err := New(Dir(root), "ignored", "conn", NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	b := sink.NewBatch()
	if err := b.Write(row("2024-05-01T10:00:00Z", 7)); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Commit(context.Background(), b, "l-x-s-1"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "conn", "dt=2024-05-01", "hour=10", "l-x-s-1.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if rows := readNDJSON(t, data); len(rows) != 1 || rows[0].Records != 7 {
		t.Errorf("rows %+v", rows)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name, bucket, prefix string
		format               Format
		wantPrefix           string
		wantErr              bool
	}{
		{name: "slash added", bucket: "b", prefix: "a/b", wantPrefix: "a/b/"},
		{name: "empty prefix", bucket: "b", wantPrefix: ""},
		{name: "parquet", bucket: "b", prefix: "x/", format: Parquet, wantPrefix: "x/"},
		{name: "no bucket", wantErr: true},
		{name: "unknown format", bucket: "b", format: "csv", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(&memS3{}, tt.bucket, tt.prefix, tt.format)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if err == nil && s.Prefix() != tt.wantPrefix {
				t.Errorf("prefix %q, want %q", s.Prefix(), tt.wantPrefix)
			}
		})
	}
}
