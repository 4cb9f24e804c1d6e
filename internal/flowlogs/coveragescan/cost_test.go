package coveragescan

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// Cost bounds of a scan of a region with 500 VPCs and 500 flow logs.
const (
	costVPCs        = 500
	costRoles       = 10   // the flow logs share ten delivery roles
	maxReadCalls    = 15   // DescribeVpcs 1, DescribeFlowLogs 1, DescribeLogGroups 10 (50 a page)
	maxTotalCalls   = 60   // with four IAM reads for each role
	costOtherGroups = 2000 // log groups of other services the listing must not page through
)

// costEstate is a region with a VPC flow log to its own log group on every
// VPC, through one of ten roles, among thousands of unrelated log groups.
func costEstate() *fakeAWS {
	f := &fakeAWS{}
	for i := range costOtherGroups {
		f.addLogGroup(fmt.Sprintf("/aws/lambda/fn-%05d", i))
	}
	for i := range costVPCs {
		vpc := fmt.Sprintf("vpc-%017d", i)
		group := fmt.Sprintf("/aws/vpc/flow-logs/%s", vpc)
		f.addVPC(vpc)
		f.addLogGroup(group)
		f.addCWL(fmt.Sprintf("fl-%017d", i), vpc, TrafficAll, group, fmt.Sprintf("arn:aws:iam::%s:role/flow-logs-%d", testAccount, i%costRoles))
	}
	return f
}

// roleDocs stands in for the provider's memoised IAM reads: the documents
// of each role are read once, with four calls, whatever the number of flow
// logs sharing it.
type roleDocs struct {
	mu    sync.Mutex
	read  map[string]bool
	calls int
}

func (r *roleDocs) check(_ context.Context, fl FlowLog, dest Destination) ([]delivery.Finding, error) {
	r.mu.Lock()
	if r.read == nil {
		r.read = map[string]bool{}
	}
	if !r.read[fl.RoleARN] {
		r.read[fl.RoleARN] = true
		r.calls += 4 // GetRole, ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies
	}
	r.mu.Unlock()
	perms := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
 {"Sid":"Deliver","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"],"Resource":"arn:aws:logs:%[1]s:%[2]s:log-group:/aws/vpc/flow-logs/*:*"},
 {"Sid":"Describe","Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:%[1]s:%[2]s:log-group:*"}]}`, testRegion, testAccount)
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole",
 "Condition":{"StringEquals":{"aws:SourceAccount":"%[2]s"},"ArnLike":{"aws:SourceArn":"arn:aws:ec2:%[1]s:%[2]s:vpc-flow-log/*"}}}]}`, testRegion, testAccount)
	return delivery.Check(delivery.Input{
		DestinationType: fl.DestinationType, DestinationARN: fl.DestinationARN,
		FlowLogAccount: testAccount, FlowLogRegion: testRegion, RoleARN: fl.RoleARN,
		TrustPolicy:         &delivery.NamedPolicy{Name: "trust policy", Document: trust},
		PermissionPolicies:  []delivery.NamedPolicy{{Name: "inline policy deliver", Document: perms}},
		KMSKeyARN:           dest.KMSKeyARN,
		LogGroupMayNotExist: dest.Presence == PresenceMissing,
	}), nil
}

func scan(ctx context.Context, f *fakeAWS, docs *roleDocs) (*Report, *Inventory, error) {
	inv, err := Read(ctx, f.clients(), testAccount, testRegion)
	if err != nil {
		return nil, nil, err
	}
	rep, err := Evaluate(ctx, inv, Options{Check: docs.check})
	return rep, inv, err
}

// TestScanCost: 500 VPCs and 500 flow logs take a dozen paginated listing
// calls plus four IAM reads per distinct role. The CPU time of the scan,
// the delivery checker on every flow log included, is logged, not asserted
// (a shared machine makes any bound flaky); BenchmarkScan500 measures it.
func TestScanCost(t *testing.T) {
	f := costEstate()
	docs := &roleDocs{}
	start := cputime.Process()
	wall := time.Now()
	rep, inv, err := scan(context.Background(), f, docs)
	cpu := cputime.Process() - start
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts.VPCs != costVPCs || rep.Counts.FlowLogs != costVPCs || !rep.Compliant() {
		t.Fatalf("scan of the cost estate: counts %+v, compliant %v; want every VPC covered and no finding: %+v",
			rep.Counts, rep.Compliant(), rep.Failing())
	}
	for _, fl := range rep.FlowLogs {
		if len(fl.Findings) != 0 {
			t.Fatalf("%s has findings %v; the cost estate must be clean so the checker runs its full path", fl.ID, codes(fl.Findings))
		}
	}
	total := inv.Calls + docs.calls
	t.Logf("scan of %d VPCs and %d flow logs (%d log groups in the region): %d listing calls %v, %d IAM reads, %d AWS calls in all; CPU %v, wall %v",
		costVPCs, costVPCs, len(f.logGroups), inv.Calls, f.calls, docs.calls, total, cpu, time.Since(wall))
	if inv.Calls > maxReadCalls {
		t.Errorf("listing took %d calls, want at most %d: %v", inv.Calls, maxReadCalls, f.calls)
	}
	if total > maxTotalCalls {
		t.Errorf("scan took %d AWS calls, want at most %d", total, maxTotalCalls)
	}
}

// BenchmarkScan500 measures one scan of the cost estate: listing with the
// fake AWS, evaluation, and the delivery checker on all 500 flow logs.
func BenchmarkScan500(b *testing.B) {
	f := costEstate()
	b.ReportAllocs()
	calls := 0
	start := cputime.Process()
	for b.Loop() {
		docs := &roleDocs{}
		_, inv, err := scan(context.Background(), f, docs)
		if err != nil {
			b.Fatal(err)
		}
		calls = inv.Calls + docs.calls
	}
	b.ReportMetric(float64(calls), "calls/op")
	if cpu := cputime.Process() - start; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}
