package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// Configurations as users bring them from hashicorp/aws, with only the
// resource types renamed. The shapes are those of terraform-aws-vpc's
// vpc-flow-logs.tf (v6): resources behind count, the log group made in the
// same configuration, a role whose policy allows the four delivery actions
// on "*" (no logs:CreateLogGroup), iam_role_arn = "" for S3, a dynamic
// destination_options block, region on the flow log and the log group, and
// tags from merge().

// tfAWSVPCRolePermissions is the policy terraform-aws-vpc attaches to its
// flow log role.
const tfAWSVPCRolePermissions = `{"Version":"2012-10-17","Statement":[{"Sid":"AWSVPCFlowLogsPushToCloudWatch","Effect":"Allow",
  "Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],"Resource":"*"}]}`

// tfAWSVPCTrust is terraform-aws-vpc's trust policy, without conditions.
const tfAWSVPCTrust = `{"Version":"2012-10-17","Statement":[{"Sid":"AWSVPCFlowLogsAssumeRole","Effect":"Allow",
  "Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func tfAWSVPCCloudWatchConfig(vpc, role, group string) string {
	return fmt.Sprintf(`
locals {
  enable_flow_log           = true
  flow_log_destination_type = "cloud-watch-logs"
  tags                      = { Terraform = "true", Environment = "dev" }
}

%[5]s

resource "vpcflow_log_group" "flow_log" {
  count = local.enable_flow_log ? 1 : 0

  region            = %[4]q
  name              = "/aws/vpc-flow-log/%[3]s"
  retention_in_days = null
  kms_key_id        = null
  skip_destroy      = false
  log_group_class   = null

  tags = merge(local.tags, { Name = "flow-log" })
}
`, vpc, role, group, acctest.Region,
		tfAWSVPCFlowLog("count = local.enable_flow_log ? 1 : 0", vpc, "vpcflow_log_group.flow_log[0].arn", fmt.Sprintf("%q", role), `merge(local.tags, { Name = "flow-log" })`))
}

// TestAccFlowLog_dropInCloudWatch is terraform-aws-vpc's CloudWatch setup:
// the log group is created in the same apply, so the role needs no
// logs:CreateLogGroup and the plan must not ask for it.
func TestAccFlowLog_dropInCloudWatch(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	role := a.role(tfAWSVPCTrust, tfAWSVPCRolePermissions, "")
	group := flName("vpc")
	config := tfAWSVPCCloudWatchConfig(vpc, role, group)
	address := "vpcflow_flow_log.this[0]"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("deliver_logs_status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"Terraform": knownvalue.StringExact("true"), "Environment": knownvalue.StringExact("dev"), "Name": knownvalue.StringExact("flow-log"),
					})),
					statecheck.ExpectKnownValue("vpcflow_log_group.flow_log[0]", tfjsonpath.New("retention_in_days"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue("vpcflow_log_group.flow_log[0]", tfjsonpath.New("never_expire"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

// TestAccFlowLog_dropInCloudWatchGroupNeverCreated: the same role with a log
// group that nobody creates is refused during apply, before the flow log
// exists, since VPC Flow Logs would need logs:CreateLogGroup.
func TestAccFlowLog_dropInCloudWatchGroupNeverCreated(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	role := a.role(tfAWSVPCTrust, tfAWSVPCRolePermissions, "")
	missing := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/vpc-flow-log/%s", acctest.Region, acctest.AccountID, flName("never-made"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      flConfig("", flCloudWatch(vpc, missing, role, "")),
			ExpectError: regexp.MustCompile(`(?s)PERMISSION_ACTION_MISSING.*logs:CreateLogGroup`),
			Check: func(*terraform.State) error {
				a.expectNoFlowLog(vpc)
				return nil
			},
		}},
	})
	a.expectNoFlowLog(vpc)
}

func tfAWSVPCS3Config(vpc, bucket string, tags string) string {
	return `
locals {
  flow_log_destination_type = "s3"
}
` + tfAWSVPCFlowLog("", vpc, fmt.Sprintf("%q", "arn:aws:s3:::"+bucket), `""`, tags)
}

// tfAWSVPCFlowLog is terraform-aws-vpc's flow log resource; count is its
// first line ("" for none), destination, role and tags are expressions.
func tfAWSVPCFlowLog(count, vpc, destination, role, tags string) string {
	return fmt.Sprintf(`
resource "vpcflow_flow_log" "this" {
  %s

  region                     = %q
  log_destination_type       = local.flow_log_destination_type
  log_destination            = %s
  log_format                 = null
  iam_role_arn               = %s
  deliver_cross_account_role = null
  traffic_type               = "ALL"
  vpc_id                     = %q
  max_aggregation_interval   = 600

  dynamic "destination_options" {
    for_each = local.flow_log_destination_type == "s3" ? [true] : []
    content {
      file_format                = "plain-text"
      hive_compatible_partitions = false
      per_hour_partition         = false
    }
  }

  tags = %s
}
`, count, acctest.Region, destination, role, vpc, tags)
}

// TestAccFlowLog_dropInS3 is terraform-aws-vpc's S3 flow log: iam_role_arn =
// "" is unset, the dynamic destination_options block holds the defaults, and
// tags = {} plans nothing, after apply and after an import.
func TestAccFlowLog_dropInS3(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	bucket := a.bucket(func(b string) string { return flDoc(flBucketPolicy, b, "AWSLogs", "") })
	config := tfAWSVPCS3Config(vpc, bucket, "{}")
	address := "vpcflow_flow_log.this"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("iam_role_arn"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
				Check: func(*terraform.State) error {
					fls := a.flowLogsOf(vpc)
					if len(fls) != 1 {
						return fmt.Errorf("%s has %d flow logs, want 1", vpc, len(fls))
					}
					if got := aws.ToString(fls[0].DeliverLogsPermissionArn); got != "" {
						return fmt.Errorf("flow log was created with role %q; iam_role_arn = \"\" must send none", got)
					}
					return nil
				},
			},
			{
				Config:          config,
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

// TestAccFlowLog_importWildcardDestination: a configuration whose log group
// ARN ends in ":*" (as aws_cloudwatch_log_group.arn did before v4) imports
// without a replacement; only the state's spelling is updated.
func TestAccFlowLog_importWildcardDestination(t *testing.T) {
	_, vpc, logGroup, role := flCloudWatchFixture(t)
	config := flConfig("", flCloudWatch(vpc, logGroup+":*", role, ""))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:             config,
				ResourceName:       flResource,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(flResource, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// TestAccFlowLog_logGroupName answers the AWS provider v5 argument with the fix.
func TestAccFlowLog_logGroupName(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: flConfig("", `  vpc_id         = "vpc-0123456789abcdef0"
  traffic_type   = "ALL"
  iam_role_arn   = "arn:aws:iam::123456789012:role/flow-logs"
  log_group_name = "/aws/vpc/flow-logs"`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)log_group_name is not supported: use log_destination.*log_destination\s+=\s+"arn:aws:logs:REGION:ACCOUNT:log-group:/aws/vpc/flow-logs"`),
		}},
	})
}

// TestAccFlowLog_defaultTags: the provider's default_tags reach AWS and
// tags_all, a resource tag wins on the same key, and the plan after apply
// is empty.
func TestAccFlowLog_defaultTags(t *testing.T) {
	a, vpc, logGroup, role := flCloudWatchFixture(t)
	providerBody := `default_tags {
    tags = { Owner = "network", Environment = "default" }
  }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: flConfig(providerBody, flCloudWatch(vpc, logGroup, role, `  tags = { Environment = "prod" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"Environment": knownvalue.StringExact("prod"),
					})),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"Environment": knownvalue.StringExact("prod"), "Owner": knownvalue.StringExact("network"),
					})),
				},
				Check: func(*terraform.State) error {
					fls := a.flowLogsOf(vpc)
					if len(fls) != 1 {
						return fmt.Errorf("%s has %d flow logs, want 1", vpc, len(fls))
					}
					got := map[string]string{}
					for _, tag := range fls[0].Tags {
						got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
					}
					if len(got) != 2 || got["Owner"] != "network" || got["Environment"] != "prod" {
						return fmt.Errorf("AWS tags = %v, want Owner=network and Environment=prod", got)
					}
					return nil
				},
			},
			{
				// A new default tag is an in-place update of tags_all only.
				Config: flConfig(`default_tags {
    tags = { Owner = "network", Environment = "default", CostCenter = "42" }
  }`, flCloudWatch(vpc, logGroup, role, `  tags = { Environment = "prod" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(flResource, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("tags_all").AtMapKey("CostCenter"), knownvalue.StringExact("42")),
				},
			},
		},
	})
}

// TestAccFlowLog_firehoseCrossAccount is AWS's cross-account Firehose setup
// as the AWS provider's documentation writes it: iam_role_arn is the source
// account's role, deliver_cross_account_role the destination account's,
// which the provider's credentials cannot read. The plan checks the source
// role and neither warns that the destination role is missing nor fails.
func TestAccFlowLog_firehoseCrossAccount(t *testing.T) {
	const destAccount = "210987654321"
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	destRole := "arn:aws:iam::" + destAccount + ":role/AWSLogDeliveryFirehoseCrossAccountRole"
	trust := flDoc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},
  "Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"%[1]s"}}}]}`)
	source := a.role(trust, flDoc(`{"Version":"2012-10-17","Statement":[
 {"Sid":"PassSelf","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::%[1]s:role/*","Condition":{"StringEquals":{"iam:PassedToService":"delivery.logs.amazonaws.com"}}},
 {"Sid":"LogDelivery","Effect":"Allow","Action":["logs:CreateLogDelivery","logs:DeleteLogDelivery","logs:ListLogDeliveries","logs:GetLogDelivery"],"Resource":"*"},
 {"Sid":"AssumeDestination","Effect":"Allow","Action":"sts:AssumeRole","Resource":"%[3]s"}]}`, destRole), "")
	stream := fmt.Sprintf("arn:aws:firehose:%s:%s:deliverystream/%s", acctest.Region, destAccount, flName("flows"))
	config := flConfig("", fmt.Sprintf(`  vpc_id                     = %q
  traffic_type               = "ALL"
  log_destination_type       = "kinesis-data-firehose"
  log_destination            = %q
  iam_role_arn               = %q
  deliver_cross_account_role = %q`, vpc, stream, source, destRole))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(flResource, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_cross_account_role"), knownvalue.StringExact(destRole)),
				},
			},
			{
				// A source role that may not assume the destination role fails the plan on iam_role_arn.
				Config: flConfig("", fmt.Sprintf(`  vpc_id                     = %q
  traffic_type               = "ALL"
  log_destination_type       = "kinesis-data-firehose"
  log_destination            = %q
  iam_role_arn               = %q
  deliver_cross_account_role = "arn:aws:iam::%s:role/another-role"`, vpc, stream, source, destAccount)),
				ExpectError: regexp.MustCompile(`(?s)iam_role_arn.*PERMISSION_RESOURCE_MISMATCH`),
			},
		},
	})
}

// TestAccFlowLog_region: the AWS provider v6's per-resource region. The
// flow log is created, read, imported (ID@REGION) and deleted in its own
// region, not the provider's.
func TestAccFlowLog_region(t *testing.T) {
	const other = "eu-west-2"
	a := newFlowLogAWS(t)
	regional := ec2.NewFromConfig(acctest.AWSConfig(t), func(o *ec2.Options) { o.Region = other })
	out, err := regional.CreateVpc(a.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(out.Vpc.VpcId)
	t.Cleanup(func() { _, _ = regional.DeleteVpc(a.ctx, &ec2.DeleteVpcInput{VpcId: &vpc}) })
	bucket := a.bucket(func(b string) string {
		return fmt.Sprintf(flBucketPolicy, acctest.AccountID, other, b, "AWSLogs", "")
	})
	flowLogsIn := func() int {
		got, err := regional.DescribeFlowLogs(a.ctx, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{vpc}}}})
		if err != nil {
			t.Fatal(err)
		}
		return len(got.FlowLogs)
	}
	config := flConfig("", fmt.Sprintf(`  region               = %q
  vpc_id               = %q
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::%s"

  destination_options {
    file_format = "plain-text"
  }`, other, vpc, bucket))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := flowLogsIn(); n != 0 {
				return fmt.Errorf("%d flow logs left in %s", n, other)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("region"), knownvalue.StringExact(other)),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("arn"), knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:ec2:eu-west-2:`))),
				},
				Check: func(*terraform.State) error {
					if n := flowLogsIn(); n != 1 {
						return fmt.Errorf("%d flow logs in %s, want 1", n, other)
					}
					return nil
				},
			},
			{
				Config:          config,
				ResourceName:    flResource,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[flResource].Primary.ID + "@" + other, nil
				},
			},
		},
	})
}
