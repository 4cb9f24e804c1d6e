package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/watchdog"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// The watchdog's own behaviour (the scan, the metrics, the events, the
// state) is tested against moto in internal/pipeline/lambda/handler; moto stores the
// function here without running it.

// testAccWatchdogExecution is the execution of a watchdog function with the environment.
func testAccWatchdogExecution(t *testing.T, name string, env map[string]string) pipelinepolicy.Execution {
	t.Helper()
	cfg, err := watchdog.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return pipelinepolicy.Execution{
		Region: acctest.Region, Account: acctest.AccountID, FunctionName: name, Mode: pipelinepolicy.ModeWatchdog,
		Watchdog: cfg.Deployment("aws", acctest.AccountID, acctest.Region).Policy(),
	}
}

// TestAccEnricherFunction_watchdog: the watchdog function is created with
// its defaults, read back and imported, updated with every attribute of
// its mode (environment and role follow), recreated after an out-of-band
// deletion.
func TestAccEnricherFunction_watchdog(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	target := "arn:aws:iam::111111111111:role/vpcflow-watchdog-read"
	config := func(body string) string {
		return fmt.Sprintf(`
resource "vpcflow_enricher_function" "test" {
  function_name = %q
  mode          = "watchdog"
%s
}
`, name, body)
	}
	full := config(fmt.Sprintf(`
  timeout                        = 300
  reserved_concurrent_executions = 1
  metric_namespace               = "Network/FlowLogs"
  event_bus_name                 = "security"
  state_bucket                   = "watchdog-state"
  state_prefix                   = "flow-logs/"
  traffic_type                   = "REJECT"
  exclude_vpc_ids                = ["vpc-0123456789abcdef0", "vpc-00000000"]
  scan_targets = [
    { account_id = %q },
    { account_id = %q, region = "us-west-2" },
    { role_arn = %q, external_id = "vpcflow-1" },
  ]
`, acctest.AccountID, acctest.AccountID, target))
	fullEnv := map[string]string{
		"VPCFLOW_MODE": "watchdog", watchdog.EnvNamespace: "Network/FlowLogs", watchdog.EnvEventBus: "security",
		watchdog.EnvStateBucket: "watchdog-state", watchdog.EnvStatePrefix: "flow-logs/", watchdog.EnvTrafficType: "REJECT",
		watchdog.EnvExcludeVPCs: "vpc-00000000,vpc-0123456789abcdef0",
		watchdog.EnvTargets: fmt.Sprintf(`[{"account_id":%q},{"account_id":%q,"region":"us-west-2"},{"role_arn":%q,"external_id":"vpcflow-1"}]`,
			acctest.AccountID, acctest.AccountID, target),
	}
	testAccTest(t, testAccCheckEnricherDestroyed(t), []resource.TestStep{
		{
			Config: config(""),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccEnricherAddress, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("arn"), knownvalue.StringExact(testAccFunctionARN(name))),
					// The role's policy is known at plan time: the checker runs on it then.
					plancheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("role_policy"), knownvalue.StringRegexp(regexp.MustCompile(`cloudwatch:PutMetricData`))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("mode"), knownvalue.StringExact("watchdog")),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("metric_namespace"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("scan_targets"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("output_bucket"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("inventory_table_arn"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("environment"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(
				// No window, table or output: the watchdog reads none.
				testAccCheckEnricherConfig(t, name, "arm64", map[string]string{"VPCFLOW_MODE": "watchdog"}),
				testAccCheckEnricherRolePassesChecker(t, name, testAccWatchdogExecution(t, name, nil)),
			),
		},
		testAccImportStep(testAccEnricherAddress, name),
		{
			Config:           full,
			ConfigPlanChecks: testAccPlanAction(testAccEnricherAddress, plancheck.ResourceActionUpdate),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("scan_targets"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"account_id": knownvalue.StringExact(acctest.AccountID), "region": knownvalue.Null(), "role_arn": knownvalue.Null(), "external_id": knownvalue.Null(),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"region": knownvalue.StringExact("us-west-2")}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"role_arn": knownvalue.StringExact(target), "external_id": knownvalue.StringExact("vpcflow-1")}),
				})),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("exclude_vpc_ids"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("vpc-0123456789abcdef0"), knownvalue.StringExact("vpc-00000000"),
				})),
				statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("environment"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckEnricherConfig(t, name, "arm64", fullEnv),
				testAccCheckEnricherRolePassesChecker(t, name, testAccWatchdogExecution(t, name, fullEnv)),
			),
		},
		testAccImportStep(testAccEnricherAddress, ""),
		{
			// Deleted out of band: the refresh drops it and the plan creates it again.
			Config: full,
			Check: func(*terraform.State) error {
				_, err := testAccLambdaClient(t).DeleteFunction(context.Background(), &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
				return err
			},
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccEnricherAddress, plancheck.ResourceActionCreate),
				},
			},
		},
		{
			// The role and log group the lost function left are taken over.
			Config: full,
			Check: resource.ComposeTestCheckFunc(
				testAccCheckEnricherConfig(t, name, "arm64", fullEnv),
				testAccCheckEnricherRolePassesChecker(t, name, testAccWatchdogExecution(t, name, fullEnv)),
			),
		},
	})
}

// TestAccEnricherFunction_watchdogPlanChecks: a watchdog that could not
// work, or attributes its mode does not use, fail the plan on the
// attribute at fault, before anything is created.
func TestAccEnricherFunction_watchdogPlanChecks(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	// Everything the watchdog calls but cloudwatch:PutMetricData.
	boundary := testAccCreateManagedPolicy(t, sdkacctest.RandomWithPrefix("tf-acc-boundary"),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:*","ec2:Describe*","s3:*","events:PutEvents","sts:AssumeRole"],"Resource":"*"}]}`)
	cases := []planErrorCase{
		{"boundary without PutMetricData", fmt.Sprintf(`mode = "watchdog"
  permissions_boundary = %q`, boundary),
			regexp.MustCompile(`(?s)Permissions boundary blocks the enricher: PERMISSION_BOUNDARY_BLOCKS.*permissions_boundary = .*cloudwatch:PutMetricData`)},
		{"watchdog attribute in subscription mode", `output_bucket = "flows-enriched"
  metric_namespace = "Network"`, regexp.MustCompile(`(?s)Watchdog attribute outside watchdog mode.*metric_namespace.*VPCFLOW_WATCHDOG_NAMESPACE`)},
		{"scan targets in inventory mode", fmt.Sprintf(`mode = "inventory"
  inventory_table_arn = %q
  scan_targets = [{ account_id = %q }]`, testAccTableARN("inventory"), acctest.AccountID), regexp.MustCompile(`(?s)Watchdog attribute outside watchdog mode.*scan_targets`)},
		{"output bucket in watchdog mode", `mode = "watchdog"
  output_bucket = "flows-enriched"`, regexp.MustCompile(`(?s)Attribute not used in watchdog mode.*writes no enriched\s+connections`)},
		{"table in watchdog mode", fmt.Sprintf(`mode = "watchdog"
  inventory_table_arn = %q`, testAccTableARN("inventory")), regexp.MustCompile(`(?s)Attribute not used in watchdog mode.*inventory_table_arn`)},
		{"window in watchdog mode", `mode = "watchdog"
  window = "5m"`, regexp.MustCompile(`(?s)Attribute not used in watchdog mode.*aggregates no\s+connections`)},
		{"source roles in watchdog mode", `mode = "watchdog"
  source_account_role_arns = ["arn:aws:iam::111111111111:role/r"]`, regexp.MustCompile(`(?s)Source account roles without inventory mode.*scan_targets`)},
		{"state prefix without bucket", `mode = "watchdog"
  state_prefix = "x/"`, regexp.MustCompile(`State prefix without a state bucket`)},
		{"AWS namespace", `mode = "watchdog"
  metric_namespace = "AWS/VPC"`, regexp.MustCompile(`Namespace reserved by AWS`)},
		{"other account without role", `mode = "watchdog"
  scan_targets = [{ account_id = "111111111111" }]`, regexp.MustCompile(`(?s)Other account without a role.*role_arn`)},
		{"targets without account or role", `mode = "watchdog"
  scan_targets = [{ region = "us-west-2" }, { role_arn = "arn:aws:iam::111111111111:role/r" }]`, regexp.MustCompile(`Target without account or role`)},
		{"managed watchdog variable", `mode = "watchdog"
  environment = { VPCFLOW_WATCHDOG_EVENT_BUS = "security" }`, regexp.MustCompile(`(?s)Variable set by the provider.*event_bus_name`)},
	}
	testAccPlanErrors(t, "vpcflow_enricher_function", "function_name", cases)

}

// TestAccEnricherFunction_watchdogSchedule: the watchdog function and its
// schedule in one configuration. The second plan of the run reads the
// function back, so vpcflow_watchdog then checks the role this resource
// made against the function's environment, and finds nothing.
func TestAccEnricherFunction_watchdogSchedule(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	cfg := acctest.AWSConfig(t)
	eb := eventbridge.NewFromConfig(cfg)
	config := fmt.Sprintf(`
resource "vpcflow_enricher_function" "test" {
  function_name    = %[1]q
  mode             = "watchdog"
  metric_namespace = "Network/FlowLogs"
  event_bus_name   = "default"
  state_bucket     = "watchdog-state"
}

resource "vpcflow_watchdog" "test" {
  name                = %[1]q
  function_arn        = vpcflow_enricher_function.test.arn
  schedule_expression = "rate(15 minutes)"
}
`, name)
	testAccTest(t, testAccCheckEnricherDestroyed(t), []resource.TestStep{{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(wdResource, tfjsonpath.New("function_arn"), knownvalue.StringExact(testAccFunctionARN(name))),
			statecheck.ExpectKnownValue(wdResource, tfjsonpath.New("lambda_permission_statement_id"), knownvalue.StringExact(watchdogStatementID(name))),
		},
		Check: func(*terraform.State) error {
			targets, err := eb.ListTargetsByRule(context.Background(), &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
			if err != nil || len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].Arn) != testAccFunctionARN(name) {
				return fmt.Errorf("targets %+v (err %v)", targets, err)
			}
			return nil
		},
	}, {
		// The function exists now, so the plan checks its role: none of
		// the role's needs may be missing for the plan to be empty.
		Config:   config,
		PlanOnly: true,
	}})
}
