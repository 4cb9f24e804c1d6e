package coveragescan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/health"
)

const roleARN = "arn:aws:iam::111122223333:role/flow-logs"

func groupARN(name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", testRegion, testAccount, name)
}

func cwlFlowLog(id, resource, traffic string) FlowLog {
	return FlowLog{
		ID: id, ResourceID: resource, TrafficType: traffic, DestinationType: delivery.DestinationCloudWatchLogs,
		DestinationARN: groupARN("/vpc/flows"), LogGroupName: "/vpc/flows", RoleARN: roleARN,
		Status: "ACTIVE", DeliverStatus: health.StatusSuccess,
	}
}

func codes(fs []delivery.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func ids(vs []VPCResult) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	present := map[string]Destination{groupARN("/vpc/flows"): {Presence: PresenceExists}}
	failed := cwlFlowLog("fl-failed", "vpc-a", TrafficAll)
	failed.DeliverStatus, failed.DeliverError = health.StatusFailed, "Access error"
	gone := cwlFlowLog("fl-gone", "vpc-a", TrafficAll)
	gone.DestinationARN, gone.LogGroupName = groupARN("/vpc/deleted"), "/vpc/deleted"

	cases := []struct {
		name          string
		vpcs          []string
		flowLogs      []FlowLog
		dests         map[string]Destination
		opts          Options
		wantUncovered []string
		wantReason    string            // of the first uncovered VPC
		wantCodes     map[string]string // flow log -> codes joined by ","
		wantCompliant bool
		wantCounts    Counts
	}{
		{
			name:          "a VPC without a flow log",
			vpcs:          []string{"vpc-a", "vpc-b"},
			flowLogs:      []FlowLog{cwlFlowLog("fl-1", "vpc-a", TrafficAll)},
			dests:         present,
			wantUncovered: []string{"vpc-b"},
			wantReason:    "the VPC has no flow log",
			wantCodes:     map[string]string{"fl-1": ""},
			wantCounts:    Counts{VPCs: 2, VPCsWithoutFlowLogs: 1, FlowLogs: 1},
		},
		{
			name:          "ACCEPT and REJECT flow logs together record ALL",
			vpcs:          []string{"vpc-a"},
			flowLogs:      []FlowLog{cwlFlowLog("fl-1", "vpc-a", TrafficAccept), cwlFlowLog("fl-2", "vpc-a", TrafficReject)},
			dests:         present,
			wantCodes:     map[string]string{"fl-1": "", "fl-2": ""},
			wantCompliant: true,
			wantCounts:    Counts{VPCs: 1, FlowLogs: 2},
		},
		{
			name:          "REJECT only does not cover ALL",
			vpcs:          []string{"vpc-a"},
			flowLogs:      []FlowLog{cwlFlowLog("fl-1", "vpc-a", TrafficReject)},
			dests:         present,
			wantUncovered: []string{"vpc-a"},
			wantReason:    "the VPC's flow logs record only REJECT traffic, not ALL",
			wantCodes:     map[string]string{"fl-1": CodeTrafficTypePartial},
			wantCounts:    Counts{VPCs: 1, VPCsWithoutFlowLogs: 1, FlowLogs: 1, PartialTraffic: 1},
		},
		{
			name:          "REJECT covers a REJECT requirement",
			vpcs:          []string{"vpc-a"},
			flowLogs:      []FlowLog{cwlFlowLog("fl-1", "vpc-a", TrafficReject)},
			dests:         present,
			opts:          Options{TrafficType: TrafficReject},
			wantCodes:     map[string]string{"fl-1": ""},
			wantCompliant: true,
			wantCounts:    Counts{VPCs: 1, FlowLogs: 1},
		},
		{
			name:       "a subnet flow log does not cover its VPC",
			vpcs:       []string{"vpc-a"},
			flowLogs:   []FlowLog{cwlFlowLog("fl-1", "subnet-1", TrafficAll)},
			dests:      present,
			wantCodes:  map[string]string{"fl-1": ""},
			wantReason: "the VPC has no flow log", wantUncovered: []string{"vpc-a"},
			wantCounts: Counts{VPCs: 1, VPCsWithoutFlowLogs: 1, FlowLogs: 1},
		},
		{
			name:       "AWS reports delivery failing",
			vpcs:       []string{"vpc-a"},
			flowLogs:   []FlowLog{failed},
			dests:      present,
			wantCodes:  map[string]string{"fl-failed": health.CodeAccessError},
			wantCounts: Counts{VPCs: 1, FlowLogs: 1, FailingFlowLogs: 1, FailedDelivery: 1},
		},
		{
			name:       "the log group was deleted",
			vpcs:       []string{"vpc-a"},
			flowLogs:   []FlowLog{gone},
			dests:      map[string]Destination{groupARN("/vpc/deleted"): {Presence: PresenceMissing}},
			wantCodes:  map[string]string{"fl-gone": CodeDestinationNotFound},
			wantCounts: Counts{VPCs: 1, FlowLogs: 1, FailingFlowLogs: 1, MissingDestinations: 1},
		},
		{
			name:          "an excluded VPC is not counted",
			vpcs:          []string{"vpc-a", "vpc-default"},
			flowLogs:      []FlowLog{cwlFlowLog("fl-1", "vpc-a", TrafficAll)},
			dests:         present,
			opts:          Options{ExcludeVPCIDs: []string{"vpc-default"}},
			wantCodes:     map[string]string{"fl-1": ""},
			wantCompliant: true,
			wantCounts:    Counts{VPCs: 1, FlowLogs: 1},
		},
		{
			name:     "checker findings are merged, errors first, the missing bucket once",
			vpcs:     []string{"vpc-a"},
			flowLogs: []FlowLog{cwlFlowLog("fl-1", "vpc-a", TrafficAll)},
			dests:    present,
			opts: Options{Check: func(_ context.Context, fl FlowLog, _ Destination) ([]delivery.Finding, error) {
				return []delivery.Finding{
					{Code: "TRUST_NO_CONFUSED_DEPUTY_GUARD", Severity: delivery.SeverityWarning, Attribute: delivery.AttrTrustPolicy},
					{Code: "TRUST_SERVICE_NOT_TRUSTED", Severity: delivery.SeverityError, Attribute: delivery.AttrTrustPolicy},
				}, nil
			}},
			wantCodes:  map[string]string{"fl-1": "TRUST_SERVICE_NOT_TRUSTED,TRUST_NO_CONFUSED_DEPUTY_GUARD"},
			wantCounts: Counts{VPCs: 1, FlowLogs: 1, FailingFlowLogs: 1},
		},
		{
			name:     "a checker that cannot read is not a pass",
			vpcs:     []string{"vpc-a"},
			flowLogs: []FlowLog{cwlFlowLog("fl-1", "vpc-a", TrafficAll)},
			dests:    present,
			opts: Options{Check: func(context.Context, FlowLog, Destination) ([]delivery.Finding, error) {
				return nil, errors.New("AccessDenied: iam:GetRole")
			}},
			wantCodes:  map[string]string{"fl-1": CodeCheckIncomplete},
			wantCounts: Counts{VPCs: 1, FlowLogs: 1, FailingFlowLogs: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := &Inventory{Account: testAccount, Region: testRegion, FlowLogs: tc.flowLogs, Destinations: tc.dests}
			for _, id := range tc.vpcs {
				inv.VPCs = append(inv.VPCs, VPC{ID: id})
			}
			rep, err := Evaluate(context.Background(), inv, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(rep.Uncovered()); !slices.Equal(got, tc.wantUncovered) {
				t.Errorf("uncovered = %v, want %v", got, tc.wantUncovered)
			}
			if tc.wantReason != "" && len(rep.Uncovered()) > 0 && rep.Uncovered()[0].Reason != tc.wantReason {
				t.Errorf("reason = %q, want %q", rep.Uncovered()[0].Reason, tc.wantReason)
			}
			for _, fl := range rep.FlowLogs {
				want, ok := tc.wantCodes[fl.ID]
				if !ok {
					t.Errorf("unexpected flow log %s", fl.ID)
					continue
				}
				if got := strings.Join(codes(fl.Findings), ","); got != want {
					t.Errorf("%s findings = %s, want %s", fl.ID, got, want)
				}
			}
			if rep.Compliant() != tc.wantCompliant {
				t.Errorf("compliant = %v, want %v", rep.Compliant(), tc.wantCompliant)
			}
			if rep.Counts != tc.wantCounts {
				t.Errorf("counts = %+v, want %+v", rep.Counts, tc.wantCounts)
			}
		})
	}
}

func TestEvaluateRejectsUnknownTrafficType(t *testing.T) {
	t.Parallel()
	_, err := Evaluate(context.Background(), &Inventory{}, Options{TrafficType: "all"})
	if err == nil || !strings.Contains(err.Error(), `"all"`) {
		t.Fatalf("err = %v, want a refusal naming the value", err)
	}
}

// TestFailedDeliveryExplained: the finding of a flow log AWS reports failing
// carries flowloghealth's root cause and fix, and RootCause renders both.
func TestFailedDeliveryExplained(t *testing.T) {
	t.Parallel()
	fl := cwlFlowLog("fl-1", "vpc-a", TrafficAll)
	fl.DeliverStatus, fl.DeliverError = "FAILED", "Access error"
	rep, err := Evaluate(context.Background(), &Inventory{FlowLogs: []FlowLog{fl}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := rep.FlowLogs[0]
	if !got.DeliveryFailed() || got.Cause.Code != health.CodeAccessError {
		t.Fatalf("cause = %+v, want %s", got.Cause, health.CodeAccessError)
	}
	rc := got.RootCause()
	for _, want := range []string{`"Access error"`, "vpc-flow-logs.amazonaws.com", "Fix: "} {
		if !strings.Contains(rc, want) {
			t.Errorf("root cause lacks %q:\n%s", want, rc)
		}
	}
}

// TestChecksSkipMissingBuckets: a flow log whose bucket is gone has nothing
// to check against; one whose log group is gone is still checked (the role
// decides whether the group comes back).
func TestChecksSkipMissingBuckets(t *testing.T) {
	t.Parallel()
	s3fl := FlowLog{ID: "fl-s3", ResourceID: "vpc-a", TrafficType: TrafficAll, DestinationType: delivery.DestinationS3, DestinationARN: "arn:aws:s3:::gone"}
	cwfl := cwlFlowLog("fl-cw", "vpc-a", TrafficAll)
	inv := &Inventory{FlowLogs: []FlowLog{s3fl, cwfl}, Destinations: map[string]Destination{
		"arn:aws:s3:::gone": {Presence: PresenceMissing}, cwfl.DestinationARN: {Presence: PresenceMissing},
	}}
	var checked []string
	_, err := Evaluate(context.Background(), inv, Options{Concurrency: 1, Check: func(_ context.Context, fl FlowLog, d Destination) ([]delivery.Finding, error) {
		checked = append(checked, fl.ID+":"+d.Presence.String())
		return nil, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(checked, []string{"fl-cw:missing"}) {
		t.Errorf("checked = %v, want [fl-cw:missing]", checked)
	}
}

// TestRead: the listing marks each destination, leaves shared VPCs out and
// builds a log group ARN for flow logs that name only the group.
func TestRead(t *testing.T) {
	t.Parallel()
	f := &fakeAWS{foreign: map[string]bool{"central-logs": true}}
	f.addVPC("vpc-a")
	f.vpcs = append(f.vpcs, ec2Shared("vpc-shared", "999988887777"))
	f.addLogGroup("/vpc/flows")
	f.addLogGroup("/vpc/other")
	f.buckets = []string{"own-logs"}
	f.addCWL("fl-ok", "vpc-a", TrafficAll, "/vpc/flows", roleARN)
	f.addCWL("fl-gone", "vpc-a", TrafficAll, "/vpc/deleted", roleARN)
	f.addS3("fl-own", "vpc-a", "own-logs")
	f.addS3("fl-central", "vpc-a", "central-logs")
	f.addS3("fl-nobucket", "vpc-a", "deleted-bucket")
	f.flowLogs[0].LogDestination = nil // an old flow log: LogGroupName only
	f.fail("fl-own", "Access error")

	inv, err := Read(context.Background(), f.clients(), testAccount, testRegion)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.VPCs) != 1 || inv.VPCs[0].ID != "vpc-a" {
		t.Errorf("VPCs = %+v, want vpc-a only", inv.VPCs)
	}
	if got := inv.FlowLogs[0].DestinationARN; got != groupARN("/vpc/flows") {
		t.Errorf("destination built from the group name = %q", got)
	}
	if fl := inv.FlowLogs[2]; fl.ID != "fl-own" || fl.DeliverStatus != "FAILED" || fl.DeliverError != "Access error" || fl.DestinationType != "s3" {
		t.Errorf("flow log read as %+v", fl)
	}
	want := map[string]Presence{
		groupARN("/vpc/flows"):              PresenceExists,
		groupARN("/vpc/deleted"):            PresenceMissing,
		"arn:aws:s3:::own-logs/flows":       PresenceExists,
		"arn:aws:s3:::central-logs/flows":   PresenceExists,
		"arn:aws:s3:::deleted-bucket/flows": PresenceMissing,
	}
	for dest, p := range want {
		if got := inv.Destinations[dest].Presence; got != p {
			t.Errorf("%s: presence %v, want %v", dest, got, p)
		}
	}
	// DescribeVpcs, DescribeFlowLogs, DescribeLogGroups, ListBuckets, and
	// HeadBucket for the two buckets the account does not own.
	if inv.Calls != 6 || f.total() != 6 {
		t.Errorf("calls = %d (fake counted %d), want 6: %v", inv.Calls, f.total(), f.calls)
	}
}

// TestReadLogGroupsStopsEarly: groups sort by name, so the listing ends once
// it has passed the last group a flow log names, however many groups follow.
func TestReadLogGroupsStopsEarly(t *testing.T) {
	t.Parallel()
	f := &fakeAWS{}
	f.addVPC("vpc-a")
	for i := range 1000 {
		f.addLogGroup(fmt.Sprintf("/aws/lambda/fn-%04d", i))
	}
	f.addLogGroup("/aws/vpc/a")
	f.addLogGroup("/aws/vpc/b")
	f.addCWL("fl-1", "vpc-a", TrafficAll, "/aws/vpc/a", roleARN)
	f.addCWL("fl-2", "vpc-a", TrafficAll, "/aws/vpc/c", roleARN) // deleted
	inv, err := Read(context.Background(), f.clients(), testAccount, testRegion)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.calls["CloudWatchLogs.DescribeLogGroups"]; n != 1 {
		t.Errorf("DescribeLogGroups calls = %d, want 1 (prefix /aws/vpc/)", n)
	}
	if inv.Destinations[groupARN("/aws/vpc/c")].Presence != PresenceMissing {
		t.Errorf("/aws/vpc/c not reported missing")
	}
}

func TestCommonPrefix(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"/vpc/flows"}, "/vpc/flows"},
		{[]string{"/aws/vpc/a", "/aws/vpc/b"}, "/aws/vpc/"},
		{[]string{"/aws/vpc/a", "vpc"}, ""},
		{nil, ""},
	} {
		if got := commonPrefix(tc.names); got != tc.want {
			t.Errorf("commonPrefix(%q) = %q, want %q", tc.names, got, tc.want)
		}
	}
}
