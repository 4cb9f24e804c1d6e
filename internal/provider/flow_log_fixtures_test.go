package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// What moto (5.x) does with flow logs, and so what these tests cannot show:
//   - DeliverLogsStatus is decided once, at creation: FAILED ("Access error")
//     for a cloud-watch-logs flow log whose log group (given by name) does
//     not exist, SUCCESS otherwise; it never changes afterwards, and the
//     deliver-log-status filter always answers SUCCESS. A log group given by
//     ARN is never found, so every such flow log is FAILED: the resource
//     passes a same-account log group by name.
//   - No IAM: no iam:PassRole check, no "Unable to assume given IAM role",
//     no bucket or key policy evaluation.
//   - An S3 destination with a prefix is looked up as a bucket named
//     "BUCKET/PREFIX" and refused as missing.
//   - DestinationOptions and DeliverCrossAccountRole are accepted and
//     dropped: DescribeFlowLogs does not return them.
//   - Transit gateways are not validated: any aggregation interval and a
//     traffic type are accepted, and the default format is the VPC one.
//   - DeleteFlowLogs of an unknown ID is an InvalidFlowLogId.NotFound error;
//     AWS returns it as an Unsuccessful item.
// deliveryFailing below stands in for a flow log that starts failing.

// Documents of the flow log tests, as a user would write them. %[1]s is the
// account, %[2]s the region.
const (
	flTrustGood = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowFlowLogs","Effect":"Allow",
  "Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole",
  "Condition":{"StringEquals":{"aws:SourceAccount":"%[1]s"},"ArnLike":{"aws:SourceArn":"arn:aws:ec2:%[2]s:%[1]s:vpc-flow-log/*"}}}]}`
	// One letter short of the service principal: IAM accepts it, VPC Flow
	// Logs can never assume the role.
	flTrustWrongPrincipal = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowFlowLogs","Effect":"Allow",
  "Principal":{"Service":"vpc-flow-log.amazonaws.com"},"Action":"sts:AssumeRole",
  "Condition":{"StringEquals":{"aws:SourceAccount":"%[1]s"}}}]}`
	// %[3]s is the log group ARN, %[4]s the suffix after it ("" or ":*").
	flPermissions = `{"Version":"2012-10-17","Statement":[{"Sid":"Deliver","Effect":"Allow",
  "Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"],
  "Resource":"%[3]s%[4]s"},
 {"Sid":"ListGroups","Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:%[2]s:%[1]s:log-group:*"}]}`
	// A boundary for "network read-only" roles, which leaves out CloudWatch Logs.
	flBoundaryWithoutLogs = `{"Version":"2012-10-17","Statement":[{"Sid":"NetworkReadOnly","Effect":"Allow",
  "Action":["ec2:Describe*","s3:GetObject"],"Resource":"*"}]}`
	// %[3]s is the bucket, %[4]s the key prefix up to the account.
	flBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSLogDeliveryWrite","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:PutObject",
  "Resource":"arn:aws:s3:::%[3]s/%[4]s/*",
  "Condition":{"StringEquals":{"aws:SourceAccount":"%[1]s","s3:x-amz-acl":"bucket-owner-full-control"},"ArnLike":{"aws:SourceArn":"arn:aws:logs:%[2]s:%[1]s:*"}}},
 {"Sid":"AWSLogDeliveryAclCheck","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:GetBucketAcl",
  "Resource":"arn:aws:s3:::%[3]s",
  "Condition":{"StringEquals":{"aws:SourceAccount":"%[1]s"},"ArnLike":{"aws:SourceArn":"arn:aws:logs:%[2]s:%[1]s:*"}}}%[5]s]}`
	// A statement some teams add to keep "everything" out of log buckets.
	flBucketDenyDelivery = `,
 {"Sid":"DenyServicesWrites","Effect":"Deny","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:PutObject",
  "Resource":"arn:aws:s3:::%[3]s/*"}`
)

func flDoc(format string, extra ...any) string {
	return fmt.Sprintf(format, append([]any{acctest.AccountID, acctest.Region}, extra...)...)
}

// flowLogAWS is an SDK view of moto for fixtures and out-of-band changes.
type flowLogAWS struct {
	t    testing.TB
	ctx  context.Context
	ec2  *ec2.Client
	iam  *iam.Client
	logs *cloudwatchlogs.Client
	s3   *s3.Client
}

func newFlowLogAWS(t testing.TB) *flowLogAWS {
	t.Helper()
	cfg := acctest.AWSConfig(t)
	return &flowLogAWS{
		t: t, ctx: context.Background(),
		ec2: ec2.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
	}
}

func flName(prefix string) string { return sdkacctest.RandomWithPrefix(prefix) }

func (a *flowLogAWS) vpc() string {
	a.t.Helper()
	out, err := a.ec2.CreateVpc(a.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		a.t.Fatalf("creating VPC: %v", err)
	}
	id := aws.ToString(out.Vpc.VpcId)
	a.t.Cleanup(func() { _, _ = a.ec2.DeleteVpc(a.ctx, &ec2.DeleteVpcInput{VpcId: &id}) })
	return id
}

// logGroup creates a log group and returns its ARN (without ":*").
func (a *flowLogAWS) logGroup() string {
	a.t.Helper()
	name := "/vpc/" + flName("flow-logs")
	testAccLogGroupFixture(a.t, a.logs, name)
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", acctest.Region, acctest.AccountID, name)
}

// role creates a role with one inline policy and an optional boundary document.
func (a *flowLogAWS) role(trust, permissions, boundary string) string {
	a.t.Helper()
	name := flName("flow-logs")
	var boundaryARN string
	if boundary != "" {
		p, err := a.iam.CreatePolicy(a.ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name + "-boundary"), PolicyDocument: &boundary})
		if err != nil {
			a.t.Fatalf("creating boundary policy: %v", err)
		}
		boundaryARN = aws.ToString(p.Policy.Arn)
		// Registered first, so it runs after the role's deletion.
		a.t.Cleanup(func() { _, _ = a.iam.DeletePolicy(a.ctx, &iam.DeletePolicyInput{PolicyArn: &boundaryARN}) })
	}
	return testAccRoleFixture(a.t, a.iam, name, trust, boundaryARN, map[string]string{"deliver": permissions})
}

// bucket creates a bucket with a policy ("" for none) and returns its name.
func (a *flowLogAWS) bucket(policy func(bucket string) string) string {
	a.t.Helper()
	name := flName("flow-logs")
	if _, err := a.s3.CreateBucket(a.ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		a.t.Fatalf("creating bucket: %v", err)
	}
	if policy != nil {
		if _, err := a.s3.PutBucketPolicy(a.ctx, &s3.PutBucketPolicyInput{Bucket: &name, Policy: aws.String(policy(name))}); err != nil {
			a.t.Fatalf("putting bucket policy: %v", err)
		}
	}
	a.t.Cleanup(func() { _, _ = a.s3.DeleteBucket(a.ctx, &s3.DeleteBucketInput{Bucket: &name}) })
	return name
}

// flowLogsOf returns the flow logs of one VPC, subnet or interface.
func (a *flowLogAWS) flowLogsOf(resourceID string) []ec2types.FlowLog {
	a.t.Helper()
	out, err := a.ec2.DescribeFlowLogs(a.ctx, &ec2.DescribeFlowLogsInput{
		Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{resourceID}}},
	})
	if err != nil {
		a.t.Fatalf("describing flow logs: %v", err)
	}
	return out.FlowLogs
}

// oneFlowLog checks that the resource has exactly one flow log.
func (a *flowLogAWS) oneFlowLog(resourceID string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := len(a.flowLogsOf(resourceID)); n != 1 {
			return fmt.Errorf("%s has %d flow logs, want 1", resourceID, n)
		}
		return nil
	}
}

// flRefused applies config, expects the error want, and checks that the
// refusal left no flow log on resourceID.
func flRefused(t *testing.T, a *flowLogAWS, resourceID, config string, want *regexp.Regexp) {
	t.Helper()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, ExpectError: want}},
	})
	a.expectNoFlowLog(resourceID)
}

// expectNoFlowLog fails the test when the resource has a flow log: a
// refused plan or apply must leave nothing behind.
func (a *flowLogAWS) expectNoFlowLog(resourceID string) {
	a.t.Helper()
	if fls := a.flowLogsOf(resourceID); len(fls) != 0 {
		a.t.Errorf("%s has %d flow log(s) after a refused plan, want none: %s", resourceID, len(fls), aws.ToString(fls[0].FlowLogId))
	}
}

// deliveryFailing makes the provider see AWS report every flow log as
// failing with "Access error". moto reports a delivery status once, at
// creation, so this is the way to test a flow log that starts failing.
type deliveryFailing struct{ on atomic.Bool }

func (d *deliveryFailing) install(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("testDeliveryFailing",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if o, ok := out.Result.(*ec2.DescribeFlowLogsOutput); ok && err == nil && d.on.Load() {
				for i := range o.FlowLogs {
					o.FlowLogs[i].DeliverLogsStatus = aws.String("FAILED")
					o.FlowLogs[i].DeliverLogsErrorMessage = aws.String("Access error")
				}
			}
			return out, md, err
		}), middleware.After)
}

// flowLogProviderFactories serve the provider with hooks: every provider
// data configured is recorded (Terraform starts the provider for each
// command), and AWS calls pass the given API options.
func flowLogProviderFactories(seen *providerDataLog, apiOptions ...func(*middleware.Stack) error) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"vpcflow": providerserver.NewProtocol6WithError(&vpcflowProvider{version: "test", configured: func(pd *providerData) {
			// Before any client is built: resources build theirs in Configure.
			pd.client.Config.APIOptions = append(pd.client.Config.APIOptions, apiOptions...)
			if seen != nil {
				seen.add(pd)
			}
		}}),
	}
}

// providerDataLog records the provider data of each provider process.
type providerDataLog struct {
	mu  sync.Mutex
	all []*providerData
}

func (l *providerDataLog) add(pd *providerData) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, pd)
}

func (l *providerDataLog) snapshot() []*providerData {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*providerData(nil), l.all...)
}

// hclList renders strings as an HCL list.
func hclList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
