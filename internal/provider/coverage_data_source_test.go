package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

const covData = "data.vpcflow_coverage.test"

// The coverage tests scan whole regions, so each uses a region no other
// test writes to; moto keeps regions apart, and gives each a default VPC.
const (
	covRegionEstate   = "eu-west-3"
	covRegionAccounts = "eu-north-1"
	covRegionCost     = "ap-southeast-2"
	covOtherAccount   = "111111111111"
)

// covPermissions lets a role deliver to every group under /cov/ in the
// account and region (%[1]s, %[2]s), without logs:CreateLogGroup.
const covPermissions = `{"Version":"2012-10-17","Statement":[{"Sid":"Deliver","Effect":"Allow",
  "Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"],
  "Resource":"arn:aws:logs:%[2]s:%[1]s:log-group:/cov/*:*"},
 {"Sid":"ListGroups","Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:%[2]s:%[1]s:log-group:*"}]}`

// covTrustRepurposed is what a trust policy looks like after someone reused
// the role for EC2 instances: IAM accepts it, VPC Flow Logs can no longer
// assume the role, and AWS reports nothing until delivery is attempted.
const covTrustRepurposed = `{"Version":"2012-10-17","Statement":[{"Sid":"Instances","Effect":"Allow",
  "Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// coverageAWS is an SDK view of one account and region of moto.
type coverageAWS struct {
	t       testing.TB
	ctx     context.Context
	account string
	region  string
	ec2     *ec2.Client
	iam     *iam.Client
	logs    *cloudwatchlogs.Client
	s3      *s3.Client
}

// newCoverageAWS reaches the region with the test credentials, or, with a
// role ARN, with that role's (moto then works in the role's account).
func newCoverageAWS(t testing.TB, region, roleARN string) *coverageAWS {
	t.Helper()
	cfg := acctest.AWSConfig(t)
	cfg.Region = region
	account := acctest.AccountID
	if roleARN != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleARN))
		account = arnAccount(roleARN)
	}
	return &coverageAWS{
		t: t, ctx: context.Background(), account: account, region: region,
		ec2: ec2.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
	}
}

func (a *coverageAWS) doc(format string, extra ...any) string {
	return fmt.Sprintf(format, append([]any{a.account, a.region}, extra...)...)
}

func (a *coverageAWS) vpc(name string) string {
	a.t.Helper()
	out, err := a.ec2.CreateVpc(a.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: []ec2types.TagSpecification{{
		ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}},
	}}})
	if err != nil {
		a.t.Fatalf("creating VPC: %v", err)
	}
	id := aws.ToString(out.Vpc.VpcId)
	a.t.Cleanup(func() { _, _ = a.ec2.DeleteVpc(a.ctx, &ec2.DeleteVpcInput{VpcId: &id}) })
	return id
}

// defaultVPCs are the VPCs moto gives each region.
func (a *coverageAWS) defaultVPCs() []string {
	a.t.Helper()
	out, err := a.ec2.DescribeVpcs(a.ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	if err != nil {
		a.t.Fatalf("describing VPCs: %v", err)
	}
	var ids []string
	for _, v := range out.Vpcs {
		ids = append(ids, aws.ToString(v.VpcId))
	}
	return ids
}

func (a *coverageAWS) logGroup(name string) {
	a.t.Helper()
	testAccLogGroupFixture(a.t, a.logs, name)
}

func (a *coverageAWS) deleteLogGroup(name string) {
	a.t.Helper()
	if _, err := a.logs.DeleteLogGroup(a.ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: &name}); err != nil {
		a.t.Fatalf("deleting log group: %v", err)
	}
}

func (a *coverageAWS) role(name, trust, permissions string) string {
	a.t.Helper()
	return testAccRoleFixture(a.t, a.iam, name, trust, "", map[string]string{"deliver": permissions})
}

func (a *coverageAWS) flowLog(in *ec2.CreateFlowLogsInput) string {
	a.t.Helper()
	in.ResourceType = ec2types.FlowLogsResourceTypeVpc
	if in.TrafficType == "" {
		in.TrafficType = ec2types.TrafficTypeAll
	}
	out, err := a.ec2.CreateFlowLogs(a.ctx, in)
	if err != nil || len(out.FlowLogIds) != 1 {
		a.t.Fatalf("creating flow log: %v %+v", err, out)
	}
	id := out.FlowLogIds[0]
	a.t.Cleanup(func() { _, _ = a.ec2.DeleteFlowLogs(a.ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: []string{id}}) })
	return id
}

func (a *coverageAWS) cwlFlowLog(vpc, group, role string) string {
	return a.flowLog(&ec2.CreateFlowLogsInput{ResourceIds: []string{vpc}, LogGroupName: &group, DeliverLogsPermissionArn: &role})
}

// bucket creates a bucket with the log delivery policy and returns its name.
func (a *coverageAWS) bucket(name string) string {
	a.t.Helper()
	in := &s3.CreateBucketInput{Bucket: &name}
	if a.region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(a.region)}
	}
	if _, err := a.s3.CreateBucket(a.ctx, in); err != nil {
		a.t.Fatalf("creating bucket: %v", err)
	}
	pol := a.doc(flBucketPolicy, name, "AWSLogs/"+a.account, "")
	if _, err := a.s3.PutBucketPolicy(a.ctx, &s3.PutBucketPolicyInput{Bucket: &name, Policy: &pol}); err != nil {
		a.t.Fatalf("putting bucket policy: %v", err)
	}
	a.t.Cleanup(func() { _, _ = a.s3.DeleteBucket(a.ctx, &s3.DeleteBucketInput{Bucket: &name}) })
	return name
}

func (a *coverageAWS) deleteBucket(name string) {
	a.t.Helper()
	if _, err := a.s3.DeleteBucketPolicy(a.ctx, &s3.DeleteBucketPolicyInput{Bucket: &name}); err != nil {
		a.t.Fatalf("deleting bucket policy: %v", err)
	}
	if _, err := a.s3.DeleteBucket(a.ctx, &s3.DeleteBucketInput{Bucket: &name}); err != nil {
		a.t.Fatalf("deleting bucket: %v", err)
	}
}

func covConfig(region, body string) string {
	return testAccProviderBlock(region) + "\ndata \"vpcflow_coverage\" \"test\" {\n" + body + "\n}\n"
}

func stringChecks(values []string) []knownvalue.Check {
	out := make([]knownvalue.Check, len(values))
	for i, v := range values {
		out[i] = knownvalue.StringExact(v)
	}
	return out
}

// TestAccCoverageDataSource_estate scans a region with covered VPCs, an
// uncovered one, a flow log whose role was repurposed after it was created,
// one whose log group was deleted and one whose bucket was deleted. AWS
// reports every one of them as delivering (moto never changes
// DeliverLogsStatus), so the findings come from the scan itself; a second
// step makes AWS report failures and checks their translation.
func TestAccCoverageDataSource_estate(t *testing.T) {
	a := newCoverageAWS(t, covRegionEstate, "")
	name := flName("cov")
	trust := a.doc(flTrustGood)
	perms := a.doc(covPermissions)
	shared := a.role(name+"-shared", trust, perms)
	broken := a.role(name+"-broken", trust, perms)

	covered1, covered2 := a.vpc("covered-1"), a.vpc("covered-2")
	uncovered := a.vpc("uncovered")
	brokenVPC, goneGroupVPC, goneBucketVPC := a.vpc("role-repurposed"), a.vpc("group-deleted"), a.vpc("bucket-deleted")
	for _, g := range []string{"/cov/" + name + "/a", "/cov/" + name + "/b", "/cov/" + name + "/c", "/cov/" + name + "/gone"} {
		a.logGroup(g)
	}
	okIDs := []string{
		a.cwlFlowLog(covered1, "/cov/"+name+"/a", shared),
		a.cwlFlowLog(covered2, "/cov/"+name+"/b", shared),
	}
	brokenID := a.cwlFlowLog(brokenVPC, "/cov/"+name+"/c", broken)
	goneGroupID := a.cwlFlowLog(goneGroupVPC, "/cov/"+name+"/gone", shared)
	bucket := a.bucket(name + "-flows")
	goneBucketID := a.flowLog(&ec2.CreateFlowLogsInput{ResourceIds: []string{goneBucketVPC},
		LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::" + bucket)})

	// What changes after apply, out of band.
	if _, err := a.iam.UpdateAssumeRolePolicy(a.ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name + "-broken"), PolicyDocument: aws.String(covTrustRepurposed)}); err != nil {
		t.Fatal(err)
	}
	a.deleteLogGroup("/cov/" + name + "/gone")
	a.deleteBucket(bucket)

	vpcCount := 6 + len(a.defaultVPCs())
	wantUncovered := append(a.defaultVPCs(), uncovered)
	sort.Strings(wantUncovered)
	failingIDs := []string{brokenID, goneGroupID, goneBucketID}
	sort.Strings(failingIDs)
	allIDs := append(slices.Clone(okIDs), failingIDs...)
	sort.Strings(allIDs)

	flowLog := func(id string, valid bool, firstCode string, exists knownvalue.Check) knownvalue.Check {
		m := map[string]knownvalue.Check{
			"flow_log_id":         knownvalue.StringExact(id),
			"valid":               knownvalue.Bool(valid),
			"destination_exists":  exists,
			"deliver_logs_status": knownvalue.StringExact("SUCCESS"),
		}
		if firstCode == "" {
			m["findings"] = knownvalue.ListExact([]knownvalue.Check{})
			m["root_cause"] = knownvalue.Null()
		} else {
			m["findings"] = knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"code": knownvalue.StringExact(firstCode), "severity": knownvalue.StringExact("error"),
			})})
			m["root_cause"] = knownvalue.StringRegexp(regexp.MustCompile(`(?s).+ Fix: .+`))
		}
		return knownvalue.ObjectPartial(m)
	}
	byID := map[string]knownvalue.Check{
		okIDs[0]:     flowLog(okIDs[0], true, "", knownvalue.Bool(true)),
		okIDs[1]:     flowLog(okIDs[1], true, "", knownvalue.Bool(true)),
		brokenID:     flowLog(brokenID, false, "TRUST_WRONG_SERVICE_PRINCIPAL", knownvalue.Bool(true)),
		goneGroupID:  flowLog(goneGroupID, false, "DESTINATION_NOT_FOUND", knownvalue.Bool(false)),
		goneBucketID: flowLog(goneBucketID, false, "DESTINATION_NOT_FOUND", knownvalue.Bool(false)),
	}
	var flowLogChecks, failingChecks []knownvalue.Check
	for _, id := range allIDs {
		flowLogChecks = append(flowLogChecks, byID[id])
	}
	for _, id := range failingIDs {
		failingChecks = append(failingChecks, byID[id])
	}

	seen := &providerDataLog{}
	failing := &deliveryFailing{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: flowLogProviderFactories(seen, failing.install),
		Steps: []resource.TestStep{
			{
				Config: covConfig(covRegionEstate, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("compliant"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("region"), knownvalue.StringExact(covRegionEstate)),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("vpcs_without_flow_logs"), knownvalue.ListExact(stringChecks(wantUncovered))),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("vpc_count"), knownvalue.Int64Exact(int64(vpcCount))),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("flow_log_count"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("failing_flow_log_count"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("flow_logs"), knownvalue.ListExact(flowLogChecks)),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("failing_flow_logs"), knownvalue.ListExact(failingChecks)),
					// The deleted group's role lacks logs:CreateLogGroup, so the group does not come back.
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("flow_logs").AtSliceIndex(slices.Index(allIDs, goneGroupID)).AtMapKey("findings"),
						knownvalue.ListPartial(map[int]knownvalue.Check{1: knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"code": knownvalue.StringExact("PERMISSION_ACTION_MISSING"), "message": knownvalue.StringRegexp(regexp.MustCompile(`logs:CreateLogGroup`)),
						})})),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("summary"), knownvalue.StringRegexp(regexp.MustCompile(fmt.Sprintf(
						`^Not compliant: %d of %d VPCs in eu-west-3 have no flow log recording ALL traffic: .*%s.*; 3 of 5 flow logs deliver nothing or will not: .*%s \(%s\): TRUST_WRONG_SERVICE_PRINCIPAL`,
						len(wantUncovered), vpcCount, uncovered, brokenID, brokenVPC)))),
				},
				Check: func(*terraform.State) error {
					// Two roles among five flow logs: each role is read once per provider instance.
					for _, pd := range seen.snapshot() {
						if n := pd.client.Calls.Count("IAM.GetRole"); n > 2 {
							return fmt.Errorf("a provider instance read roles %d times for 2 roles: %v", n, pd.client.Calls.Snapshot())
						}
						if n := pd.client.Calls.Count("EC2.DescribeFlowLogs"); n > 1 {
							return fmt.Errorf("a provider instance listed flow logs %d times", n)
						}
					}
					return nil
				},
			},
			{
				// AWS now reports every flow log as failing with "Access error".
				PreConfig: func() { failing.on.Store(true) },
				Config:    covConfig(covRegionEstate, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("failing_flow_log_count"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("flow_logs").AtSliceIndex(slices.Index(allIDs, okIDs[0])), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"deliver_logs_status": knownvalue.StringExact("FAILED"),
						"deliver_logs_error":  knownvalue.StringExact("Access error"),
						"valid":               knownvalue.Bool(false),
						"findings": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"code": knownvalue.StringExact("DELIVERY_ACCESS_ERROR"), "attribute": knownvalue.StringExact("deliver_logs_status"),
						})}),
						"root_cause": knownvalue.StringRegexp(regexp.MustCompile(`"Access error".*vpc-flow-logs\.amazonaws\.com`)),
					})),
				},
			},
			{
				// Options: a REJECT requirement, the uncovered VPC excluded, no delivery check.
				PreConfig: func() { failing.on.Store(false) },
				Config: covConfig(covRegionEstate, fmt.Sprintf(`  traffic_type    = "REJECT"
  exclude_vpc_ids = %s
  check_delivery  = false`, hclList(wantUncovered))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("vpcs_without_flow_logs"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("vpc_count"), knownvalue.Int64Exact(int64(vpcCount-len(wantUncovered)))),
					// Without the checker the repurposed role goes unnoticed: only the deleted destinations remain.
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("failing_flow_log_count"), knownvalue.Int64Exact(2)),
				},
			},
		},
	})
}

// TestAccCoverageDataSource_accounts scans the provider's own account and
// another one through an assumed role, and refuses credentials that belong
// to another account than the one named.
func TestAccCoverageDataSource_accounts(t *testing.T) {
	scanner := fmt.Sprintf("arn:aws:iam::%s:role/vpcflow-scanner", covOtherAccount)
	own := newCoverageAWS(t, covRegionAccounts, "")
	other := newCoverageAWS(t, covRegionAccounts, scanner)
	ownVPC := own.vpc("own")
	otherVPC := other.vpc("other")

	want := append(own.defaultVPCs(), ownVPC)
	sort.Strings(want)
	otherWant := append(other.defaultVPCs(), otherVPC)
	sort.Strings(otherWant)
	want = append(want, otherWant...)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: covConfig(covRegionAccounts, fmt.Sprintf(`  accounts = [
    { account_id = %q },
    { account_id = %q, role_arn = %q, external_id = "vpcflow-test" },
  ]`, acctest.AccountID, covOtherAccount, scanner)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("vpcs_without_flow_logs"), knownvalue.ListExact(stringChecks(want))),
					statecheck.ExpectKnownValue(covData, tfjsonpath.New("vpcs").AtSliceIndex(len(want)-1), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"account_id": knownvalue.StringExact(covOtherAccount),
						"region":     knownvalue.StringExact(covRegionAccounts),
					})),
				},
			},
			{
				Config:      covConfig(covRegionAccounts, fmt.Sprintf(`  accounts = [{ account_id = "222222222222", role_arn = %q }]`, scanner)),
				ExpectError: regexp.MustCompile(`credentials for account 222222222222 belong to\s+account ` + covOtherAccount),
			},
		},
	})
}

// TestAccCoverageDataSource_cost scans a region of 500 VPCs, each with a
// flow log to its own log group through one of ten roles, and counts the
// AWS calls each provider instance made.
func TestAccCoverageDataSource_cost(t *testing.T) {
	const n, roles = 500, 10
	a := newCoverageAWS(t, covRegionCost, "")
	name := flName("cost")
	var roleARNs []string
	for i := range roles {
		roleARNs = append(roleARNs, a.role(fmt.Sprintf("%s-%d", name, i), a.doc(flTrustGood), a.doc(covPermissions)))
	}
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			group := fmt.Sprintf("/cov/%s/%03d", name, i)
			a.logGroup(group)
			a.cwlFlowLog(a.vpc(group), group, roleARNs[i%roles])
		}()
	}
	wg.Wait()
	t.Logf("created %d VPCs, log groups and flow logs in moto in %v", n, time.Since(start))

	// The scan's own CPU, without Terraform: the SDK's encoding and
	// decoding, the evaluation and the delivery checker on every flow log
	// (moto runs in another process). Logged, not asserted: a CPU bound
	// fails on a busy machine for reasons that are not the scan's.
	client, err := conns.New(context.Background(), conns.Settings{Region: covRegionCost})
	if err != nil {
		t.Fatal(err)
	}
	ds := &coverageDataSource{dataSourceBase{data: newProviderData(client)}}
	cpu0, wall0 := cputime.Process(), time.Now()
	rep, err := ds.scan(context.Background(), coverageTarget{}, coveragescan.Options{ExcludeVPCIDs: a.defaultVPCs()}, true)
	cpu := cputime.Process() - cpu0
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("direct scan: %d VPCs, %d flow logs, %d AWS calls, CPU %v, wall %v", rep.Counts.VPCs, rep.Counts.FlowLogs, client.Calls.Total(), cpu, time.Since(wall0))
	if !rep.Compliant() || rep.Counts.FlowLogs != n {
		t.Fatalf("direct scan: counts %+v", rep.Counts)
	}

	seen := &providerDataLog{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: flowLogProviderFactories(seen),
		Steps: []resource.TestStep{{
			Config: covConfig(covRegionCost, fmt.Sprintf(`  exclude_vpc_ids = %s`, hclList(a.defaultVPCs()))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(covData, tfjsonpath.New("compliant"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(covData, tfjsonpath.New("vpc_count"), knownvalue.Int64Exact(n)),
				statecheck.ExpectKnownValue(covData, tfjsonpath.New("flow_log_count"), knownvalue.Int64Exact(n)),
			},
			Check: func(*terraform.State) error {
				most := 0
				for _, pd := range seen.snapshot() {
					calls := pd.client.Calls.Total()
					if calls > most {
						most = calls
						t.Logf("AWS calls of one scan of %d VPCs and %d flow logs: %d %v", n, n, calls, pd.client.Calls.Snapshot())
					}
				}
				// STS 1, DescribeVpcs 1, DescribeFlowLogs 1, DescribeLogGroups 10,
				// and four IAM reads for each of the ten roles.
				if most == 0 || most > 55 {
					return fmt.Errorf("one scan made %d AWS calls, want at most 55", most)
				}
				return nil
			},
		}},
	})
}

// TestAccCoverageDataSource_checkExample runs examples/coverage-check
// (its terraform and provider blocks aside) on a region with a VPC
// without flow logs: the example's configuration is valid and its scoped
// data source reports the VPC. Terraform prints the failed assertion as a
// warning, which the test framework does not expose.
func TestAccCoverageDataSource_checkExample(t *testing.T) {
	const region = "sa-east-1"
	example, err := os.ReadFile("../../examples/coverage-check/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	body := regexp.MustCompile(`(?s)terraform \{.*?\n\}\n`).ReplaceAllString(string(example), "")
	body = strings.Replace(body, `provider "vpcflow" {}`, fmt.Sprintf(`provider "vpcflow" {
  region = %q
}`, region), 1)
	if strings.Contains(body, "required_providers") || !strings.Contains(body, `check "vpc_flow_logs"`) {
		t.Fatalf("unexpected example layout:\n%s", body)
	}
	a := newCoverageAWS(t, region, "")
	want := append(a.defaultVPCs(), a.vpc("uncovered"))
	sort.Strings(want)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: body,
			// Terraform reads a check block's data source again on every
			// plan ("config will be reloaded to verify a check block").
			ExpectNonEmptyPlan: true,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_coverage.region", tfjsonpath.New("vpcs_without_flow_logs"), knownvalue.ListExact(stringChecks(want))),
				statecheck.ExpectKnownValue("data.vpcflow_coverage.region", tfjsonpath.New("compliant"), knownvalue.Bool(false)),
			},
		}},
	})
}
