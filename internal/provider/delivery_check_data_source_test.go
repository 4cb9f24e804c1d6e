package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

const (
	testAccount      = acctest.AccountID
	testRegion       = acctest.Region
	testLogGroupName = "/vpc/flow-logs"
)

var testLogGroupARN = fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", testRegion, testAccount, testLogGroupName)

// Documents shared by the delivery check tests, as a user would write them.
var (
	goodTrust = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"FlowLogs","Effect":"Allow",
		"Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"aws:SourceAccount":"%[1]s"},"ArnLike":{"aws:SourceArn":"arn:aws:ec2:%[2]s:%[1]s:vpc-flow-log/*"}}}]}`,
		testAccount, testRegion)
	nearMissTrust = `{"Version":"2012-10-17","Statement":{"Sid":"AllowFlowLogs","Effect":"Allow",
		"Principal":{"Service":"vpc-flow-log.amazonaws.com"},"Action":"sts:AssumeRole"}}`
	goodPermissions = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],
		"Resource":["arn:aws:logs:%s:%s:log-group:*"]}]}`, testRegion, testAccount)
	missingWildcardPermissions = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Deliver","Effect":"Allow",
		"Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],
		"Resource":"%s"}]}`, testLogGroupARN)
)

// testAccInlineDeliveryCheck checks delivery to the test log group from the
// good inline documents, with no boundary and no key, and the lines of body.
func testAccInlineDeliveryCheck(body string) string {
	return fmt.Sprintf(`
data "vpcflow_delivery_check" "test" {
  destination_type     = "cloud-watch-logs"
  destination_arn      = %q
  flow_log_account     = %q
  trust_policy         = %q
  permission_policies  = [%q]
  permissions_boundary = ""
  kms_key_arn          = ""
%s
}`, testLogGroupARN, testAccount, goodTrust, goodPermissions, body)
}

func TestAccDeliveryCheckDataSource_inlineValid(t *testing.T) {
	var providers configuredProviders
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers.factories(),
		Steps: []resource.TestStep{{
			Config: testAccInlineDeliveryCheck(""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
			},
			Check: func(*terraform.State) error {
				if n := providers.total(); n != 0 {
					return fmt.Errorf("an all-inline check made %d AWS calls, want none", n)
				}
				return nil
			},
		}},
	})
}

func TestAccDeliveryCheckDataSource_inlineNeedsNoCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// A dead endpoint: any AWS call would fail the read.
			Config: fmt.Sprintf(`
provider "vpcflow" {
  endpoint_url = "http://127.0.0.1:1"
  max_retries  = 0
}
data "vpcflow_delivery_check" "test" {
  destination_type     = "cloud-watch-logs"
  destination_arn      = %q
  trust_policy         = %q
  permission_policies  = [%q]
  permissions_boundary = ""
  kms_key_arn          = ""
}`, testLogGroupARN, nearMissTrust, missingWildcardPermissions),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestMatchResourceAttr("data.vpcflow_delivery_check.test", "findings.0.code", regexp.MustCompile(`^(TRUST|PERMISSION)_`)),
				resource.TestCheckResourceAttr("data.vpcflow_delivery_check.test", "findings.0.severity", "error"),
				findingWith("data.vpcflow_delivery_check.test", "trust_policy", regexp.MustCompile(`vpc-flow-logs\.amazonaws\.com`)),
				findingWith("data.vpcflow_delivery_check.test", "permission_policies", regexp.MustCompile(`:\*`)),
			),
		}},
	})
}

func TestAccDeliveryCheckDataSource_liveRole(t *testing.T) {
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	roleName := "flow-logs-near-miss"
	testAccRoleFixture(t, iam.NewFromConfig(cfg), roleName, nearMissTrust, "", map[string]string{"deliver": missingWildcardPermissions})
	createLogGroup(ctx, t, cloudwatchlogs.NewFromConfig(cfg), testLogGroupName)
	roleARN := fmt.Sprintf("arn:aws:iam::%s:role/%s", testAccount, roleName)

	var providers configuredProviders
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "vpcflow_delivery_check" "test" {
  destination_type = "cloud-watch-logs"
  destination_arn  = %q
  role_arn         = %q
}`, testLogGroupARN, roleARN),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				findingWith("data.vpcflow_delivery_check.test", "trust_policy", regexp.MustCompile(`AllowFlowLogs`)),
				findingWith("data.vpcflow_delivery_check.test", "permission_policies", regexp.MustCompile(`inline policy deliver`)),
				func(*terraform.State) error {
					if n := providers.maxCount("IAM.GetRole"); n != 1 {
						return fmt.Errorf("IAM.GetRole called at most %d times by one provider instance, want 1", n)
					}
					return nil
				},
			),
		}},
	})
}

func TestAccDeliveryCheckDataSource_liveBucketWrongPrefix(t *testing.T) {
	ctx := context.Background()
	client := s3.NewFromConfig(acctest.AWSConfig(t), func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "vpcflow-wrong-prefix"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
{"Sid":"AWSLogDeliveryWrite","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"s3:PutObject",
 "Resource":"arn:aws:s3:::%[1]s/logs/AWSLogs/%[2]s/*",
 "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":"%[2]s"}}},
{"Sid":"AWSLogDeliveryAclCheck","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:ListBucket"],
 "Resource":"arn:aws:s3:::%[1]s","Condition":{"StringEquals":{"aws:SourceAccount":"%[2]s"}}},
{"Sid":"DenyOthers","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::%[1]s/flows/*",
 "Condition":{"StringNotEquals":{"aws:PrincipalAccount":"%[2]s"}}}]}`, bucket, testAccount)
	if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "vpcflow_delivery_check" "test" {
  destination_type = "s3"
  destination_arn  = "arn:aws:s3:::%s/flows"
}`, bucket),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.vpcflow_delivery_check.test", tfjsonpath.New("valid"), knownvalue.Bool(false)),
			},
			Check: findingWith("data.vpcflow_delivery_check.test", "bucket_policy", regexp.MustCompile(`flows/AWSLogs/`+testAccount)),
		}},
	})
}

func TestAccDeliveryCheckDataSource_missingRole(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "vpcflow_delivery_check" "test" {
  destination_type = "cloud-watch-logs"
  destination_arn  = %q
  role_arn         = "arn:aws:iam::%s:role/does-not-exist"
}`, testLogGroupARN, testAccount),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.vpcflow_delivery_check.test", "valid", "false"),
				resource.TestCheckResourceAttr("data.vpcflow_delivery_check.test", "findings.0.code", "ROLE_NOT_FOUND"),
			),
		}},
	})
}

func TestAccCheckTrustPolicyFunction(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`output "ok" { value = provider::vpcflow::check_trust_policy(%q) }`, goodTrust),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("ok", knownvalue.Bool(true)),
				},
			},
			{
				Config:      fmt.Sprintf(`output "ok" { value = provider::vpcflow::check_trust_policy(%q) }`, nearMissTrust),
				ExpectError: regexp.MustCompile(`(?s)vpc-flow-log\.amazonaws\.com.*vpc-flow-logs\.amazonaws\.com`),
			},
			{
				Config:      `output "ok" { value = provider::vpcflow::check_trust_policy("{\"Statement\": [") }`,
				ExpectError: regexp.MustCompile(`POLICY_`),
			},
		},
	})
}

// findingWith checks that some finding about the attribute has a message or fix matching re.
func findingWith(name, attribute string, re *regexp.Regexp) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		a := rs.Primary.Attributes
		var seen []string
		for i := 0; a[fmt.Sprintf("findings.%d.code", i)] != ""; i++ {
			p := fmt.Sprintf("findings.%d.", i)
			seen = append(seen, a[p+"code"]+" on "+a[p+"attribute"])
			if a[p+"attribute"] == attribute && (re.MatchString(a[p+"message"]) || re.MatchString(a[p+"fix"])) {
				return nil
			}
		}
		return fmt.Errorf("no finding on %s matching %s; findings: %v", attribute, re, seen)
	}
}

func createLogGroup(ctx context.Context, t *testing.T, client *cloudwatchlogs.Client, name string) {
	t.Helper()
	_, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
	if err != nil && !regexp.MustCompile(`ResourceAlreadyExists`).MatchString(err.Error()) {
		t.Fatalf("creating log group %s: %v", name, err)
	}
}
