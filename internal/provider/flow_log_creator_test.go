package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// A bucket policy with no statement for the log delivery service works only
// if AWS can add one when the flow log is created, with the credentials of
// the identity creating it (s3:GetBucketPolicy and s3:PutBucketPolicy). The
// provider reads that identity with sts:GetCallerIdentity and evaluates its
// policies.
//
// What moto (5.x) does here: sts:GetCallerIdentity answers with the identity
// the credentials belong to, an assumed-role session for keys from
// sts:AssumeRole and the IAM user for keys made with iam:CreateAccessKey; any
// other keys are "arn:aws:sts::ACCOUNT:user/moto", which no IAM user
// matches. moto evaluates no IAM policy and adds no statement to the bucket
// policy, so the tests show the plan's decision, not AWS's.

// flBucketTLSOnly is a bucket policy with no delivery statement, as many
// baseline modules write for every bucket.
const flBucketTLSOnly = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",
  "Resource":["arn:aws:s3:::%[3]s","arn:aws:s3:::%[3]s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`

// flTrustAccount lets the account's principals assume a role, as the role
// a CI system runs Terraform with.
const flTrustAccount = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%[1]s:root"},"Action":"sts:AssumeRole"}]}`

// flDeployerNoBucketPolicy may create flow logs and read buckets, but not change bucket policies.
const flDeployerNoBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["ec2:*FlowLogs","ec2:Describe*","logs:*","iam:Get*","iam:List*","sts:GetCallerIdentity"],"Resource":"*"},
 {"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`

// flDeployerBucketAdmin may also change bucket policies.
const flDeployerBucketAdmin = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["ec2:*FlowLogs","ec2:Describe*","logs:*","iam:Get*","iam:List*","sts:GetCallerIdentity"],"Resource":"*"},
 {"Effect":"Allow","Action":["s3:GetBucketPolicy","s3:PutBucketPolicy","s3:ListBucket"],"Resource":"arn:aws:s3:::*"}]}`

func flS3Destination(vpc, bucket string) string {
	return fmt.Sprintf(`  vpc_id               = %q
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::%s"`, vpc, bucket)
}

func flAssumeRole(roleARN string) string {
	return fmt.Sprintf("assume_role {\n    role_arn     = %q\n    session_name = \"terraform\"\n  }", roleARN)
}

// TestAccFlowLog_bucketPolicyCreatorMayNot: Terraform runs as a role that
// may not s3:PutBucketPolicy, so AWS cannot add the delivery statements and
// the plan fails, naming the role and the statement to add.
func TestAccFlowLog_bucketPolicyCreatorMayNot(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	bucket := a.bucket(func(b string) string { return flDoc(flBucketTLSOnly, b) })
	role := a.role(flDoc(flTrustAccount), flDeployerNoBucketPolicy, "")
	roleName := role[len("arn:aws:iam::"+acctest.AccountID+":role/"):]
	flRefused(t, a, vpc, flConfig(flAssumeRole(role), flS3Destination(vpc, bucket)),
		flExpectFinding("DESTINATION_BUCKET_POLICY_INCOMPLETE",
			"the bucket policy of "+bucket+" has no statement for the log delivery service",
			"s3:PutObject the log files under arn:aws:s3:::"+bucket+"/AWSLogs/"+acctest.AccountID+"/*",
			"arn:aws:sts::"+acctest.AccountID+":assumed-role/"+roleName+"/terraform may not s3:PutBucketPolicy on arn:aws:s3:::"+bucket,
			"AWS cannot add them",
			`"Sid": "AWSLogDeliveryWrite"`))
}

// TestAccFlowLog_bucketPolicyCreatorMay: the same bucket, with Terraform
// running as an IAM user whose group may change bucket policies: AWS adds
// the statements at creation, so the plan passes and the flow log is made.
// The data source shows the check has no finding at all, where the default
// moto identity (whose policies cannot be read) gets the warning.
func TestAccFlowLog_bucketPolicyCreatorMay(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	bucket := a.bucket(func(b string) string { return flDoc(flBucketTLSOnly, b) })
	keyID, secret := a.userWithGroupPolicy(flDeployerBucketAdmin)
	check := fmt.Sprintf(`
data "vpcflow_delivery_check" "test" {
  destination_type = "s3"
  destination_arn  = "arn:aws:s3:::%s"
}
`, bucket)

	// The default identity first, before the user's keys are in the environment.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: check,
			Check: findingWith("data.vpcflow_delivery_check.test", "bucket_policy", regexp.MustCompile(
				regexp.QuoteMeta("could not be determined: Terraform runs as arn:aws:sts::"+acctest.AccountID+":user/moto, which is neither an IAM user nor an IAM role session"))),
		}},
	})

	t.Setenv("AWS_ACCESS_KEY_ID", keyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: check + flConfig("", flS3Destination(vpc, bucket)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(true)),
			},
			Check: a.oneFlowLog(vpc),
		}},
	})
}

// userWithGroupPolicy creates an IAM user in a group with a managed policy
// attached, and an access key of the user.
func (a *flowLogAWS) userWithGroupPolicy(document string) (keyID, secret string) {
	a.t.Helper()
	name := flName("deployer")
	must := func(what string, err error) {
		if err != nil {
			a.t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := a.iam.CreateUser(a.ctx, &iam.CreateUserInput{UserName: &name})
	must("creating user", err)
	_, err = a.iam.CreateGroup(a.ctx, &iam.CreateGroupInput{GroupName: &name})
	must("creating group", err)
	_, err = a.iam.AddUserToGroup(a.ctx, &iam.AddUserToGroupInput{GroupName: &name, UserName: &name})
	must("adding user to group", err)
	p, err := a.iam.CreatePolicy(a.ctx, &iam.CreatePolicyInput{PolicyName: &name, PolicyDocument: &document})
	must("creating policy", err)
	_, err = a.iam.AttachGroupPolicy(a.ctx, &iam.AttachGroupPolicyInput{GroupName: &name, PolicyArn: p.Policy.Arn})
	must("attaching policy", err)
	k, err := a.iam.CreateAccessKey(a.ctx, &iam.CreateAccessKeyInput{UserName: &name})
	must("creating access key", err)
	a.t.Cleanup(func() {
		_, _ = a.iam.DeleteAccessKey(a.ctx, &iam.DeleteAccessKeyInput{UserName: &name, AccessKeyId: k.AccessKey.AccessKeyId})
		_, _ = a.iam.DetachGroupPolicy(a.ctx, &iam.DetachGroupPolicyInput{GroupName: &name, PolicyArn: p.Policy.Arn})
		_, _ = a.iam.DeletePolicy(a.ctx, &iam.DeletePolicyInput{PolicyArn: p.Policy.Arn})
		_, _ = a.iam.RemoveUserFromGroup(a.ctx, &iam.RemoveUserFromGroupInput{GroupName: &name, UserName: &name})
		_, _ = a.iam.DeleteGroup(a.ctx, &iam.DeleteGroupInput{GroupName: &name})
		_, _ = a.iam.DeleteUser(a.ctx, &iam.DeleteUserInput{UserName: &name})
	})
	return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
}
