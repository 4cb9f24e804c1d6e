package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

const flResource = "vpcflow_flow_log.test"

// flConfig renders one flow log; providerBody goes into a provider block.
func flConfig(providerBody, body string) string {
	provider := ""
	if providerBody != "" {
		provider = "provider \"vpcflow\" {\n  " + providerBody + "\n}\n\n"
	}
	return provider + "resource \"vpcflow_flow_log\" \"test\" {\n" + body + "\n}\n"
}

func flCloudWatch(vpc, logGroupARN, roleARN, extra string) string {
	return fmt.Sprintf(`  vpc_id          = %q
  traffic_type    = "ALL"
  log_destination = %q
  iam_role_arn    = %q
%s`, vpc, logGroupARN, roleARN, extra)
}

// flCloudWatchFixture is a VPC, a log group and a role that can deliver to it.
func flCloudWatchFixture(t *testing.T) (a *flowLogAWS, vpc, logGroup, role string) {
	return flCloudWatchFixtureTrusting(t, flTrustGood)
}

// flCloudWatchFixtureTrusting is flCloudWatchFixture with the role's trust
// policy rendered from trust.
func flCloudWatchFixtureTrusting(t *testing.T, trust string) (a *flowLogAWS, vpc, logGroup, role string) {
	a = newFlowLogAWS(t)
	vpc = a.vpc()
	logGroup = a.logGroup()
	role = a.role(flDoc(trust), flDoc(flPermissions, logGroup, ":*"), "")
	return a, vpc, logGroup, role
}

func TestAccFlowLog_basic(t *testing.T) {
	a, vpc, logGroup, role := flCloudWatchFixture(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: flConfig("", flCloudWatch(vpc, logGroup, role, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(flResource, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^fl-[0-9a-f]+$`))),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("arn"),
						knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/fl-[0-9a-f]+$`))),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("log_destination_type"), knownvalue.StringExact("cloud-watch-logs")),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("log_destination"), knownvalue.StringExact(logGroup)),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("max_aggregation_interval"), knownvalue.Int64Exact(600)),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("log_format"), knownvalue.StringExact(
						"${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}")),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_status"), knownvalue.StringExact("SUCCESS")),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_error"), knownvalue.Null()),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_root_cause"), knownvalue.Null()),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("tags"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					fls := a.flowLogsOf(vpc)
					if len(fls) != 1 {
						return fmt.Errorf("%s has %d flow logs, want 1", vpc, len(fls))
					}
					if got := aws.ToString(fls[0].DeliverLogsPermissionArn); got != role {
						return fmt.Errorf("flow log role = %s, want %s", got, role)
					}
					return nil
				},
			},
			testAccImportStep(flResource, ""),
		},
	})
}

func TestAccFlowLog_logGroupARNWithWildcard(t *testing.T) {
	// aws_cloudwatch_log_group.arn used to end with ":*"; the same log group
	// with and without it is no change.
	_, vpc, logGroup, role := flCloudWatchFixture(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: flConfig("", flCloudWatch(vpc, logGroup+":*", role, "")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(flResource, tfjsonpath.New("log_destination"), knownvalue.StringExact(logGroup+":*")),
				statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_status"), knownvalue.StringExact("SUCCESS")),
			},
		}},
	})
}

func TestAccFlowLog_s3(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	bucket := a.bucket(func(b string) string {
		return flDoc(flBucketPolicy, b, "AWSLogs/aws-account-id="+acctest.AccountID, "")
	})
	// moto gap: moto looks the whole "BUCKET/PREFIX" up as a bucket name and
	// refuses a destination with a prefix ("does not exist"), so this test
	// delivers to the bucket's root. Prefixes are checked at plan time
	// (TestAccFlowLog_bucketPolicyWrongPrefix).
	config := flConfig("", fmt.Sprintf(`  vpc_id                   = %q
  traffic_type             = "REJECT"
  log_destination_type     = "s3"
  log_destination          = "arn:aws:s3:::%s"
  max_aggregation_interval = 60
  log_format               = "$${version} $${vpc-id} $${srcaddr} $${dstaddr} $${action} $${flow-direction}"

  destination_options {
    file_format                = "parquet"
    hive_compatible_partitions = true
    per_hour_partition         = true
  }`, vpc, bucket))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("log_destination_type"), knownvalue.StringExact("s3")),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("iam_role_arn"), knownvalue.Null()),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("max_aggregation_interval"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("log_format"),
						knownvalue.StringExact("${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action} ${flow-direction}")),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("destination_options"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"file_format":                knownvalue.StringExact("parquet"),
						"hive_compatible_partitions": knownvalue.Bool(true),
						"per_hour_partition":         knownvalue.Bool(true),
					})),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_status"), knownvalue.StringExact("SUCCESS")),
				},
			},
			{
				ResourceName:      flResource,
				ImportState:       true,
				ImportStateVerify: true,
				// moto gap: DescribeFlowLogs leaves out DestinationOptions, so an
				// import cannot know them. AWS returns them.
				// moto drops destination options; an imported flow log holds
				// iam_role_arn = "" and tags = {} until AWS reports values.
				ImportStateVerifyIgnore: []string{"destination_options", "iam_role_arn", "tags"},
			},
		},
	})
}

func TestAccFlowLog_s3MissingBucket(t *testing.T) {
	// CreateFlowLogs reports a missing bucket as an Unsuccessful item, not
	// an error. With validation off nothing stops it before AWS does.
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	flRefused(t, a, vpc, flConfig(`validation = "off"`, flS3Destination(vpc, flName("no-such-bucket"))),
		flExpectText(`(?s)creating Flow Log.*does not exist.*bucket in log_destination does not exist.*Fix:.*DESTINATION_NOT_FOUND`))
}

func TestAccFlowLog_firehose(t *testing.T) {
	// A stream in the flow log's own account needs no role. moto gap: moto
	// has no check of the stream (it exists or not) and never fails delivery.
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	stream := fmt.Sprintf("arn:aws:firehose:%s:%s:deliverystream/%s", acctest.Region, acctest.AccountID, flName("flows"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: flConfig("", fmt.Sprintf(`  vpc_id               = %q
  traffic_type         = "ACCEPT"
  log_destination_type = "kinesis-data-firehose"
  log_destination      = %q`, vpc, stream)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("log_destination_type"), knownvalue.StringExact("kinesis-data-firehose")),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("log_destination"), knownvalue.StringExact(stream)),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("iam_role_arn"), knownvalue.Null()),
				},
			},
			{
				ResourceName:      flResource,
				ImportState:       true,
				ImportStateVerify: true,
				// An imported flow log holds iam_role_arn = "" and tags = {}
				// until AWS reports values; both mean unset.
				ImportStateVerifyIgnore: []string{"iam_role_arn", "tags"},
			},
		},
	})
}

func TestAccFlowLog_update(t *testing.T) {
	a, vpc, logGroup, role := flCloudWatchFixture(t)
	var firstID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: flConfig("", flCloudWatch(vpc, logGroup, role, `  tags = { Name = "flows", team = "network" }`)),
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources[flResource].Primary.ID
					return nil
				},
			},
			{
				Config: flConfig("", flCloudWatch(vpc, logGroup, role, `  tags = { Name = "flows-prod", owner = "sec" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(flResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_status"), knownvalue.StringExact("SUCCESS")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"Name": knownvalue.StringExact("flows-prod"), "owner": knownvalue.StringExact("sec"),
					})),
				},
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources[flResource].Primary.ID; id != firstID {
						return fmt.Errorf("tags change replaced the flow log: %s then %s", firstID, id)
					}
					return expectFlowLogTags(a, vpc, map[string]string{"Name": "flows-prod", "owner": "sec"})
				},
			},
		},
	})
}

func TestAccFlowLog_replace(t *testing.T) {
	_, vpc, logGroup, role := flCloudWatchFixture(t)
	sameID := statecheck.CompareValue(compare.ValuesDiffer())
	config := func(traffic string) string {
		return flConfig("", strings.Replace(flCloudWatch(vpc, logGroup, role, ""), `"ALL"`, `"`+traffic+`"`, 1))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            config("ALL"),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(flResource, tfjsonpath.New("id"))},
			},
			{
				Config: config("REJECT"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(flResource, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(flResource, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("traffic_type"), knownvalue.StringExact("REJECT")),
				},
			},
		},
	})
}

func TestAccFlowLog_disappears(t *testing.T) {
	a, vpc, logGroup, role := flCloudWatchFixture(t)
	config := flConfig("", flCloudWatch(vpc, logGroup, role, ""))
	read := &readWarnings{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		// The next apply creates it again, and only once.
		Steps: testAccDisappearsSteps(t, read, newFlowLogResource, flResource, config, conns.Settings{}, a.oneFlowLog(vpc)),
	})
}

func TestAccFlowLog_tags(t *testing.T) {
	a, vpc, logGroup, role := flCloudWatchFixture(t)
	withTags := func(tags string) string { return flConfig("", flCloudWatch(vpc, logGroup, role, tags)) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: withTags(`  tags = { key1 = "value1" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					testAccStateTags(flResource, "tags", map[string]string{"key1": "value1"}),
				},
				Check: func(*terraform.State) error { return expectFlowLogTags(a, vpc, map[string]string{"key1": "value1"}) },
			},
			testAccImportStep(flResource, ""),
			{
				Config: withTags(`  tags = { key1 = "value1updated", key2 = "value2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(flResource, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					return expectFlowLogTags(a, vpc, map[string]string{"key1": "value1updated", "key2": "value2"})
				},
			},
			{
				Config: withTags(`  tags = { key2 = "value2" }`),
				Check:  func(*terraform.State) error { return expectFlowLogTags(a, vpc, map[string]string{"key2": "value2"}) },
			},
			{
				Config: withTags(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(flResource, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{testAccStateTags(flResource, "tags", nil)},
				Check:             func(*terraform.State) error { return expectFlowLogTags(a, vpc, map[string]string{}) },
			},
		},
	})
}

func expectFlowLogTags(a *flowLogAWS, vpc string, want map[string]string) error {
	fls := a.flowLogsOf(vpc)
	if len(fls) != 1 {
		return fmt.Errorf("%s has %d flow logs, want 1", vpc, len(fls))
	}
	got := tagMap(fls[0].Tags, func(tag ec2types.Tag) (string, string) { return aws.ToString(tag.Key), aws.ToString(tag.Value) })
	return sameTags("flow log of "+vpc, got, want)
}

// flExpectText compiles a pattern for diagnostic text. Terraform wraps
// diagnostics at spaces, so a space matches any run of white space.
func flExpectText(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

// Plan-time refusals: each names the finding, and nothing is created.

// flExpectFinding matches the diagnostic of a finding: its summary, then the
// fragments in order.
func flExpectFinding(code string, fragments ...string) *regexp.Regexp {
	parts := []string{regexp.QuoteMeta("Flow log delivery will fail: " + code)}
	for _, f := range fragments {
		parts = append(parts, regexp.QuoteMeta(f))
	}
	return flExpectText(`(?s)` + strings.Join(parts, ".*"))
}

func TestAccFlowLog_trustPrincipalTypo(t *testing.T) {
	a, vpc, logGroup, role := flCloudWatchFixtureTrusting(t, flTrustWrongPrincipal)
	flRefused(t, a, vpc, flConfig("", flCloudWatch(vpc, logGroup, role, "")),
		flExpectFinding("TRUST_WRONG_SERVICE_PRINCIPAL", "iam_role_arn", `"vpc-flow-log.amazonaws.com"`, `Fix: "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}`))
}

func TestAccFlowLog_permissionsWithoutLogStreams(t *testing.T) {
	// "log-group:NAME" without ":*" does not cover the log streams
	// PutLogEvents writes to: the classic silent failure.
	a := newFlowLogAWS(t)
	vpc, logGroup := a.vpc(), a.logGroup()
	role := a.role(flDoc(flTrustGood), flDoc(flPermissions, logGroup, ""), "")
	flRefused(t, a, vpc, flConfig("", flCloudWatch(vpc, logGroup, role, "")),
		flExpectFinding("PERMISSION_LOG_GROUP_MISSING_WILDCARD", "iam_role_arn", `statement "Deliver"`, `without ":*"`, `Fix: "Resource":`, logGroup+`:*"`))
}

func TestAccFlowLog_boundaryExcludesLogs(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc, logGroup := a.vpc(), a.logGroup()
	role := a.role(flDoc(flTrustGood), flDoc(flPermissions, logGroup, ":*"), flBoundaryWithoutLogs)
	flRefused(t, a, vpc, flConfig("", flCloudWatch(vpc, logGroup, role, "")),
		flExpectFinding("PERMISSION_BOUNDARY_BLOCKS", "iam_role_arn", "permissions boundary", "logs:PutLogEvents", "Fix: Add to the permissions boundary"))
}

func TestAccFlowLog_bucketPolicyExplicitDeny(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	bucket := a.bucket(func(b string) string {
		return flDoc(flBucketPolicy, b, "AWSLogs/"+acctest.AccountID, flDoc(flBucketDenyDelivery, b))
	})
	flRefused(t, a, vpc, flConfig("", flS3Destination(vpc, bucket)),
		flExpectFinding("DESTINATION_BUCKET_EXPLICIT_DENY", "log_destination", `statement "DenyServicesWrites"`, "explicit deny"))
}

func TestAccFlowLog_bucketPolicyWrongPrefix(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	// The policy allows the "flows/" prefix; the flow log writes under "network/".
	bucket := a.bucket(func(b string) string {
		return flDoc(flBucketPolicy, b, "flows/AWSLogs/"+acctest.AccountID, "")
	})
	flRefused(t, a, vpc, flConfig("", flS3Destination(vpc, bucket+"/network")),
		flExpectFinding("DESTINATION_BUCKET_PREFIX_MISMATCH", "log_destination", `prefix "network/"`,
			`Fix: "Resource": "arn:aws:s3:::`+bucket+"/network/AWSLogs/"+acctest.AccountID+`/*"`))
}

// The provider's validation setting.

func TestAccFlowLog_validationWarn(t *testing.T) {
	// The same broken role as TestAccFlowLog_trustPrincipalTypo: the plan
	// warns and the apply creates the flow log (which AWS would leave
	// undelivered).
	a, vpc, logGroup, role := flCloudWatchFixtureTrusting(t, flTrustWrongPrincipal)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: flConfig(`validation = "warn"`, flCloudWatch(vpc, logGroup, role, "")),
			Check:  a.oneFlowLog(vpc),
		}},
	})
}

func TestAccFlowLog_validationOff(t *testing.T) {
	a, vpc, logGroup, role := flCloudWatchFixtureTrusting(t, flTrustWrongPrincipal)
	seen := &providerDataLog{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: flowLogProviderFactories(seen),
		Steps: []resource.TestStep{{
			Config: flConfig(`validation = "off"`, flCloudWatch(vpc, logGroup, role, "")),
			Check: resource.ComposeTestCheckFunc(func(*terraform.State) error {
				for _, pd := range seen.snapshot() {
					if n := pd.client.Calls.Count("IAM.GetRole"); n != 0 {
						return fmt.Errorf("validation = \"off\" read the role %d times, want none", n)
					}
				}
				return nil
			}, a.oneFlowLog(vpc)),
		}},
	})
}

func TestAccFlowLog_checkMovedToApply(t *testing.T) {
	// The role ARN comes from a resource created in the same apply, so the
	// plan cannot check it: the check runs in Create, before CreateFlowLogs,
	// and the broken role fails the apply with nothing created.
	a, vpc, logGroup, role := flCloudWatchFixtureTrusting(t, flTrustWrongPrincipal)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "role" {
  input = %q
}

resource "vpcflow_flow_log" "test" {
  vpc_id          = %q
  traffic_type    = "ALL"
  log_destination = %q
  iam_role_arn    = terraform_data.role.output
}`, role, vpc, logGroup),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(flResource, tfjsonpath.New("iam_role_arn")),
			}},
			ExpectError: flExpectFinding("TRUST_WRONG_SERVICE_PRINCIPAL", "iam_role_arn", `"vpc-flow-log.amazonaws.com"`),
		}},
	})
	a.expectNoFlowLog(vpc)
}

// Static checks.

func TestAccFlowLog_logFormatTypo(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: flConfig("", flCloudWatch("vpc-0123456789abcdef0", "arn:aws:logs:us-east-1:123456789012:log-group:x",
				"arn:aws:iam::123456789012:role/x", `  log_format = "$${version} $${account-id} $${interface-id} $${srcadr} $${dstaddr}"`)),
			PlanOnly:    true,
			ExpectError: flExpectText(`unknown field \$\{srcadr\} at position 4; did you mean \$\{srcaddr\}\?`),
		}},
	})
}

func TestAccFlowLog_logFormatTransitGatewayFieldOnVPC(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: flConfig("", flCloudWatch("vpc-0123456789abcdef0", "arn:aws:logs:us-east-1:123456789012:log-group:x",
				"arn:aws:iam::123456789012:role/x", `  log_format = "$${version} $${srcaddr} $${tgw-id}"`)),
			PlanOnly:    true,
			ExpectError: flExpectText(`field \$\{tgw-id\} at position 3 exists only in transit gateway flow logs`),
		}},
	})
}

func TestAccFlowLog_transitGatewayAggregationInterval(t *testing.T) {
	tgw := func(interval string) string {
		return flConfig("", fmt.Sprintf(`  transit_gateway_id = "tgw-0123456789abcdef0"
  log_destination    = "arn:aws:logs:us-east-1:123456789012:log-group:x"
  iam_role_arn       = "arn:aws:iam::123456789012:role/x"
%s`, interval))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tgw(`  max_aggregation_interval = 600`),
				PlanOnly:    true,
				ExpectError: flExpectText(`(?s)Transit gateway flow logs require max_aggregation_interval = 60.*this configuration has 600`),
			},
			{
				Config:      tgw(""),
				PlanOnly:    true,
				ExpectError: flExpectText(`(?s)Transit gateway flow logs require max_aggregation_interval = 60.*the default, 600`),
			},
			{
				Config:      tgw(`  max_aggregation_interval = 60` + "\n" + `  traffic_type = "ALL"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`traffic_type is not supported for transit gateways`),
			},
		},
	})
}

func TestAccFlowLog_staticChecks(t *testing.T) {
	const (
		vpc      = `  vpc_id = "vpc-0123456789abcdef0"` + "\n" + `  traffic_type = "ALL"` + "\n"
		logGroup = `  log_destination = "arn:aws:logs:us-east-1:123456789012:log-group:x"` + "\n"
		bucket   = `  log_destination = "arn:aws:s3:::flow-logs-bucket"` + "\n"
		role     = `  iam_role_arn = "arn:aws:iam::123456789012:role/x"` + "\n"
		s3       = `  log_destination_type = "s3"` + "\n"
		firehose = `  log_destination_type = "kinesis-data-firehose"` + "\n" +
			`  log_destination = "arn:aws:firehose:us-east-1:210987654321:deliverystream/flows"` + "\n"
	)
	steps := []struct {
		body string
		want string
	}{
		{vpc + logGroup, `Missing iam_role_arn`},
		{vpc + s3 + bucket + role, `iam_role_arn is not used with an S3 destination`},
		{vpc + bucket + role, `(?s)log_destination does not match log_destination_type.*That is a bucket ARN.*log_destination_type = "s3"`},
		{vpc + s3 + logGroup, `(?s)log_destination does not match log_destination_type.*That is a log group ARN`},
		{vpc + logGroup + role + "  destination_options {\n    file_format = \"parquet\"\n  }\n", `destination_options is for S3 destinations`},
		{`  vpc_id = "vpc-0123456789abcdef0"` + "\n" + logGroup + role, `Missing traffic_type`},
		{vpc + `  subnet_id = "subnet-0123456789abcdef0"` + "\n" + logGroup + role, `(?s)Invalid Attribute Combination.*Exactly one`},
		{vpc + logGroup + role + `  max_aggregation_interval = 300` + "\n", `(?s)max_aggregation_interval.*value must be one of`},
		{vpc + logGroup + role + `  log_format = "version srcaddr"` + "\n", `log_format writes each field as \$\{name\}`},
		{vpc + firehose + `  deliver_cross_account_role = "arn:aws:iam::210987654321:role/x"` + "\n", `(?s)Missing iam_role_arn.*Firehose stream in another account`},
		{vpc + logGroup + role + `  deliver_cross_account_role = "arn:aws:iam::210987654321:role/x"` + "\n", `deliver_cross_account_role is for Firehose destinations`},
		{vpc + `  log_destination_type = "kinesis-data-firehose"` + "\n" + logGroup, `(?s)log_destination does not match log_destination_type.*Firehose delivery stream ARN`},
	}
	var testSteps []resource.TestStep
	for _, s := range steps {
		testSteps = append(testSteps, resource.TestStep{
			Config:      flConfig("", s.body),
			PlanOnly:    true,
			ExpectError: flExpectText(s.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: testSteps})
}

// Delivery health after apply.

func TestAccFlowLog_deliveryFailedAtCreation(t *testing.T) {
	// moto marks a flow log to a log group that does not exist as FAILED
	// with "Access error" (its only failure mode). With validation = "warn"
	// the plan lets it through; state and a warning carry the root cause.
	a := newFlowLogAWS(t)
	vpc := a.vpc()
	missing := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/vpc/%s", acctest.Region, acctest.AccountID, flName("missing"))
	role := a.role(flDoc(flTrustGood), flDoc(flPermissions, missing, ":*"), "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: flConfig(`validation = "warn"`, flCloudWatch(vpc, missing, role, "")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_status"), knownvalue.StringExact("FAILED")),
				statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_error"), knownvalue.StringExact("Access error")),
				statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_root_cause"),
					knownvalue.StringRegexp(regexp.MustCompile(`(?s)^AWS reported: Access error.*iam_role_arn.*Fix:.*\(DELIVERY_ACCESS_ERROR\)$`))),
			},
		}},
	})
}

func TestAccFlowLog_deliveryStartsFailing(t *testing.T) {
	// A flow log that delivered and then fails (its role was changed, its
	// log group deleted) shows up on the next plan: Read records FAILED in
	// state with the root cause and warns, and the JSON plan reports the
	// status as changed outside Terraform. The plan has no action: nothing
	// Terraform could apply repairs a role it does not manage.
	_, vpc, logGroup, role := flCloudWatchFixture(t)
	failing := &deliveryFailing{}
	config := flConfig("", flCloudWatch(vpc, logGroup, role, ""))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: flowLogProviderFactories(nil, failing.install),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_status"), knownvalue.StringExact("SUCCESS")),
				},
			},
			{
				PreConfig: func() { failing.on.Store(true) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					expectDrift(flResource, "deliver_logs_status", "SUCCESS", "FAILED"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_status"), knownvalue.StringExact("FAILED")),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_error"), knownvalue.StringExact("Access error")),
					statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_root_cause"),
						knownvalue.StringRegexp(regexp.MustCompile(`(?s)vpc-flow-logs\.amazonaws\.com.*logs:PutLogEvents.*\(DELIVERY_ACCESS_ERROR\)`))),
				},
			},
		},
	})
}

// expectDrift checks that the plan reports an attribute changed outside
// Terraform, as `terraform plan -refresh-only` shows it.
func expectDrift(address, attribute string, before, after string) plancheck.PlanCheck {
	return driftCheck{address, attribute, before, after}
}

type driftCheck struct{ address, attribute, before, after string }

func (c driftCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceDrift {
		if rc.Address != c.address || rc.Change == nil {
			continue
		}
		b, _ := rc.Change.Before.(map[string]any)
		a, _ := rc.Change.After.(map[string]any)
		if b[c.attribute] == c.before && a[c.attribute] == c.after {
			return
		}
		resp.Error = fmt.Errorf("%s drifted, but %s went from %v to %v, want %s to %s", c.address, c.attribute, b[c.attribute], a[c.attribute], c.before, c.after)
		return
	}
	resp.Error = fmt.Errorf("no drift reported for %s (resource_drift: %d entries)", c.address, len(req.Plan.ResourceDrift))
}

// planFlowLog runs the resource's ModifyPlan as Terraform would for a plan
// (and a prior state, or nil to create), with the provider's validation mode.
func planFlowLog(t *testing.T, mode string, plan flowLogModel, prior *flowLogModel) (diag.Diagnostics, *providerData) {
	t.Helper()
	ctx := context.Background()
	client, err := conns.New(ctx, conns.Settings{Validation: mode})
	if err != nil {
		t.Fatal(err)
	}
	r, req := newFlowLogPlanRequest(ctx, client)
	diags := req.Plan.Set(ctx, &plan)
	if prior != nil {
		diags.Append(req.State.Set(ctx, prior)...)
	}
	if diags.HasError() {
		t.Fatalf("building the plan: %v", diags)
	}
	req.Config = tfsdk.Config{Schema: req.Plan.Schema, Raw: req.Plan.Raw}
	resp := &fwresource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(ctx, req, resp)
	return resp.Diagnostics, r.data
}

// newFlowLogPlanRequest is a flow log resource on client and a ModifyPlan
// request of its schema with a null plan and prior state, to be filled in.
func newFlowLogPlanRequest(ctx context.Context, client *conns.Client) (*flowLogResource, fwresource.ModifyPlanRequest) {
	r := &flowLogResource{resourceBase: resourceBase{data: newProviderData(client)}, ec2: client.EC2(), propagationTimeout: iamPropagationTimeout}
	var sr fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	return r, fwresource.ModifyPlanRequest{
		Plan:  tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)},
		State: tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)},
	}
}

// plannedFlowLog is a flow log to create, as the framework plans it.
func plannedFlowLog(vpc, logGroup, role string) flowLogModel {
	unknown := types.StringUnknown()
	return flowLogModel{
		ID: unknown, ARN: unknown,
		VPCID: types.StringValue(vpc), SubnetID: types.StringNull(), ENIID: types.StringNull(),
		TransitGatewayID: types.StringNull(), TransitGatewayAttachmentID: types.StringNull(),
		TrafficType:        types.StringValue("ALL"),
		LogDestinationType: types.StringValue("cloud-watch-logs"), LogDestination: types.StringValue(logGroup),
		IAMRoleARN: types.StringValue(role), DeliverCrossAccountRole: types.StringNull(),
		DestinationOptions:     types.ObjectNull(flowLogDestinationOptionsAttrTypes),
		MaxAggregationInterval: types.Int64Value(600), LogFormat: unknown, Tags: types.MapNull(types.StringType),
		TagsAll: types.MapNull(types.StringType), Region: types.StringNull(), LogGroupName: types.StringNull(),
		DeliverLogsStatus: unknown, DeliverLogsError: unknown, DeliverLogsRootCause: unknown,
	}
}

func severities(diags diag.Diagnostics) (errs, warns []string) {
	for _, d := range diags {
		if d.Severity() == diag.SeverityError {
			errs = append(errs, d.Summary())
		} else {
			warns = append(warns, d.Summary())
		}
	}
	return errs, warns
}

func TestFlowLogModifyPlan_validationModes(t *testing.T) {
	a := newFlowLogAWS(t)
	vpc, logGroup := a.vpc(), a.logGroup()
	broken := a.role(flDoc(flTrustWrongPrincipal), flDoc(flPermissions, logGroup, ":*"), "")
	good := a.role(flDoc(flTrustGood), flDoc(flPermissions, logGroup, ":*"), "")
	const finding = "Flow log delivery will fail: TRUST_WRONG_SERVICE_PRINCIPAL"

	t.Run("error mode fails the plan", func(t *testing.T) {
		diags, _ := planFlowLog(t, conns.ValidationError, plannedFlowLog(vpc, logGroup, broken), nil)
		errs, _ := severities(diags)
		if !slices.Contains(errs, finding) {
			t.Errorf("errors = %v, want %q", errs, finding)
		}
	})
	t.Run("warn mode warns with the same finding", func(t *testing.T) {
		diags, _ := planFlowLog(t, conns.ValidationWarn, plannedFlowLog(vpc, logGroup, broken), nil)
		errs, warns := severities(diags)
		if len(errs) != 0 || !slices.Contains(warns, finding) {
			t.Errorf("errors = %v, warnings = %v; want no error and the warning %q", errs, warns, finding)
		}
	})
	t.Run("off mode reads nothing and says nothing", func(t *testing.T) {
		diags, pd := planFlowLog(t, conns.ValidationOff, plannedFlowLog(vpc, logGroup, broken), nil)
		if len(diags) != 0 || pd.client.Calls.Total() != 0 {
			t.Errorf("off: diagnostics %v, AWS calls %v; want none", diags, pd.client.Calls.Snapshot())
		}
	})
	t.Run("a working role plans cleanly", func(t *testing.T) {
		diags, _ := planFlowLog(t, conns.ValidationError, plannedFlowLog(vpc, logGroup, good), nil)
		if len(diags) != 0 {
			t.Errorf("diagnostics = %v, want none", diags)
		}
	})
	t.Run("an unknown role moves the check to apply", func(t *testing.T) {
		plan := plannedFlowLog(vpc, logGroup, "")
		plan.IAMRoleARN = types.StringUnknown()
		diags, pd := planFlowLog(t, conns.ValidationError, plan, nil)
		if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning || diags[0].Summary() != "Flow log delivery check moved to apply" {
			t.Fatalf("diagnostics = %v, want one warning that the check moved to apply", diags)
		}
		if p := diags[0].(diag.DiagnosticWithPath).Path(); !p.Equal(path.Root("iam_role_arn")) {
			t.Errorf("warning is on %s, want iam_role_arn", p)
		}
		if n := pd.client.Calls.Total(); n != 0 {
			t.Errorf("an unknown role made %d AWS calls, want none", n)
		}
	})
	t.Run("an unchanged delivering flow log is not checked again", func(t *testing.T) {
		plan := plannedFlowLog(vpc, logGroup, broken)
		prior := plan
		prior.ID, prior.ARN, prior.LogFormat = types.StringValue("fl-1"), types.StringValue("arn"), types.StringValue("${version}")
		prior.DeliverLogsStatus, prior.DeliverLogsError, prior.DeliverLogsRootCause = types.StringValue("SUCCESS"), types.StringNull(), types.StringNull()
		plan = prior
		diags, pd := planFlowLog(t, conns.ValidationError, plan, &prior)
		if len(diags) != 0 || pd.client.Calls.Total() != 0 {
			t.Errorf("diagnostics %v, AWS calls %v; want none", diags, pd.client.Calls.Snapshot())
		}
	})
	t.Run("a failing flow log is explained with warnings", func(t *testing.T) {
		plan := plannedFlowLog(vpc, logGroup, broken)
		prior := plan
		prior.ID, prior.ARN, prior.LogFormat = types.StringValue("fl-1"), types.StringValue("arn"), types.StringValue("${version}")
		prior.DeliverLogsStatus, prior.DeliverLogsError, prior.DeliverLogsRootCause = types.StringValue("FAILED"), types.StringValue("Access error"), types.StringValue("cause")
		plan = prior
		diags, _ := planFlowLog(t, conns.ValidationError, plan, &prior)
		errs, warns := severities(diags)
		if len(errs) != 0 || !slices.Contains(warns, "Flow log delivery is failing: TRUST_WRONG_SERVICE_PRINCIPAL") {
			t.Errorf("errors = %v, warnings = %v; want the finding as a warning only", errs, warns)
		}
	})
}

func TestFlowLogCheckForCreate_roleNotVisibleYet(t *testing.T) {
	// A role created in this apply may not be visible to IAM reads at once:
	// the check reads it again within the propagation bound before it
	// reports ROLE_NOT_FOUND.
	ctx := context.Background()
	client, err := conns.New(ctx, conns.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	r := &flowLogResource{resourceBase: resourceBase{data: newProviderData(client)}, ec2: client.EC2(), propagationTimeout: 1500 * time.Millisecond}
	logGroup := newFlowLogAWS(t).logGroup()
	findings, err := r.checkForCreate(ctx, r.data, deliverySpec{
		DestinationType: "cloud-watch-logs", DestinationARN: logGroup,
		RoleARN: "arn:aws:iam::" + acctest.AccountID + ":role/" + flName("not-yet"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !flowLogHasFinding(findings, "ROLE_NOT_FOUND") {
		t.Errorf("findings = %v, want ROLE_NOT_FOUND", findings)
	}
	if n := client.Calls.Count("IAM.GetRole"); n < 2 {
		t.Errorf("the role was read %d times, want it read again after a wait", n)
	}
}

func TestDeleteFlowLog_notFound(t *testing.T) {
	err := deleteFlowLog(context.Background(), newFlowLogAWS(t).ec2, "fl-0123456789abcdef0")
	if !isNotFound(err) {
		t.Errorf("deleting a flow log that does not exist = %v, want a not-found error Delete ignores", err)
	}
	_, err = findFlowLogByID(context.Background(), newFlowLogAWS(t).ec2, "fl-0123456789abcdef0")
	if !isNotFound(err) {
		t.Errorf("finding a flow log that does not exist = %v, want a not-found error", err)
	}
}

func TestAccFlowLog_roleCreatedInSameRun(t *testing.T) {
	// vpcflow_delivery_role with a name has its ARN known at plan time, but
	// the role exists only after apply: the plan must not refuse it, and the
	// check before CreateFlowLogs finds it and passes.
	a := newFlowLogAWS(t)
	vpc, logGroup := a.vpc(), a.logGroup()
	roleName := flName("same-run")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "vpcflow_delivery_role" "test" {
  name           = %q
  log_group_arns = [%q]
}

resource "vpcflow_flow_log" "test" {
  vpc_id          = %q
  traffic_type    = "ALL"
  log_destination = %q
  iam_role_arn    = vpcflow_delivery_role.test.arn
}`, roleName, logGroup, vpc, logGroup),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(flResource, tfjsonpath.New("iam_role_arn"),
					knownvalue.StringExact(fmt.Sprintf("arn:aws:iam::%s:role/%s", testAccount, roleName))),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(flResource, tfjsonpath.New("deliver_logs_status"), knownvalue.StringExact("SUCCESS")),
			},
		}},
	})
}
