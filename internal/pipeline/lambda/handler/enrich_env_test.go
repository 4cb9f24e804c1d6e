package handler

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// TestEnrichFromEnvSynthetic configures the CloudWatch Logs handler as the
// function's environment would, with the inventory files in S3 and a log
// format per log group, and enriches the synthetic set's three flow logs,
// each in its own format, as subscription events.
func TestEnrichFromEnvSynthetic(t *testing.T) {
	ctx := context.Background()
	client, bucket := motoS3(t)
	set := synthetic.Generate(synthetic.Options{Seed: 2, HoursPerDay: 1})
	formats := map[string]string{}
	for _, fl := range set.FlowLogs {
		formats[fl.LogGroup] = fl.Format
	}
	formatsJSON, err := json.Marshal(formats)
	if err != nil {
		t.Fatal(err)
	}
	for key, body := range map[string][]byte{
		"inventory/enis.json": set.NetworkInterfaces, "inventory/tags.json": set.Resources, "inventory/ip-ranges.json": set.IPRanges,
	} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{
		contract.EnvMode: contract.ModeCloudWatchLogs, contract.EnvOutputBucket: bucket, contract.EnvOutputPrefix: "synthetic",
		contract.EnvENIs: "s3://" + bucket + "/inventory/enis.json", contract.EnvTags: "s3://" + bucket + "/inventory/tags.json",
		contract.EnvIPRanges: "s3://" + bucket + "/inventory/ip-ranges.json", contract.EnvLogFormats: string(formatsJSON),
	}
	fn, err := enrichFromEnv(ctx, contract.ModeCloudWatchLogs, func(k string) string { return env[k] }, client, nil, quietLog)
	if err != nil {
		t.Fatal(err)
	}
	handle, ok := fn.(func(context.Context, events.CloudwatchLogsEvent) (LogsResult, error))
	if !ok {
		t.Fatalf("handler of type %T", fn)
	}
	lines := 0
	for _, fl := range set.FlowLogs {
		for start := 0; start < len(fl.Lines); start += 500 {
			chunk := fl.Lines[start:min(start+500, len(fl.Lines))]
			gz := subscriptionPayload(t, synthetic.Account, fl.LogGroup, "all", 1+start, chunk)
			res, err := handle(ctx, events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(gz)}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Read != len(chunk) || res.Rejected != 0 {
				t.Fatalf("%s from line %d: %+v", fl.LogGroup, start+1, res.Counts)
			}
			lines += len(chunk)
		}
	}
	objects := storedRows(t, client, bucket, "synthetic/")
	if got := recordsIn(t, objects); got != int64(lines) {
		t.Errorf("rows fold %d records, want %d", got, lines)
	}
	types := map[string]bool{}
	for _, rows := range objects {
		for _, r := range rows {
			if r.Server != nil {
				types[r.Server.Type] = true
			}
		}
	}
	for _, typ := range []string{"ec2:instance", "elasticloadbalancing:loadbalancer", "rds:db", "rds:db-proxy", "elasticache:cluster", "aws:service", "internet"} {
		if !types[typ] {
			t.Errorf("no server of type %s in %v", typ, types)
		}
	}
}

func TestEnrichFromEnvErrors(t *testing.T) {
	client, bucket := motoS3(t)
	base := map[string]string{contract.EnvOutputBucket: bucket, contract.EnvENIs: "s3://" + bucket + "/missing.json"}
	tests := []struct {
		name string
		mode string
		set  map[string]string
		want string
	}{
		{"no bucket", contract.ModeKinesis, map[string]string{contract.EnvOutputBucket: ""}, contract.EnvOutputBucket + " is required"},
		{"no inventory", contract.ModeKinesis, map[string]string{contract.EnvENIs: ""}, contract.EnvInventoryTable + " or " + contract.EnvENIs},
		{"missing inventory object", contract.ModeKinesis, nil, "loading network interfaces"},
		{"bad S3 URI", contract.ModeKinesis, map[string]string{contract.EnvENIs: "s3://bucket-only"}, "want s3://BUCKET/KEY"},
		{"bad format", contract.ModeKinesis, map[string]string{contract.EnvOutputFormat: "csv", contract.EnvInventoryTable: "t"}, contract.EnvOutputFormat},
		{"bad log formats", contract.ModeKinesis, map[string]string{contract.EnvInventoryTable: "t", contract.EnvLogFormats: "[]"}, contract.EnvLogFormats},
		{"bad log format", contract.ModeKinesis, map[string]string{contract.EnvInventoryTable: "t", contract.EnvLogFormats: `{"g":"${nope}"}`}, "log group g"},
		{"bad window", contract.ModeKinesis, map[string]string{contract.EnvInventoryTable: "t", contract.EnvWindow: "1.5s"}, "window"},
		{"bad state bound", contract.ModeKinesis, map[string]string{contract.EnvInventoryTable: "t", contract.EnvMaxStateBytes: "-1"}, contract.EnvMaxStateBytes},
		{"unknown mode", "stdout", map[string]string{contract.EnvInventoryTable: "t"}, contract.EnvMode},
		{"bad staging", contract.ModeKinesis, map[string]string{contract.EnvInventoryTable: "t", contract.EnvOutputStaging: "yes please"}, contract.EnvOutputStaging},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.set {
				env[k] = v
			}
			_, err := enrichFromEnv(context.Background(), tt.mode, func(k string) string { return env[k] }, client, nil, quietLog)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want one with %q", err, tt.want)
			}
		})
	}
}

// TestStoreInventory enriches through the DynamoDB inventory store and its
// cache: the interface recorded in the store is attributed, and a warm
// function reads nothing more from DynamoDB for the same addresses.
func TestStoreInventory(t *testing.T) {
	ctx := context.Background()
	store, _ := newInventory(t)
	gz := subscription.GeneratePayload(500, 5)
	inv := payloadsInventory(t, gz)
	msgs := payloadMessages(t, gz)
	eniID := strings.Fields(msgs[0])[2]
	iface, ok := inv.InterfaceByID(eniID)
	if !ok {
		t.Fatalf("no interface %s", eniID)
	}
	if _, err := store.PutInterface(ctx, iface, "", time.Unix(1_600_000_000, 0)); err != nil {
		t.Fatal(err)
	}
	client, bucket := motoS3(t)
	sink, err := s3sink.New(client, bucket, "store", s3sink.NDJSON)
	if err != nil {
		t.Fatal(err)
	}
	cache := inventorystore.NewCache(store, inventorystore.CacheOptions{})
	h, err := NewLogsHandler(EnrichConfig{Sink: sink, Inventory: StoreInventory{Cache: cache}, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	event := events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(gz)}}
	if _, err := h.HandleCloudWatchLogs(ctx, event); err != nil {
		t.Fatal(err)
	}
	misses := cache.Stats().Misses
	if _, err := h.HandleCloudWatchLogs(ctx, event); err != nil {
		t.Fatal(err)
	}
	if st := cache.Stats(); st.Misses != misses || st.Hits == 0 {
		t.Errorf("warm invocation: cache %+v, misses before %d", st, misses)
	}
	instances := 0
	for _, rows := range storedRows(t, client, bucket, "store/") {
		for _, r := range rows {
			if r.Client != nil && r.Client.Type == "ec2:instance" && r.Client.InterfaceID == eniID ||
				r.Server != nil && r.Server.Type == "ec2:instance" && r.Server.InterfaceID == eniID {
				instances++
			}
		}
	}
	if instances == 0 {
		t.Error("no row attributes the interface in the store to its instance")
	}
}
