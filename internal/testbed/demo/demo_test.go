//go:build cgo

package demo

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventorystore"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/demo/answers"
)

func TestMain(m *testing.M) { acctest.MainMoto(m) }

// TestRun runs the demo's pipeline on moto with one hour of traffic a
// day, on what examples/complete deploys, made here with the SDK so that
// the test needs no Terraform (make demo applies the example itself): the
// other flow logs' log groups (Setup), the configuration's own flow log
// group, each subscribed to a Kinesis stream, the inventory table, the
// output bucket and the enricher function in Kinesis mode with its event
// source mapping.
func TestRun(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	c := newClients(cfg)
	vars, err := Setup(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}

	bucket, table, stream, own := "demo-rows", "demo-inventory", "demo-flow-logs", "/vpc/flow-logs"
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if err := inventorystore.CreateTable(ctx, c.dynamo, table); err != nil {
		t.Fatal(err)
	}
	if _, err := c.kinesis.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.kinesis.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(sum.StreamDescriptionSummary.StreamARN)
	if sum.StreamDescriptionSummary.StreamStatus != kinesistypes.StreamStatusActive {
		t.Fatalf("stream %s", sum.StreamDescriptionSummary.StreamStatus)
	}
	if _, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(own)}); err != nil {
		t.Fatal(err)
	}
	groups := []string{own}
	for g := range vars.OtherFlowLogGroups {
		groups = append(groups, g)
	}
	for _, g := range groups {
		if _, err := c.logs.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{
			LogGroupName: aws.String(g), FilterName: aws.String("vpcflow-enricher"), FilterPattern: aws.String(""),
			DestinationArn: aws.String(streamARN), RoleArn: aws.String("arn:aws:iam::" + acctest.AccountID + ":role/cwl-to-kinesis"),
		}); err != nil {
			t.Fatal(err)
		}
	}

	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("demo-enricher"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	formats := fmt.Sprintf("{%s}", joinFormats(vars.OtherFlowLogGroups))
	fn := "demo-enricher"
	if _, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(fn), Role: role.Role.Arn, Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Timeout: aws.Int32(300), MemorySize: aws.Int32(512),
		Code: &lambdatypes.FunctionCode{ZipFile: emptyZip(t)},
		Environment: &lambdatypes.Environment{Variables: map[string]string{
			contract.EnvMode: contract.ModeKinesis, contract.EnvOutputBucket: bucket, contract.EnvInventoryTable: table,
			contract.EnvLogFormat: vars.LogFormat, contract.EnvLogFormats: formats,
			// As modules/enrichment deploys it: rows staged, then compacted.
			contract.EnvOutputStaging: "true",
		}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String(fn), EventSourceArn: aws.String(streamARN), BatchSize: aws.Int32(10),
		StartingPosition:           lambdatypes.EventSourcePositionTrimHorizon,
		BisectBatchOnFunctionError: aws.Bool(true), MaximumRetryAttempts: aws.Int32(10),
		FunctionResponseTypes: []lambdatypes.FunctionResponseType{lambdatypes.FunctionResponseTypeReportBatchItemFailures},
	}); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	dir := t.TempDir()
	res, err := Run(ctx, cfg, Stack{FunctionName: fn, LogGroup: own}, Options{Seed: 3, HoursPerDay: testHours(), Connections: testConnections(), Dir: dir, Progress: &out})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.Records == 0 || res.Enrich.Read != res.Records || res.Enrich.Rejected != 0 || res.Objects == 0 {
		t.Errorf("result %+v", res)
	}
	if res.Enrich.Payloads < len(groups) {
		t.Errorf("%d Kinesis records for %d log groups", res.Enrich.Payloads, len(groups))
	}
	for _, want := range []string{"[5/6]", "records/s", "records/cpu-s", "report: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the progress has no %q", want)
		}
	}
	rows, _ := filepath.Glob(filepath.Join(dir, RowsDir, "*", "*", "*"))
	if len(rows) != res.Objects {
		t.Errorf("%d row files, %d objects", len(rows), res.Objects)
	}
	if page, err := os.ReadFile(filepath.Join(dir, ReportFile)); err != nil || len(page) < 10_000 {
		t.Errorf("the report: %v", err)
	} else if !strings.Contains(string(page), "Which applications did "+res.Truth.App+" talk to") || strings.Contains(string(page), `class="partial"`) {
		t.Error("the report does not answer every named query over its whole period")
	}

	// The answers, as the answers command gives them.
	out.Reset()
	as, err := answers.Run(filepath.Join(dir, RowsDir), res.Truth, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 5 || answers.Mismatches(as) != 0 || strings.Contains(out.String(), "DIFFERS") {
		t.Errorf("%d answers, %d differ from the ground truth", len(as), answers.Mismatches(as))
	}
}

func joinFormats(m map[string]string) string {
	var parts []string
	for g, f := range m {
		parts = append(parts, fmt.Sprintf("%q:%q", g, f))
	}
	return strings.Join(parts, ",")
}

// emptyZip is a function package moto stores; it never runs it.
func emptyZip(t *testing.T) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte("#!/bin/sh\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testHours is one hour of traffic a day, or DEMO_TEST_HOURS to profile a
// larger run.
func testHours() int {
	if n, err := strconv.Atoi(os.Getenv("DEMO_TEST_HOURS")); err == nil {
		return n
	}
	return 1
}

func testConnections() int {
	if n, err := strconv.Atoi(os.Getenv("DEMO_TEST_CONNECTIONS")); err == nil {
		return n
	}
	return 2
}
