package handler

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// quietLog drops the handlers' log lines, which tests do not read.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// subscriptionPayload returns a gzip CloudWatch Logs subscription payload
// as CloudWatch Logs delivers it: event ids are decimal strings, here
// firstID, firstID+1, ...
func subscriptionPayload(tb testing.TB, owner, group, stream string, firstID int, messages []string) []byte {
	tb.Helper()
	type event struct {
		ID        string `json:"id"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	doc := struct {
		MessageType         string   `json:"messageType"`
		Owner               string   `json:"owner"`
		LogGroup            string   `json:"logGroup"`
		LogStream           string   `json:"logStream"`
		SubscriptionFilters []string `json:"subscriptionFilters"`
		LogEvents           []event  `json:"logEvents"`
	}{"DATA_MESSAGE", owner, group, stream, []string{"vpcflow"}, nil}
	for i, m := range messages {
		doc.LogEvents = append(doc.LogEvents, event{
			ID:        fmt.Sprintf("%056d", firstID+i),
			Timestamp: 1_718_000_000_000 + int64(i),
			Message:   m,
		})
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return gzipBytes(tb, raw)
}

func gzipBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// payloadMessages returns the messages of a generated payload.
func payloadMessages(tb testing.TB, gz []byte) []string {
	tb.Helper()
	data, err := subscription.DecodeNaive(gz)
	if err != nil {
		tb.Fatal(err)
	}
	var msgs []string
	for _, ev := range data.LogEvents {
		msgs = append(msgs, ev.Message)
	}
	return msgs
}

// payloadsInventory returns an inventory that knows the network interface
// of each generated payload: the interface-id of its records, owning their
// private addresses, attached to a tagged instance in one of three zones.
func payloadsInventory(tb testing.TB, payloads ...[]byte) *inventory.Inventory {
	tb.Helper()
	p := flowrecord.NewParser(flowrecord.DefaultFormat)
	var rec flowrecord.Record
	type ip struct {
		PrivateIPAddress string `json:"PrivateIpAddress,omitempty"`
		IPv6Address      string `json:"Ipv6Address,omitempty"`
	}
	var ifaces []any
	for n, gz := range payloads {
		data, err := subscription.DecodeNaive(gz)
		if err != nil {
			tb.Fatal(err)
		}
		eniID := ""
		var v4, v6 []ip
		seen := map[netip.Addr]bool{}
		for _, ev := range data.LogEvents {
			if err := p.Parse([]byte(ev.Message), &rec); err != nil {
				continue
			}
			eniID = string(rec.InterfaceID())
			for _, a := range []netip.Addr{rec.SrcAddr(), rec.DstAddr()} {
				local := a.IsPrivate() || netip.MustParsePrefix("2001:db8::/32").Contains(a)
				if !a.IsValid() || seen[a] || !local {
					continue
				}
				seen[a] = true
				if a.Is4() {
					v4 = append(v4, ip{PrivateIPAddress: a.String()})
				} else {
					v6 = append(v6, ip{IPv6Address: a.String()})
				}
			}
		}
		if eniID == "" || len(v4) == 0 {
			tb.Fatalf("payload %d: no interface", n)
		}
		zone := string(rune('a' + n%3))
		ifaces = append(ifaces, map[string]any{
			"NetworkInterfaceId": eniID, "OwnerId": data.Owner, "InterfaceType": "interface",
			"AvailabilityZone": "us-east-1" + zone, "AvailabilityZoneId": "use1-az" + strconv.Itoa(1+n%3),
			"SubnetId": fmt.Sprintf("subnet-%017d", n), "VpcId": "vpc-0c1d2e3f4a5b6c7d8",
			"Attachment":         map[string]string{"InstanceId": fmt.Sprintf("i-%017d", n), "InstanceOwnerId": data.Owner, "Status": "attached"},
			"TagSet":             []map[string]string{{"Key": "app", "Value": "app-" + strconv.Itoa(n)}},
			"PrivateIpAddress":   v4[0].PrivateIPAddress,
			"PrivateIpAddresses": v4,
			"Ipv6Addresses":      v6,
		})
	}
	doc, err := json.Marshal(map[string]any{"NetworkInterfaces": ifaces})
	if err != nil {
		tb.Fatal(err)
	}
	inv := inventory.New()
	if err := inv.LoadNetworkInterfaces(bytes.NewReader(doc), time.Time{}); err != nil {
		tb.Fatal(err)
	}
	return inv
}

var bucketSeq atomic.Int64

// motoS3 returns an S3 client of the package's moto and a new bucket.
func motoS3(t *testing.T) (*s3.Client, string) {
	t.Helper()
	client := s3.NewFromConfig(acctest.AWSConfig(t), func(o *s3.Options) {
		o.UsePathStyle = true
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	bucket := fmt.Sprintf("vpcflow-enrich-%d-%d", time.Now().UnixNano()%1_000_000, bucketSeq.Add(1))
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return client, bucket
}

// storedRows returns every row stored under a prefix, by key.
func storedRows(t *testing.T, client *s3.Client, bucket, prefix string) map[string][]connrows.Row {
	t.Helper()
	objects := map[string][]connrows.Row{}
	for key, body := range storedObjects(t, client, bucket, prefix) {
		if !strings.Contains(key, "/"+s3sink.RejectedDir+"/") {
			objects[key] = decodeRows(t, key, body)
		}
	}
	return objects
}

// storedRejected returns the rejected records kept under prefix, by key.
func storedRejected(t *testing.T, client *s3.Client, bucket, prefix string) map[string][]s3sink.Rejected {
	t.Helper()
	kept := map[string][]s3sink.Rejected{}
	for key, body := range storedObjects(t, client, bucket, prefix+s3sink.RejectedDir+"/") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		dec := json.NewDecoder(zr)
		for dec.More() {
			var r s3sink.Rejected
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			kept[key] = append(kept[key], r)
		}
	}
	return kept
}

// storedObjects returns the bodies of the objects under prefix, by key.
func storedObjects(t *testing.T, client *s3.Client, bucket, prefix string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	objects := map[string][]byte{}
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(out.Body)
			_ = out.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			objects[key] = body
		}
	}
	return objects
}

func decodeRows(t *testing.T, key string, body []byte) []connrows.Row {
	t.Helper()
	if strings.HasSuffix(key, s3sink.Parquet.Ext()) {
		rows, err := parquetrows.Read(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		return rows
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	var rows []connrows.Row
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r connrows.Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return rows
}

// recordsIn returns the records folded into the rows of the objects, and
// checks that each row sits in its window's partition.
func recordsIn(t *testing.T, objects map[string][]connrows.Row) int64 {
	t.Helper()
	var n int64
	for key, rows := range objects {
		for _, r := range rows {
			if want := "/" + connrows.PartitionPath(r.Window) + "/"; !strings.Contains(key, want) {
				t.Errorf("%s holds a row of %s", key, want)
			}
			n += r.Records
		}
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonLog logs JSON lines to w, for tests that read the counts logged.
func jsonLog(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// lastLog returns the fields of the last line logged with a message.
func lastLog(t *testing.T, logs *bytes.Buffer, msg string) map[string]any {
	t.Helper()
	var last map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == msg {
			last = m
		}
	}
	if last == nil {
		t.Fatalf("nothing logged as %q", msg)
	}
	return last
}
