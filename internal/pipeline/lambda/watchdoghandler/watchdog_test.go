package watchdoghandler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/watchdog"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// The watchdog test scans a region no other test of the package writes to.
const (
	wdRegion       = "eu-central-1"
	wdOtherAccount = "111111111111"
	wdQueue        = "vpcflow-watchdog-events"
)

// wdAWS is moto in the watchdog's region, in the test account or, through
// a role, in another.
type wdAWS struct {
	t        *testing.T
	ctx      context.Context
	cfg      aws.Config
	ec2      *ec2.Client
	logs     *cloudwatchlogs.Client
	queueURL string
}

func newWDAWS(t *testing.T, roleARN string) *wdAWS {
	cfg := acctest.AWSConfig(t)
	cfg.Region = wdRegion
	if roleARN != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleARN))
	}
	return &wdAWS{t: t, ctx: context.Background(), cfg: cfg, ec2: ec2.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg)}
}

func (a *wdAWS) vpc() string {
	a.t.Helper()
	out, err := a.ec2.CreateVpc(a.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		a.t.Fatal(err)
	}
	return aws.ToString(out.Vpc.VpcId)
}

func (a *wdAWS) group(name string) {
	a.t.Helper()
	if _, err := a.logs.CreateLogGroup(a.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &name}); err != nil {
		a.t.Fatal(err)
	}
}

func (a *wdAWS) deleteGroup(name string) {
	a.t.Helper()
	if _, err := a.logs.DeleteLogGroup(a.ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: &name}); err != nil {
		a.t.Fatal(err)
	}
}

func (a *wdAWS) flowLog(vpc, group string) string {
	a.t.Helper()
	out, err := a.ec2.CreateFlowLogs(a.ctx, &ec2.CreateFlowLogsInput{
		ResourceIds: []string{vpc}, ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: ec2types.TrafficTypeAll,
		LogGroupName: &group, DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + acctest.AccountID + ":role/flow-logs"),
	})
	if err != nil || len(out.FlowLogIds) != 1 {
		a.t.Fatalf("creating flow log: %v", err)
	}
	return out.FlowLogIds[0]
}

func (a *wdAWS) defaultVPCs() []string {
	a.t.Helper()
	out, err := a.ec2.DescribeVpcs(a.ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	if err != nil {
		a.t.Fatal(err)
	}
	var ids []string
	for _, v := range out.Vpcs {
		ids = append(ids, aws.ToString(v.VpcId))
	}
	return ids
}

// cloudWatchQuery makes a CloudWatch client speak AWS Query, for moto.
func cloudWatchQuery(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
}

// wdEvent is an event as the rule's queue target receives it.
type wdEvent struct {
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Resources  []string        `json:"resources"`
	Detail     watchdog.Detail `json:"detail"`
}

// events receives the events the rule delivered to the queue since the
// last call.
func (a *wdAWS) events() []wdEvent {
	a.t.Helper()
	var evs []wdEvent
	for {
		var out struct {
			Messages []struct{ Body, ReceiptHandle string }
		}
		a.sqs("ReceiveMessage", map[string]any{"QueueUrl": a.queueURL, "MaxNumberOfMessages": 10}, &out)
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			var ev wdEvent
			if err := json.Unmarshal([]byte(m.Body), &ev); err != nil {
				a.t.Fatalf("event %q: %v", m.Body, err)
			}
			evs = append(evs, ev)
			a.sqs("DeleteMessage", map[string]any{"QueueUrl": a.queueURL, "ReceiptHandle": m.ReceiptHandle}, nil)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Detail.FlowLogID < evs[j].Detail.FlowLogID })
	return evs
}

// sqs calls an SQS action with the JSON protocol, signed like the SDK
// would; the module has no SQS client, and the test needs three calls.
func (a *wdAWS) sqs(action string, in, out any) {
	a.t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		a.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(a.ctx, http.MethodPost, aws.ToString(a.cfg.BaseEndpoint)+"/", bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS."+action)
	creds, err := a.cfg.Credentials.Retrieve(a.ctx)
	if err != nil {
		a.t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(a.ctx, creds, req, hex.EncodeToString(sum[:]), "sqs", wdRegion, time.Now()); err != nil {
		a.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		a.t.Fatalf("sqs %s: HTTP %d: %s", action, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("sqs %s: %v: %s", action, err, b)
		}
	}
}

func eventNames(evs []wdEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.DetailType+" "+e.Detail.FlowLogID)
	}
	return out
}

// metric reads the latest value of a watchdog metric of an account.
func metric(t *testing.T, cw *cloudwatch.Client, name, account string, since time.Time) float64 {
	t.Helper()
	out, err := cw.GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String(watchdog.DefaultNamespace), MetricName: aws.String(name),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("Account"), Value: aws.String(account)}, {Name: aws.String("Region"), Value: aws.String(wdRegion)}},
		StartTime:  aws.Time(since.Add(-time.Minute)), EndTime: aws.Time(time.Now().Add(time.Minute)),
		Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Datapoints) == 0 {
		t.Fatalf("no datapoint of %s for %s since %v", name, account, since)
	}
	sort.Slice(out.Datapoints, func(i, j int) bool { return out.Datapoints[i].Timestamp.Before(*out.Datapoints[j].Timestamp) })
	return aws.ToFloat64(out.Datapoints[len(out.Datapoints)-1].Maximum)
}

// TestWatchdogAgainstMoto runs the watchdog handler as the enricher's
// watchdog mode would, on a region with a covered VPC, an uncovered VPC and
// a flow log whose log group was deleted, plus a second account reached
// through a role. The metrics are read back with ListMetrics and
// GetMetricStatistics; the events with ReceiveMessage on the queue a rule
// matching the watchdog's source targets.
func TestWatchdogAgainstMoto(t *testing.T) {
	ctx := context.Background()
	own := newWDAWS(t, "")
	scanner := fmt.Sprintf("arn:aws:iam::%s:role/vpcflow-watchdog-reader", wdOtherAccount)
	other := newWDAWS(t, scanner)

	// The watchdog's state bucket and the event rule, in its own account.
	s3c := s3.NewFromConfig(own.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "vpcflow-watchdog-state-test"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(wdRegion)}}); err != nil {
		t.Fatal(err)
	}
	var queue struct{ QueueUrl string }
	own.sqs("CreateQueue", map[string]any{"QueueName": wdQueue}, &queue)
	own.queueURL = queue.QueueUrl
	eb := eventbridge.NewFromConfig(own.cfg)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("vpcflow-watchdog-test"),
		EventPattern: aws.String(`{"source":["vpcflow.watchdog"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("vpcflow-watchdog-test"), Targets: []ebtypes.Target{{
		Id: aws.String("queue"), Arn: aws.String(fmt.Sprintf("arn:aws:sqs:%s:%s:%s", wdRegion, acctest.AccountID, wdQueue)),
	}}}); err != nil {
		t.Fatal(err)
	}

	// The estate.
	own.group("/wd/a")
	own.group("/wd/gone")
	covered := own.flowLog(own.vpc(), "/wd/a")
	own.vpc() // uncovered
	gone := own.flowLog(own.vpc(), "/wd/gone")
	own.deleteGroup("/wd/gone")
	other.vpc() // uncovered, in the other account
	excluded := strings.Join(append(own.defaultVPCs(), other.defaultVPCs()...), ",")

	targets := fmt.Sprintf(`[{"account_id":%q},{"role_arn":%q,"external_id":"vpcflow-test"}]`, acctest.AccountID, scanner)
	env := map[string]string{
		watchdog.EnvTargets:     targets,
		watchdog.EnvStateBucket: bucket,
		watchdog.EnvExcludeVPCs: excluded,
	}
	h, err := NewWatchdog(own.cfg, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's CloudWatch client speaks the Smithy RPC v2 CBOR protocol,
	// which moto does not route (it answers 404); CloudWatch also accepts
	// the AWS Query protocol, which moto implements.
	h.Runner.Metrics = cloudwatch.NewFromConfig(own.cfg, cloudWatchQuery)
	run := func() WatchdogReport {
		t.Helper()
		rep, err := h.HandleWatchdog(ctx, events.CloudWatchEvent{ID: "scheduled", Source: "aws.events", DetailType: "Scheduled Event"})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	start := time.Now()
	rep := run()
	if len(rep.Targets) != 2 || rep.Targets[1].Account != wdOtherAccount {
		t.Fatalf("report %+v, want the test account then %s", rep, wdOtherAccount)
	}

	cw := cloudwatch.NewFromConfig(own.cfg, cloudWatchQuery)
	listed, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String(watchdog.DefaultNamespace),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("Account"), Value: aws.String(acctest.AccountID)}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range listed.Metrics {
		names = append(names, aws.ToString(m.MetricName))
	}
	sort.Strings(names)
	want := slices.Clone(watchdog.MetricNames)
	sort.Strings(want)
	if !slices.Equal(slices.Compact(names), want) {
		t.Errorf("ListMetrics = %v, want %v", names, want)
	}
	for _, c := range []struct {
		name, account string
		want          float64
	}{
		{"VPCs", acctest.AccountID, 3},
		{"VPCsWithoutFlowLogs", acctest.AccountID, 1},
		{"FlowLogsFailingDelivery", acctest.AccountID, 1},
		{"FlowLogsMissingDestination", acctest.AccountID, 1},
		{"FlowLogsNewlyFailing", acctest.AccountID, 1},
		{"VPCsWithoutFlowLogs", wdOtherAccount, 1},
		{"FlowLogsFailingDelivery", wdOtherAccount, 0},
	} {
		if got := metric(t, cw, c.name, c.account, start); got != c.want {
			t.Errorf("%s of %s = %v, want %v", c.name, c.account, got, c.want)
		}
	}

	evs := own.events()
	if got := eventNames(evs); !slices.Equal(got, []string{watchdog.DetailTypeFailed + " " + gone}) {
		t.Fatalf("events after the first run: %v", got)
	}
	ev := evs[0]
	if ev.Source != watchdog.EventSource || ev.Detail.RootCause == nil || ev.Detail.RootCause.Code != "DESTINATION_NOT_FOUND" ||
		!strings.Contains(ev.Detail.RootCause.Message, "/wd/gone") || ev.Detail.Account != acctest.AccountID ||
		len(ev.Resources) != 1 || !strings.HasSuffix(ev.Resources[0], ":vpc-flow-log/"+gone) {
		t.Errorf("event %+v", ev)
	}

	// The state object records the announced flow log.
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("vpcflow-watchdog/" + acctest.AccountID + "/" + wdRegion + ".json")},
		func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	if err != nil {
		t.Fatalf("state object: %v", err)
	}
	var st watchdog.State
	if err := json.NewDecoder(obj.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	_ = obj.Body.Close()
	if _, ok := st.Failing[gone]; !ok || len(st.Failing) != 1 {
		t.Errorf("state %+v, want %s failing", st, gone)
	}

	// Nothing new: no event.
	run()
	if got := eventNames(own.events()); len(got) != 0 {
		t.Errorf("a second run with nothing new sent events: %v", got)
	}

	// The covered flow log's group is deleted, the other's comes back.
	own.deleteGroup("/wd/a")
	own.group("/wd/gone")
	run()
	got := eventNames(own.events())
	wantEvents := []string{watchdog.DetailTypeRecovered + " " + gone, watchdog.DetailTypeFailed + " " + covered}
	sort.Strings(got)
	sort.Strings(wantEvents)
	if !slices.Equal(got, wantEvents) {
		t.Errorf("events after the third run: %v, want %v", got, wantEvents)
	}
}

// TestNewWatchdogRefusesBadEnvironment: a setting that cannot be read stops
// the cold start with the variable's name, rather than watching nothing.
func TestNewWatchdogRefusesBadEnvironment(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"targets not JSON":    {watchdog.EnvTargets: "111122223333"},
		"traffic type":        {watchdog.EnvTrafficType: "everything"},
		"target without both": {watchdog.EnvTargets: `[{"region":"eu-west-1"},{"account_id":"111122223333"}]`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewWatchdog(aws.Config{Region: wdRegion}, func(k string) string { return env[k] })
			if err == nil {
				t.Fatal("accepted")
			}
			for k := range env {
				if !strings.Contains(err.Error(), k) {
					t.Errorf("error %q does not name %s", err, k)
				}
			}
		})
	}
}
