package watchdog

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
)

const (
	account = "111122223333"
	region  = "eu-west-1"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// estate is one account and region in memory.
type estate struct {
	vpcs     []string
	flowLogs []ec2types.FlowLog
	groups   []string
}

func (e *estate) DescribeVpcs(context.Context, *ec2.DescribeVpcsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	out := &ec2.DescribeVpcsOutput{}
	for _, id := range e.vpcs {
		out.Vpcs = append(out.Vpcs, ec2types.Vpc{VpcId: aws.String(id), OwnerId: aws.String(account)})
	}
	return out, nil
}

func (e *estate) DescribeFlowLogs(context.Context, *ec2.DescribeFlowLogsInput, ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error) {
	return &ec2.DescribeFlowLogsOutput{FlowLogs: e.flowLogs}, nil
}

func (e *estate) DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	for _, g := range e.groups {
		out.LogGroups = append(out.LogGroups, logstypes.LogGroup{LogGroupName: aws.String(g)})
	}
	return out, nil
}

func (e *estate) ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	return &s3.ListBucketsOutput{}, nil
}

func (e *estate) HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	return &s3.HeadBucketOutput{}, nil
}

func (e *estate) clients() coveragescan.Clients { return coveragescan.Clients{EC2: e, Logs: e, S3: e} }

func (e *estate) flowLog(id, vpc, group, status, message string) {
	e.vpcs = append(e.vpcs, vpc)
	e.flowLogs = append(e.flowLogs, ec2types.FlowLog{
		FlowLogId: aws.String(id), ResourceId: aws.String(vpc), TrafficType: ec2types.TrafficTypeAll,
		LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogGroupName: aws.String(group),
		DeliverLogsPermissionArn: aws.String("arn:aws:iam::111122223333:role/flow-logs"), FlowLogStatus: aws.String("ACTIVE"),
		DeliverLogsStatus: aws.String(status), DeliverLogsErrorMessage: aws.String(message),
	})
}

type sink struct {
	metrics []*cloudwatch.PutMetricDataInput
	events  []ebtypes.PutEventsRequestEntry
	refuse  map[string]bool // flow log IDs whose event EventBridge refuses
}

func (s *sink) PutMetricData(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	s.metrics = append(s.metrics, in)
	return &cloudwatch.PutMetricDataOutput{}, nil
}

func (s *sink) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	out := &eventbridge.PutEventsOutput{}
	for _, e := range in.Entries {
		if s.refuse[lastSegment(e.Resources[0])] {
			out.Entries = append(out.Entries, ebtypes.PutEventsResultEntry{ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("try again")})
			out.FailedEntryCount++
			continue
		}
		s.events = append(s.events, e)
		out.Entries = append(out.Entries, ebtypes.PutEventsResultEntry{EventId: aws.String("id")})
	}
	return out, nil
}

func (s *sink) take() []string {
	var out []string
	for _, e := range s.events {
		out = append(out, aws.ToString(e.DetailType)+" "+lastSegment(e.Resources[0]))
	}
	s.events = nil
	return out
}

type memState map[string]State

func (m memState) Load(_ context.Context, a, r string) (State, error) {
	if s, ok := m[a+"/"+r]; ok {
		return s, nil
	}
	return State{Version: stateVersion, Account: a, Region: r, Failing: map[string]Failing{}}, nil
}

func (m memState) Save(_ context.Context, s State) error {
	m[s.Account+"/"+s.Region] = s
	return nil
}

// TestRunAnnouncesChanges: the first run announces what is failing; a run
// with nothing new announces nothing; a flow log that starts failing, and
// one that recovers, are announced once.
func TestRunAnnouncesChanges(t *testing.T) {
	t.Parallel()
	e := &estate{groups: []string{"/vpc/a", "/vpc/b"}}
	e.flowLog("fl-a", "vpc-a", "/vpc/a", "SUCCESS", "")
	e.flowLog("fl-b", "vpc-b", "/vpc/b", "FAILED", "Access error")
	e.vpcs = append(e.vpcs, "vpc-bare")
	out := &sink{}
	state := memState{}
	now := t0
	r := &Runner{Metrics: out, Events: out, State: state, Now: func() time.Time { return now }}
	run := func() Result {
		t.Helper()
		res, err := r.Run(context.Background(), e.clients(), account, region)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	res := run()
	if got := out.take(); !slices.Equal(got, []string{DetailTypeFailed + " fl-b"}) {
		t.Errorf("first run sent %v", got)
	}
	if res.Counts.VPCsWithoutFlowLogs != 1 || res.Counts.FailingFlowLogs != 1 {
		t.Errorf("counts %+v", res.Counts)
	}

	now = t0.Add(time.Hour)
	run()
	if got := out.take(); len(got) != 0 {
		t.Errorf("a run with nothing new sent %v", got)
	}
	if since := state[account+"/"+region].Failing["fl-b"].Since; !since.Equal(t0) {
		t.Errorf("fl-b failing since %v, want the first run's time %v", since, t0)
	}

	// fl-a's log group is deleted; fl-b is fixed.
	e.groups = []string{"/vpc/b"}
	e.flowLogs[1].DeliverLogsStatus = aws.String("SUCCESS")
	now = t0.Add(2 * time.Hour)
	res = run()
	if got := out.take(); !slices.Equal(got, []string{DetailTypeFailed + " fl-a", DetailTypeRecovered + " fl-b"}) {
		t.Errorf("third run sent %v", got)
	}
	if !slices.Equal(res.NewlyFailing, []string{"fl-a"}) || !slices.Equal(res.Recovered, []string{"fl-b"}) {
		t.Errorf("result %+v", res)
	}

	// fl-a is deleted while failing: dropped, not recovered.
	e.flowLogs = e.flowLogs[1:]
	run()
	if got := out.take(); len(got) != 0 {
		t.Errorf("deleting a failing flow log sent %v", got)
	}
	if _, ok := state[account+"/"+region].Failing["fl-a"]; ok {
		t.Errorf("a deleted flow log stays in the state")
	}
}

// TestRunRetriesRefusedEvents: a flow log whose event EventBridge refused
// is not recorded as announced, so the next run sends it again.
func TestRunRetriesRefusedEvents(t *testing.T) {
	t.Parallel()
	e := &estate{groups: []string{"/vpc/a"}}
	e.flowLog("fl-a", "vpc-a", "/vpc/a", "FAILED", "Access error")
	out := &sink{refuse: map[string]bool{"fl-a": true}}
	state := memState{}
	r := &Runner{Metrics: out, Events: out, State: state, Now: func() time.Time { return t0 }}
	res, err := r.Run(context.Background(), e.clients(), account, region)
	if err == nil || res.EventsFailed != 1 {
		t.Fatalf("err = %v, result %+v; want the refused event reported", err, res)
	}
	out.refuse = nil
	if _, err := r.Run(context.Background(), e.clients(), account, region); err != nil {
		t.Fatal(err)
	}
	if got := out.take(); !slices.Equal(got, []string{DetailTypeFailed + " fl-a"}) {
		t.Errorf("second run sent %v, want the event again", got)
	}
}

// TestEventDetail: the event names the flow log, its ARN as the event's
// resource, and the root cause with the fix.
func TestEventDetail(t *testing.T) {
	t.Parallel()
	e := &estate{groups: []string{"/vpc/a"}}
	e.flowLog("fl-a", "vpc-a", "/vpc/a", "FAILED", "Access error")
	out := &sink{}
	r := &Runner{Metrics: out, Events: out, EventBus: "security", Now: func() time.Time { return t0 }}
	if _, err := r.Run(context.Background(), e.clients(), account, region); err != nil {
		t.Fatal(err)
	}
	if len(out.events) != 1 {
		t.Fatalf("events: %d", len(out.events))
	}
	ev := out.events[0]
	if aws.ToString(ev.Source) != EventSource || aws.ToString(ev.EventBusName) != "security" ||
		ev.Resources[0] != "arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/fl-a" {
		t.Errorf("entry %+v", ev)
	}
	var d Detail
	if err := json.Unmarshal([]byte(aws.ToString(ev.Detail)), &d); err != nil {
		t.Fatal(err)
	}
	if d.RootCause == nil || d.RootCause.Code != "DELIVERY_ACCESS_ERROR" || d.RootCause.Fix == "" ||
		d.DeliverLogsError != "Access error" || d.ResourceID != "vpc-a" || !d.FailingSince.Equal(t0) {
		t.Errorf("detail %+v", d)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	rep := &coveragescan.Report{Account: account, Region: region, Counts: coveragescan.Counts{VPCs: 5, VPCsWithoutFlowLogs: 2, FlowLogs: 4, FailingFlowLogs: 1}}
	got := map[string]float64{}
	for _, d := range Metrics(rep, 1, t0) {
		if len(d.Dimensions) != 2 || aws.ToString(d.Dimensions[0].Value) != account || aws.ToString(d.Dimensions[1].Value) != region {
			t.Errorf("dimensions of %s: %+v", aws.ToString(d.MetricName), d.Dimensions)
		}
		got[aws.ToString(d.MetricName)] = aws.ToFloat64(d.Value)
	}
	want := map[string]float64{"VPCs": 5, "VPCsWithoutFlowLogs": 2, "FlowLogs": 4, "FlowLogsFailingDelivery": 1, "FlowLogsNewlyFailing": 1,
		"FlowLogsDeliveryFailed": 0, "FlowLogsMissingDestination": 0, "FlowLogsPartialTraffic": 0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// TestFailedScanPublishesNothing: without a scan there are no metrics, so
// an alarm that treats missing data as breaching fires.
func TestFailedScanPublishesNothing(t *testing.T) {
	t.Parallel()
	out := &sink{}
	r := &Runner{Metrics: out, Events: out}
	_, err := r.Run(context.Background(), coveragescan.Clients{EC2: failingEC2{}}, account, region)
	if err == nil || len(out.metrics) != 0 {
		t.Fatalf("err = %v, metrics %d; want an error and no metrics", err, len(out.metrics))
	}
}

type failingEC2 struct{}

func (failingEC2) DescribeVpcs(context.Context, *ec2.DescribeVpcsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	return nil, errors.New("AccessDenied")
}

func (failingEC2) DescribeFlowLogs(context.Context, *ec2.DescribeFlowLogsInput, ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error) {
	return nil, errors.New("AccessDenied")
}
