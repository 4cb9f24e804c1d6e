//go:build cgo

package lambdaemu_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorysync"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/artifact"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/lambdaemu"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/localsql"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

func TestMain(m *testing.M) { acctest.MainMoto(m) }

// A mode is a way the provider and the modules deploy the enricher.
type mode struct {
	name    string
	kinesis bool
	window  time.Duration
	bisect  bool
}

var modes = []mode{
	{name: "direct"},
	{name: "kinesis", kinesis: true, bisect: true},
	{name: "kinesis-nobisect", kinesis: true},
	{name: "kinesis-window", kinesis: true, window: time.Second, bisect: true},
	{name: "kinesis-window-nobisect", kinesis: true, window: time.Second},
}

// A fault is what goes wrong on a bad day.
type fault struct {
	name string
	// rules are the local AWS's faults, seen by the function.
	rules func() []*lambdaemu.Rule
	// redeliver makes Lambda deliver records again after a success.
	redeliver bool
	// duplicate puts a payload on the stream twice (or invokes twice).
	duplicate bool
	// poison adds a payload whose inventory read always fails.
	poison  bool
	timeout time.Duration
}

// poisonAddr is the address of the poison payload's records; no other
// record has it, and every inventory read of it fails.
const poisonAddr = "10.254.254.254"

var faults = []fault{
	{name: "clean"},
	{name: "s3-put-fails", rules: func() []*lambdaemu.Rule {
		return []*lambdaemu.Rule{{Service: "s3", Operation: "PutObject", Nth: 5}, {Service: "s3", Operation: "PutObject", Nth: 40}}
	}},
	{name: "redelivery", redeliver: true},
	{name: "producer-duplicate", duplicate: true},
	{name: "timeout", timeout: 3 * time.Second, rules: func() []*lambdaemu.Rule {
		return []*lambdaemu.Rule{{Service: "s3", Operation: "PutObject", Nth: 2, Delay: 5 * time.Second}}
	}},
	{name: "inventory-fails", rules: func() []*lambdaemu.Rule {
		return []*lambdaemu.Rule{{Service: "dynamodb", Operation: "BatchGetItem", Nth: 3, Times: 2}, {Service: "dynamodb", Operation: "Query", Nth: 20}}
	}},
	{name: "poison", poison: true, rules: func() []*lambdaemu.Rule {
		return []*lambdaemu.Rule{{Service: "dynamodb", Contains: "IP#" + poisonAddr}}
	}},
}

var formats = []s3sink.Format{s3sink.NDJSON, s3sink.Parquet}

// payload is a CloudWatch Logs subscription payload of flow log records.
type payload struct {
	gz    []byte
	lines int
}

// env is what the matrix shares: the local AWS, the estate, its payloads.
type env struct {
	cfg                 aws.Config
	s3                  *s3.Client
	kin                 *kinesis.Client
	sqs                 *sqs.Client
	lambda              *lambda.Client
	proxy               *lambdaemu.FaultProxy
	proxyURL            string
	zip                 []byte
	bucket, table       string
	ipRanges, logFormat string
	formats             string
	truth               synthetic.Truth
	payloads            []payload
	poison              payload
	records             int
}

// TestFaultMatrix runs the enricher's real bootstrap, from the zip the
// provider embeds, under the Lambda emulator, in every mode the provider
// and the modules deploy, through every fault of a bad day, in both output
// formats, and checks that every record is accounted for exactly once
// (records in = counted in rows + rejected + given up to the on-failure
// destination) and that the named queries answer as on a clean run.
//
// moto runs no function, retries nothing and fails nothing: the emulator
// runs the function, package lambdaemu plays the event source mapping and
// asynchronous invocation, and its fault proxy fails the local AWS.
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault matrix runs the Lambda emulator")
	}
	e := newEnv(t)
	type cellResult struct {
		mode, fault string
		format      s3sink.Format
		acc         accounting
		answers     map[string][][]string
		stats       string
		emu         lambdaemu.Summary
	}
	clean := map[s3sink.Format]map[string][][]string{}
	var results []cellResult
	for _, f := range formats {
		for _, m := range modes {
			for _, fl := range faults {
				name := fmt.Sprintf("%s/%s/%s", f, m.name, fl.name)
				ok := t.Run(name, func(t *testing.T) {
					acc, answers, stats, emu := e.runCell(t, m, fl, f)
					results = append(results, cellResult{m.name, fl.name, f, acc, answers, stats, emu})
					if fl.name == "clean" && clean[f] == nil {
						clean[f] = answers
					}
					if want := clean[f]; want != nil && acc.onFailure <= e.poison.lines {
						for q, rows := range want {
							if !slices.EqualFunc(rows, answers[q], slices.Equal) {
								t.Errorf("%s answers\n%v\nwhere a clean run answers\n%v", q, answers[q], rows)
							}
						}
					}
				})
				if !ok && fl.name == "clean" {
					t.FailNow()
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %-24s %-19s %6s %7s %8s %10s  %s\n", "format", "mode", "fault", "in", "counted", "rejected", "on-failure", "what the mapping did")
	for _, r := range results {
		fmt.Fprintf(&b, "%-8s %-24s %-19s %6d %7d %8d %10d  %s\n", r.format, r.mode, r.fault, r.acc.in, r.acc.counted, r.acc.rejected, r.acc.onFailure, r.stats)
	}
	fmt.Fprintf(&b, "\nthe emulator's reports of the clean runs (init: the bootstrap's, exec to its first request for an event; the first invocation includes it):\n")
	for _, r := range results {
		if r.fault == "clean" {
			fmt.Fprintf(&b, "%-8s %-24s init %5.2f ms, first invocation %7.1f ms, %4d invocations, median %6.1f ms, 90th percentile %6.1f ms\n", r.format, r.mode,
				msf(r.emu.Init), msf(r.emu.First), r.emu.Invocations, msf(r.emu.Median), msf(r.emu.P90))
		}
	}
	t.Log("\n" + b.String())
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// accounting is where a cell's records went.
type accounting struct{ in, counted, rejected, onFailure int }

var cellSeq atomic.Int64

func (e *env) runCell(t *testing.T, m mode, fl fault, format s3sink.Format) (accounting, map[string][][]string, string, lambdaemu.Summary) {
	t.Helper()
	ctx := context.Background()
	id := cellSeq.Add(1)
	prefix := fmt.Sprintf("matrix/%d/", id)
	name := fmt.Sprintf("matrix-%d", id)

	// The function, as moto stores it, and its environment as moto
	// reports it.
	fnMode := contract.ModeCloudWatchLogs
	if m.kinesis {
		fnMode = contract.ModeKinesis
	}
	created, err := e.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Role: aws.String("arn:aws:iam::" + acctest.AccountID + ":role/enricher"),
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Timeout: aws.Int32(30),
		Code: &lambdatypes.FunctionCode{ZipFile: tinyZip(t)},
		Environment: &lambdatypes.Environment{Variables: map[string]string{
			contract.EnvMode: fnMode, contract.EnvOutputBucket: e.bucket, contract.EnvOutputPrefix: prefix,
			contract.EnvOutputFormat: string(format), contract.EnvInventoryTable: e.table,
			contract.EnvIPRanges: e.ipRanges, contract.EnvLogFormat: e.logFormat, contract.EnvLogFormats: e.formats,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	conf, err := e.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	timeout := 30 * time.Second
	if fl.timeout > 0 {
		timeout = fl.timeout
	}
	var log bytes.Buffer
	fn, err := lambdaemu.Start(ctx, lambdaemu.Config{
		Zip: e.zip, Name: name, Env: conf.Environment.Variables, Timeout: timeout,
		Endpoint: e.proxyURL, Region: acctest.Region, Log: &log,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Stop()
	defer func() {
		if t.Failed() {
			t.Logf("function log:\n%s", tail(log.String(), 60))
		}
	}()
	q, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-failures")})
	if err != nil {
		t.Fatal(err)
	}
	queue := aws.ToString(q.QueueUrl)

	input := slices.Clone(e.payloads)
	if fl.poison {
		input = slices.Insert(input, len(input)/3, e.poison)
	}
	acc := accounting{}
	for _, p := range input {
		acc.in += p.lines
	}
	// What is put or invoked, in order, each with its partition key: a
	// producer's duplicate is the same entry again, right after the first,
	// as CloudWatch Logs resends an entry whose put it could not confirm.
	type put struct {
		p   payload
		key string
		dup bool
	}
	var order []put
	for i, p := range input {
		order = append(order, put{p: p, key: fmt.Sprint(i % 7)})
		if fl.duplicate && i%9 == 4 {
			order = append(order, put{p: p, key: fmt.Sprint(i % 7), dup: true})
		}
	}
	e.proxy.Reset()
	if fl.rules != nil {
		for _, r := range fl.rules() {
			e.proxy.Add(r)
		}
	}
	var stats string
	var reports []lambdaemu.Report
	var streamRecords []kinesistypes.Record
	if !m.kinesis {
		inv := &lambdaemu.AsyncInvoker{Function: fn, FunctionARN: aws.ToString(created.FunctionArn), SQS: e.sqs, OnFailureQueueURL: queue}
		for i, o := range order {
			ev, _ := json.Marshal(map[string]any{"awslogs": map[string]string{"data": base64.StdEncoding.EncodeToString(o.p.gz)}})
			if _, err := inv.Invoke(ctx, ev); err != nil {
				t.Fatal(err)
			}
			if fl.redeliver && i%7 == 3 {
				// Lambda delivers the event again.
				if _, err := inv.Invoke(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
		}
		s := inv.Stats
		reports = s.Reports
		stats = fmt.Sprintf("%d events, %d invocations, %d errors (%d timeouts), %d given up", s.Events, s.Invocations, s.FunctionErrors, s.Timeouts, s.GivenUp)
	} else {
		stream := name
		if _, err := e.kin.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(2)}); err != nil {
			t.Fatal(err)
		}
		sum, err := e.kin.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(sum.StreamDescriptionSummary.StreamARN)
		for i := 0; i < len(order); {
			var entries []kinesistypes.PutRecordsRequestEntry
			for ; i < len(order) && (len(entries) < 50 || order[i].dup); i++ {
				entries = append(entries, kinesistypes.PutRecordsRequestEntry{Data: order[i].p.gz, PartitionKey: aws.String(order[i].key)})
			}
			if _, err := e.kin.PutRecords(ctx, &kinesis.PutRecordsInput{StreamARN: aws.String(arn), Records: entries}); err != nil {
				t.Fatal(err)
			}
			if m.window > 0 {
				time.Sleep(m.window * 6 / 10) // records of more than one window
			}
		}
		mapping := &lambdaemu.KinesisMapping{
			Kinesis: e.kin, StreamARN: arn, FunctionARN: aws.ToString(created.FunctionArn), Function: fn,
			BatchSize: 10, TumblingWindow: m.window, BisectBatchOnError: m.bisect, ReportBatchItemFailures: true,
			MaxRetries: 3, SQS: e.sqs, OnFailureQueueURL: queue,
		}
		if fl.redeliver {
			mapping.Redeliver = func(batch int) (int, int) {
				if batch%3 == 2 {
					return 4, 7 // records 4 back, again, in batches of 7
				}
				return 0, 0
			}
		}
		if err := mapping.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		s := mapping.Stats
		reports = s.Reports
		stats = fmt.Sprintf("%d invocations, %d errors (%d timeouts), %d partial, %d bisections, %d retries, %d redelivered, %d windows, %d given up",
			s.Invocations, s.FunctionErrors, s.Timeouts, s.PartialFailures, s.Bisections, s.Retries, s.Redeliveries, s.Windows, s.GivenUp)
		shards, err := e.kin.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range shards.Shards {
			recs, err := lambdaemu.ReadShard(ctx, e.kin, arn, aws.ToString(sh.ShardId))
			if err != nil {
				t.Fatal(err)
			}
			streamRecords = append(streamRecords, recs...)
		}
	}
	if fl.rules != nil && e.proxy.Fired() == 0 {
		t.Errorf("the fault never happened")
	}

	// Where the records went.
	dir := t.TempDir()
	e.download(t, prefix, dir)
	acc.rejected = countRejected(t, filepath.Join(dir, s3sink.RejectedDir))
	acc.onFailure = e.onFailure(t, queue, streamRecords)
	answers, counted := askAll(t, dir, format, e.truth)
	acc.counted = counted
	if acc.in != acc.counted+acc.rejected+acc.onFailure {
		t.Errorf("records in %d != counted %d + rejected %d + on-failure %d", acc.in, acc.counted, acc.rejected, acc.onFailure)
	}
	if fl.poison != (acc.onFailure > 0) {
		t.Errorf("%d records given up; want some only with a poison record", acc.onFailure)
	}
	if fl.poison && acc.onFailure != e.poison.lines && (m.bisect || !m.kinesis) {
		t.Errorf("%d records given up; want only the poison payload's %d", acc.onFailure, e.poison.lines)
	}
	return acc, answers, stats, lambdaemu.Summarize(reports)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	zip, err := artifact.ZipForMode(contract.ModeKinesis, hostArch())
	if err != nil {
		t.Fatalf("%v (run `make artifact`)", err)
	}
	cfg := acctest.AWSConfig(t)
	e := &env{cfg: cfg, zip: zip, bucket: "matrix-rows", table: "matrix-inventory",
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.DisableLogOutputChecksumValidationSkipped = true }), kin: kinesis.NewFromConfig(cfg),
		sqs: sqs.NewFromConfig(cfg), lambda: lambda.NewFromConfig(cfg)}
	e.proxy, err = lambdaemu.NewFaultProxy(acctest.Current.URL)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.proxy)
	t.Cleanup(srv.Close)
	e.proxyURL = srv.URL
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(e.bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("enricher"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	}); err != nil {
		t.Fatal(err)
	}

	set := synthetic.Generate(synthetic.Options{Seed: 3, HoursPerDay: 1, Connections: 1})
	e.truth = set.Truth
	seedInventory(t, dynamodb.NewFromConfig(cfg), e.table, set)
	key := "inventory/ip-ranges.json"
	if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key), Body: bytes.NewReader(set.IPRanges)}); err != nil {
		t.Fatal(err)
	}
	e.ipRanges = "s3://" + e.bucket + "/" + key

	// The last three days' records: every named query asks about them
	// (the month-on-month growth query then answers for them alone).
	since := set.Truth.Now.AddDate(0, 0, -3).Unix()
	fmts := map[string]string{}
	var id int64 = 1_000
	for _, fl := range set.FlowLogs {
		fmts[fl.LogGroup] = fl.Format
		format, err := flowrecord.ParseFormat(fl.Format)
		if err != nil {
			t.Fatal(err)
		}
		eniField, startField := format.Index(flowrecord.FieldInterfaceID), format.Index(flowrecord.FieldStart)
		// One payload per interface and hour, as a flow log's log stream
		// delivers them.
		type key struct {
			eni  string
			hour int64
		}
		groups := map[key][]string{}
		var keys []key
		for _, l := range fl.Lines {
			f := strings.Fields(l)
			var start int64
			_, _ = fmt.Sscan(f[startField], &start)
			if start < since {
				continue
			}
			k := key{f[eniField], start / 3600}
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], l)
		}
		for i, k := range keys {
			lines := groups[k]
			if i%10 == 3 {
				// Lines that do not parse: rejected, and kept with why.
				lines = append(slices.Clip(lines), "2 123456789012 "+k.eni+" not-an-address 10.0.0.1 1 2 6 1 40 1718000000 1718000060 ACCEPT OK", "garbage")
			}
			e.payloads = append(e.payloads, payload{gz: subscriptionPayload(t, fl.LogGroup, k.eni+"-all", &id, lines), lines: len(lines)})
			e.records += len(lines)
		}
		if e.poison.gz == nil && format.Index(flowrecord.FieldSrcAddr) >= 0 {
			e.poison = poisonPayload(t, fl, format, &id)
		}
	}
	js, _ := json.Marshal(fmts)
	e.formats = string(js)
	t.Logf("%d payloads of %d records of the last three days, %d flow logs", len(e.payloads), e.records, len(set.FlowLogs))
	return e
}

// subscriptionPayload is the gzip JSON CloudWatch Logs sends a subscriber.
func subscriptionPayload(t *testing.T, group, stream string, id *int64, lines []string) []byte {
	t.Helper()
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
	}{"DATA_MESSAGE", acctest.AccountID, group, stream, []string{"vpcflow-enricher"}, nil}
	for _, l := range lines {
		*id++
		doc.LogEvents = append(doc.LogEvents, event{fmt.Sprintf("%056d", *id), 1_718_000_000_000, l})
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write(js)
	_ = zw.Close()
	return b.Bytes()
}

// poisonPayload is a payload of records of a flow log's first interface
// with poisonAddr as their peer.
func poisonPayload(t *testing.T, fl synthetic.FlowLog, format flowrecord.Format, id *int64) payload {
	t.Helper()
	src := format.Index(flowrecord.FieldSrcAddr)
	var lines []string
	for _, l := range fl.Lines[:min(5, len(fl.Lines))] {
		f := strings.Fields(l)
		f[src] = poisonAddr
		lines = append(lines, strings.Join(f, " "))
	}
	if _, err := netip.ParseAddr(poisonAddr); err != nil {
		t.Fatal(err)
	}
	return payload{gz: subscriptionPayload(t, fl.LogGroup, "poison-all", id, lines), lines: len(lines)}
}

// download copies the cell's objects to dir, keys relative to prefix.
func (e *env) download(t *testing.T, prefix, dir string) {
	t.Helper()
	ctx := context.Background()
	p := s3.NewListObjectsV2Paginator(e.s3, &s3.ListObjectsV2Input{Bucket: aws.String(e.bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(e.bucket), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(out.Body)
			_ = out.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(aws.ToString(o.Key), prefix)))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// countRejected counts the rejected records kept, each with a reason.
func countRejected(t *testing.T, dir string) int {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(zr)
		for dec.More() {
			var r s3sink.Rejected
			if err := dec.Decode(&r); err != nil {
				t.Fatal(err)
			}
			if r.Reason == "" {
				t.Errorf("%s: a rejected record without a reason", f)
			}
			n++
		}
	}
	return n
}

// onFailure counts the records of the messages in the on-failure queue:
// the payloads of asynchronous events, or the stream's records between a
// batch's first and last sequence numbers.
func (e *env) onFailure(t *testing.T, queue string, stream []kinesistypes.Record) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	for {
		out, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return n
		}
		for _, msg := range out.Messages {
			var m lambdaemu.OnFailureMessage
			if err := json.Unmarshal([]byte(aws.ToString(msg.Body)), &m); err != nil {
				t.Fatal(err)
			}
			switch {
			case m.KinesisBatchInfo != nil:
				b := m.KinesisBatchInfo
				for _, r := range stream {
					seq := aws.ToString(r.SequenceNumber)
					if s3sink.CompareSeq(seq, b.StartSequenceNumber) >= 0 && s3sink.CompareSeq(seq, b.EndSequenceNumber) <= 0 {
						n += linesOf(t, r.Data)
					}
				}
			case m.RequestPayload != nil:
				var ev struct {
					AWSLogs struct{ Data string } `json:"awslogs"`
				}
				if err := json.Unmarshal(m.RequestPayload, &ev); err != nil {
					t.Fatal(err)
				}
				gz, err := base64.StdEncoding.DecodeString(ev.AWSLogs.Data)
				if err != nil {
					t.Fatal(err)
				}
				n += linesOf(t, gz)
			}
			if _, err := e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: msg.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func linesOf(t *testing.T, gz []byte) int {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ LogEvents []json.RawMessage }
	if err := json.NewDecoder(zr).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return len(doc.LogEvents)
}

// askAll asks the named queries of the rows in dir in DuckDB, and sums
// the records they fold.
func askAll(t *testing.T, dir string, format s3sink.Format, truth synthetic.Truth) (map[string][][]string, int) {
	t.Helper()
	files := localsql.Files{}
	table := localsql.NDJSONTable
	if format == s3sink.Parquet {
		files.Parquet = filepath.Join(dir, "dt=*", "hour=*", "*.parquet")
		table = localsql.ParquetTable
	} else {
		files.NDJSON = filepath.Join(dir, "dt=*", "hour=*", "*.json.gz")
	}
	db, err := localsql.Open(files)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	answers := map[string][][]string{}
	for _, q := range queries.All() {
		text, err := q.Render(queries.Params(table, truth))
		if err != nil {
			t.Fatal(err)
		}
		_, rows, err := localsql.Query(db, text)
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		answers[q.Name] = rows
	}
	_, rows, err := localsql.Query(db, "SELECT CAST(COALESCE(SUM(Records), 0) AS BIGINT) FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	var counted int
	_, _ = fmt.Sscan(rows[0][0], &counted)
	return answers, counted
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// seedInventory writes the estate into the inventory table as the
// inventory function records it, as of before its first traffic.
func seedInventory(t *testing.T, db *dynamodb.Client, table string, set *synthetic.Set) {
	t.Helper()
	ctx := context.Background()
	if err := inventorystore.CreateTable(ctx, db, table); err != nil {
		t.Fatal(err)
	}
	var described struct{ NetworkInterfaces []ec2types.NetworkInterface }
	if err := json.Unmarshal(set.NetworkInterfaces, &described); err != nil {
		t.Fatal(err)
	}
	var tagged struct {
		ResourceTagMappingList []struct {
			ResourceARN string
			Tags        []struct{ Key, Value string }
		}
	}
	if err := json.Unmarshal(set.Resources, &tagged); err != nil {
		t.Fatal(err)
	}
	at := set.Truth.Now.AddDate(0, -3, 0)
	store := inventorystore.New(db, table, inventorystore.Options{})
	for _, ni := range described.NetworkInterfaces {
		iface, attachment := inventorysync.FromEC2(ni, synthetic.Region)
		if _, err := store.PutInterface(ctx, iface, attachment, at); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range tagged.ResourceTagMappingList {
		tags := map[string]string{}
		for _, tg := range r.Tags {
			tags[tg.Key] = tg.Value
		}
		if _, err := store.PutTags(ctx, r.ResourceARN, tags, at, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// hostArch is the Lambda architecture of this machine, whose zip the
// emulator can run.
func hostArch() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

// tinyZip is a deployment package for moto to store: moto runs nothing.
func tinyZip(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("#!/bin/sh\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
