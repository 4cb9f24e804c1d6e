package pipelinepolicy_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/watchdog"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/watchdoghandler"
)

// watchdogCalls is every AWS call the watchdog function makes, and the IAM
// action its execution role needs for it ("" for none). TestWatchdogCalls
// runs the real handler with the SDK's clients, answering each call in
// the SDK's middleware, and holds this table, WatchdogNeeds and the
// rendered policy to what it calls.
var watchdogCalls = []struct {
	service, operation string
	action             string
	// target: also (or only) made with a target's role, which then needs
	// it instead of the function's role.
	target bool
	note   string
}{
	{"EC2", "DescribeVpcs", "ec2:DescribeVpcs", true, "the VPCs to cover (coverage.Read)"},
	{"EC2", "DescribeFlowLogs", "ec2:DescribeFlowLogs", true, "the region's flow logs and their delivery status"},
	{"CloudWatch Logs", "DescribeLogGroups", "logs:DescribeLogGroups", true, "whether the flow logs' log groups exist, per scanned region"},
	{"S3", "ListBuckets", "s3:ListAllMyBuckets", true, "whether the buckets of S3 flow logs exist (optional: only with S3 flow logs)"},
	{"S3", "HeadBucket", "", true, "a bucket the account does not own: 403 reads as present, and S3 answers 404 for a missing bucket whoever asks"},
	{"CloudWatch", "PutMetricData", "cloudwatch:PutMetricData", false, "the metrics, in the namespace (cloudwatch:namespace)"},
	{"EventBridge", "PutEvents", "events:PutEvents", false, "one event per flow log that starts failing or recovers, on the bus"},
	{"S3", "GetObject", "s3:GetObject", false, "the previous run's state; with s3:ListBucket on the bucket, so the first run's missing object is 404, not 403"},
	{"S3", "PutObject", "s3:PutObject", false, "the new state"},
	{"STS", "AssumeRole", "sts:AssumeRole", false, "the role of a target in another account"},
	{"STS", "GetCallerIdentity", "", true, "the account of a target that names none; needs no permission"},
}

// watchdogImplicitActions are needed though no call has them as its action.
var watchdogImplicitActions = []string{"s3:ListBucket"}

const (
	fnKey     = "AKIAFUNCTION00000000"
	targetKey = "ASIATARGETROLE000000"
	fnAccount = "123456789012"
	fnRegion  = "us-east-1"
	other     = "444455556666"
)

type call struct{ service, operation, key, region string }

// recorder answers every call after it is signed, and records who made it.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) add(c call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *recorder) install(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("recordWatchdogCall",
		func(ctx context.Context, in middleware.FinalizeInput, _ middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c := call{service: awsmiddleware.GetServiceID(ctx), operation: awsmiddleware.GetOperationName(ctx), region: awsmiddleware.GetRegion(ctx)}
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				auth := req.Header.Get("Authorization")
				if i := strings.Index(auth, "Credential="); i >= 0 {
					c.key, _, _ = strings.Cut(auth[i+len("Credential="):], "/")
				}
			}
			r.add(c)
			out, err := answer(c, in)
			return middleware.FinalizeOutput{Result: out}, middleware.Metadata{}, err
		}), middleware.After)
}

// answer is one account with a VPC, a failing flow log to an existing
// log group and a flow log to another account's bucket, and no state yet.
func answer(c call, _ middleware.FinalizeInput) (any, error) {
	account := fnAccount
	if c.key == targetKey {
		account = other
	}
	switch c.operation {
	case "DescribeVpcs":
		return &ec2.DescribeVpcsOutput{Vpcs: []ec2types.Vpc{{VpcId: aws.String("vpc-1"), OwnerId: aws.String(account)}}}, nil
	case "DescribeFlowLogs":
		return &ec2.DescribeFlowLogsOutput{FlowLogs: []ec2types.FlowLog{
			{FlowLogId: aws.String("fl-cwl"), ResourceId: aws.String("vpc-1"), TrafficType: ec2types.TrafficTypeAll,
				LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogGroupName: aws.String("/vpc/flows"),
				DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + account + ":role/flow-logs"), FlowLogStatus: aws.String("ACTIVE"),
				DeliverLogsStatus: aws.String("FAILED"), DeliverLogsErrorMessage: aws.String("Access error")},
			{FlowLogId: aws.String("fl-s3"), ResourceId: aws.String("vpc-1"), TrafficType: ec2types.TrafficTypeAll,
				LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::central-flow-logs/AWSLogs/"),
				FlowLogStatus: aws.String("ACTIVE"), DeliverLogsStatus: aws.String("SUCCESS")},
		}}, nil
	case "DescribeLogGroups":
		return &cloudwatchlogs.DescribeLogGroupsOutput{LogGroups: []logstypes.LogGroup{{LogGroupName: aws.String("/vpc/flows")}}}, nil
	case "ListBuckets":
		return &s3.ListBucketsOutput{}, nil
	case "HeadBucket":
		return nil, &smithy.GenericAPIError{Code: "Forbidden", Message: "Forbidden"}
	case "GetObject":
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	case "PutObject":
		return &s3.PutObjectOutput{}, nil
	case "PutMetricData":
		return &cloudwatch.PutMetricDataOutput{}, nil
	case "PutEvents":
		return &eventbridge.PutEventsOutput{Entries: make([]ebtypes.PutEventsResultEntry, 10)}, nil
	case "GetCallerIdentity":
		return &sts.GetCallerIdentityOutput{Account: aws.String(account)}, nil
	case "AssumeRole":
		return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{AccessKeyId: aws.String(targetKey), SecretAccessKey: aws.String("secret"),
			SessionToken: aws.String("token"), Expiration: aws.Time(time.Now().Add(time.Hour))}}, nil
	}
	return nil, fmt.Errorf("the test does not answer %s.%s", c.service, c.operation)
}

func runWatchdog(t *testing.T, env map[string]string) []call {
	t.Helper()
	rec := &recorder{}
	cfg := aws.Config{
		Region:      fnRegion,
		Credentials: credentials.NewStaticCredentialsProvider(fnKey, "secret", ""),
		APIOptions:  []func(*middleware.Stack) error{rec.install},
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
	h, err := watchdoghandler.NewWatchdog(cfg, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	h.Logger = slog.New(slog.DiscardHandler)
	rep, err := h.HandleWatchdog(context.Background(), events.CloudWatchEvent{ID: "test"})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if len(rep.Targets) == 0 {
		t.Fatal("the run scanned no target, so no call was made")
	}
	for _, res := range rep.Targets {
		if res.EventsSent == 0 {
			t.Fatalf("target %s/%s sent no event, so not every call was made: %+v", res.Account, res.Region, res)
		}
	}
	return rec.calls
}

// TestWatchdogCalls: the calls the watchdog makes are the table's, each
// with the credentials the table says; the needs of mode watchdog are
// exactly the table's actions; the policy rendered for it allows them;
// and the checker refuses a role denied any one of them.
func TestWatchdogCalls(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		watchdog.EnvTargets: `[{"account_id":"` + fnAccount + `"},{"account_id":"` + fnAccount + `","region":"us-west-2"},` +
			`{"role_arn":"arn:aws:iam::` + other + `:role/vpcflow-watchdog-read","external_id":"ext-1"}]`,
		watchdog.EnvStateBucket: "watchdog-state", watchdog.EnvNamespace: "Network/FlowLogs", watchdog.EnvEventBus: "security",
	}
	calls := append(runWatchdog(t, map[string]string{}), runWatchdog(t, full)...)

	type op struct{ service, operation string }
	made := map[op][]call{}
	for _, c := range calls {
		made[op{c.service, c.operation}] = append(made[op{c.service, c.operation}], c)
	}
	for _, row := range watchdogCalls {
		cs := made[op{row.service, row.operation}]
		if len(cs) == 0 {
			t.Errorf("%s.%s is in the table but the watchdog does not call it", row.service, row.operation)
		}
		for _, c := range cs {
			if c.key == targetKey && !row.target {
				t.Errorf("%s.%s made with a target's role: it belongs to the function's role", row.service, row.operation)
			}
		}
		delete(made, op{row.service, row.operation})
	}
	for o := range made {
		t.Errorf("the watchdog calls %s.%s, which the table does not list", o.service, o.operation)
	}

	cfg, err := watchdog.ConfigFromEnv(func(k string) string { return full[k] })
	if err != nil {
		t.Fatal(err)
	}
	e := pipelinepolicy.Execution{Region: fnRegion, Account: fnAccount, FunctionName: "vpcflow-watchdog", Mode: pipelinepolicy.ModeWatchdog,
		Watchdog: cfg.Deployment("aws", fnAccount, fnRegion).Policy()}
	var needed []string
	logRegions := map[string]bool{}
	for _, n := range pipelinepolicy.WatchdogNeeds("aws", fnRegion, fnAccount, e.Watchdog) {
		needed = append(needed, n.Action)
		if n.Action == "logs:DescribeLogGroups" {
			logRegions[strings.Split(n.Resource, ":")[3]] = true
		}
	}
	var want []string
	for _, row := range watchdogCalls {
		if row.action != "" {
			want = append(want, row.action)
		}
	}
	want = append(want, watchdogImplicitActions...)
	if got, w := uniqueSorted(needed), uniqueSorted(want); !slices.Equal(got, w) {
		t.Errorf("needs of mode watchdog %v, want the table's %v", got, w)
	}
	for _, c := range calls {
		if c.operation == "DescribeLogGroups" && c.key == fnKey && !logRegions[c.region] {
			t.Errorf("log groups described in %s with the function's role, needed only in %v", c.region, logRegions)
		}
	}

	doc, err := pipelinepolicy.ExecutionPermissionsDocument(e)
	if err != nil {
		t.Fatal(err)
	}
	role := func(extra string) delivery.ServiceRole {
		trust, _ := pipelinepolicy.ExecutionTrustDocument(e)
		perms := doc
		if extra != "" {
			perms = strings.Replace(doc, `"Statement": [`, `"Statement": [`+extra+",", 1)
		}
		return delivery.ServiceRole{
			RoleARN: "arn:aws:iam::" + fnAccount + ":role/vpcflow/vpcflow-watchdog", Service: pipelinepolicy.LambdaService,
			Trust: &delivery.NamedPolicy{Name: "trust", Document: trust}, TrustContext: pipelinepolicy.ExecutionTrustContext(e),
			Permissions: []delivery.NamedPolicy{{Name: "inline", Document: perms}}, Needs: pipelinepolicy.ExecutionNeeds(e),
		}
	}
	if fs := delivery.CheckServiceRole(role("")); len(fs) > 0 {
		t.Fatalf("the rendered role has findings: %v\n%s", fs, doc)
	}
	for _, a := range uniqueSorted(want) {
		fs := delivery.CheckServiceRole(role(`{"Effect":"Deny","Action":"` + a + `","Resource":"*"}`))
		if delivery.Valid(fs) && a != "s3:ListAllMyBuckets" {
			t.Errorf("a role denied %s passes the checker", a)
		}
		found := false
		for _, f := range fs {
			found = found || strings.Contains(f.Message, a)
		}
		if !found {
			t.Errorf("a role denied %s: no finding names it: %v", a, fs)
		}
	}
}

func uniqueSorted(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	return slices.Compact(out)
}
