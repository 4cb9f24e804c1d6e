package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

const csResource = "vpcflow_compaction_schedule.test"

// csPermissions is what the compaction of csEnv needs.
const csPermissions = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::flows-enriched/connections/*"},
 {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::flows-enriched","Condition":{"StringLike":{"s3:prefix":"connections/*"}}}]}`

var csEnv = map[string]string{"VPCFLOW_MODE": "compact", "VPCFLOW_OUTPUT_BUCKET": "flows-enriched", "VPCFLOW_OUTPUT_PREFIX": "connections/"}

func csConfig(body string) string {
	return "resource \"vpcflow_compaction_schedule\" \"test\" {\n" + body + "\n}\n"
}

func TestAccCompactionSchedule_basic(t *testing.T) {
	name := flName("vpcflow-compaction")
	fn := wdFunction(t, name, csPermissions, csEnv)
	cfg := acctest.AWSConfig(t)
	eb := eventbridge.NewFromConfig(cfg)
	ruleARN := fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", acctest.Region, acctest.AccountID, name)
	sid := lambdaStatementID("vpcflow-compaction-", name)
	describe := func(schedule, state string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			rule, err := eb.DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(name)})
			if err != nil || aws.ToString(rule.ScheduleExpression) != schedule || string(rule.State) != state {
				return fmt.Errorf("rule %+v (err %v), want %s %s", rule, err, schedule, state)
			}
			targets, err := eb.ListTargetsByRule(context.Background(), &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
			if err != nil || len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].Arn) != fn || aws.ToString(targets.Targets[0].Id) != compactionTargetID {
				return fmt.Errorf("targets %+v (err %v)", targets, err)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := eb.DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(name)}); !hasErrorCode(err, "ResourceNotFoundException") {
				return fmt.Errorf("rule %s left after destroy (err %v)", name, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: csConfig(fmt.Sprintf("  name = %q\n  function_arn = %q", name, fn)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(csResource, tfjsonpath.New("rule_arn"), knownvalue.StringExact(ruleARN)),
					statecheck.ExpectKnownValue(csResource, tfjsonpath.New("schedule_expression"), knownvalue.StringExact("rate(15 minutes)")),
					statecheck.ExpectKnownValue(csResource, tfjsonpath.New("lambda_permission_statement_id"), knownvalue.StringExact(sid)),
				},
				Check: describe("rate(15 minutes)", "ENABLED"),
			},
			{
				Config: csConfig(fmt.Sprintf("  name = %q\n  function_arn = %q\n  schedule_expression = \"rate(1 hour)\"\n  enabled = false\n  tags = { team = \"network\" }", name, fn)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(csResource, plancheck.ResourceActionUpdate),
				}},
				Check: describe("rate(1 hour)", "DISABLED"),
			},
			{
				// The rule deleted out of band: the plan creates it again.
				PreConfig: func() {
					ctx := context.Background()
					if _, err := eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(name), Ids: []string{compactionTargetID}}); err != nil {
						t.Fatal(err)
					}
					if _, err := eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(name)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: csConfig(fmt.Sprintf("  name = %q\n  function_arn = %q\n  schedule_expression = \"rate(1 hour)\"\n  enabled = false\n  tags = { team = \"network\" }", name, fn)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(csResource, plancheck.ResourceActionCreate),
				}},
				Check: describe("rate(1 hour)", "DISABLED"),
			},
			testAccImportStep(csResource, name),
		},
	})
}

// TestAccCompactionSchedule_disappears deletes the rule, its target and
// the function's permission through the resource's Delete.
func TestAccCompactionSchedule_disappears(t *testing.T) {
	name := flName("vpcflow-compaction")
	fn := wdFunction(t, name, csPermissions, csEnv)
	read := &readWarnings{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		CheckDestroy:             testAccCheckScheduleDestroyed(t, "vpcflow_compaction_schedule"),
		Steps: testAccDisappearsSteps(t, read, newCompactionScheduleResource, csResource,
			csConfig(fmt.Sprintf("  name = %q\n  function_arn = %q", name, fn)), conns.Settings{}),
	})
}

// TestAccCompactionSchedule_roleChecked: a function whose role cannot
// delete the staged parts is refused at plan time, naming the action.
func TestAccCompactionSchedule_roleChecked(t *testing.T) {
	name := flName("vpcflow-compaction")
	noDelete := regexp.MustCompile(`,"s3:DeleteObject"`).ReplaceAllString(csPermissions, "")
	fn := wdFunction(t, name, noDelete, csEnv)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      csConfig(fmt.Sprintf("  name = %q\n  function_arn = %q", name, fn)),
			ExpectError: regexp.MustCompile(`(?s)The compaction could not do its work: PERMISSION_\w+.*s3:DeleteObject`),
		}},
	})
}

// TestAccCompactionSchedule_wrongMode: a schedule on a function that
// enriches records would feed it events it does not handle.
func TestAccCompactionSchedule_wrongMode(t *testing.T) {
	name := flName("vpcflow-compaction")
	fn := wdFunction(t, name, csPermissions, map[string]string{"VPCFLOW_MODE": "kinesis", "VPCFLOW_OUTPUT_BUCKET": "flows-enriched"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      csConfig(fmt.Sprintf("  name = %q\n  function_arn = %q", name, fn)),
			ExpectError: regexp.MustCompile(`(?s)Function not in compact mode.*VPCFLOW_MODE = "kinesis"`),
		}},
	})
}

// TestAccEnricherFunction_compact: the enricher in compact mode, with the
// role to list, read, write and delete under the prefix, and a record mode
// function writing to staging.
func TestAccEnricherFunction_compact(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	config := func(body string) string {
		return fmt.Sprintf("resource \"vpcflow_enricher_function\" \"test\" {\n  function_name = %q\n  output_bucket = \"flows-enriched\"\n%s\n}\n", name, body)
	}
	testAccTest(t, testAccCheckEnricherDestroyed(t), []resource.TestStep{
		// Refused at plan time, before anything exists.
		{
			Config:      config("  mode = \"compact\"\n  output_staging = true"),
			ExpectError: regexp.MustCompile(`(?s)Staging outside the record modes`),
		},
		{
			Config:      config("  compaction_grace = \"1h\""),
			ExpectError: regexp.MustCompile(`(?s)Compaction grace outside compact mode`),
		},
		{
			Config: config("  mode = \"compact\"\n  compaction_grace = \"45m\"\n  reserved_concurrent_executions = 1"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("mode"), knownvalue.StringExact("compact")),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("output_staging"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckEnricherConfig(t, name, "arm64", map[string]string{
					"VPCFLOW_MODE": "compact", "VPCFLOW_WINDOW": "60s", "VPCFLOW_OUTPUT_BUCKET": "flows-enriched",
					"VPCFLOW_OUTPUT_PREFIX": "connections/", "VPCFLOW_COMPACT_GRACE": "45m",
				}),
				testAccCheckEnricherRolePassesChecker(t, name, pipelinepolicy.Execution{
					Region: acctest.Region, Account: acctest.AccountID, FunctionName: name, Mode: pipelinepolicy.ModeCompact,
					OutputBucket: "flows-enriched", OutputPrefix: "connections/",
				}),
			),
		},
		testAccImportStep(testAccEnricherAddress, name),
		{
			// Back to a record mode, writing to staging.
			Config: config("  output_staging = true"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testAccEnricherAddress, plancheck.ResourceActionUpdate),
			}},
			Check: testAccCheckEnricherConfig(t, name, "arm64", map[string]string{
				"VPCFLOW_MODE": "cloudwatch-logs", "VPCFLOW_WINDOW": "60s", "VPCFLOW_OUTPUT_BUCKET": "flows-enriched",
				"VPCFLOW_OUTPUT_PREFIX": "connections/", "VPCFLOW_OUTPUT_STAGING": "true",
			}),
		},
	})
}
