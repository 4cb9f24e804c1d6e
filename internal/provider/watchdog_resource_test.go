package provider

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/watchdog"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

const wdResource = "vpcflow_watchdog.test"

// wdPermissions is what the watchdog of wdFunction needs: it scans its
// own account and publishes with the defaults, without a state bucket.
const wdPermissions = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["ec2:DescribeVpcs","ec2:DescribeFlowLogs","s3:ListAllMyBuckets","cloudwatch:PutMetricData"],"Resource":"*"},
 {"Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:%[2]s:%[1]s:log-group:*"},
 {"Effect":"Allow","Action":"events:PutEvents","Resource":"arn:aws:events:%[2]s:%[1]s:event-bus/default"}]}`

// wdFunction creates a function with the enricher's watchdog environment
// and a role with the permissions, and returns its ARN. moto stores the
// code without running it.
func wdFunction(t *testing.T, name, permissions string, env map[string]string) string {
	t.Helper()
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	iamc, lc := iam.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"%s"}}}]}`, acctest.AccountID)
	role := testAccRoleFixture(t, iamc, name, trust, "", map[string]string{"watchdog": permissions})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("bootstrap")
	_, _ = w.Write([]byte("#!/bin/sh\n"))
	_ = zw.Close()
	fn, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()}, Environment: &lambdatypes.Environment{Variables: env},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	})
	return aws.ToString(fn.FunctionArn)
}

func wdConfig(body string) string {
	return "resource \"vpcflow_watchdog\" \"test\" {\n" + body + "\n}\n"
}

func TestAccWatchdog_basic(t *testing.T) {
	name := flName("vpcflow-watchdog")
	fn := wdFunction(t, name, flDoc(wdPermissions), map[string]string{"VPCFLOW_MODE": "watchdog"})
	cfg := acctest.AWSConfig(t)
	eb, lc := eventbridge.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	ruleARN := fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", acctest.Region, acctest.AccountID, name)
	sid := watchdogStatementID(name)
	hasPermission := func() (bool, error) {
		return hasLambdaPermission(context.Background(), lc, lambdaPermission{
			Function: fn, StatementID: sid, Principal: pipelinepolicy.EventsService, SourceARN: ruleARN, SourceAccount: acctest.AccountID,
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := eb.DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(name)}); !hasErrorCode(err, "ResourceNotFoundException") {
				return fmt.Errorf("rule %s left after destroy (err %v)", name, err)
			}
			if has, err := hasPermission(); has || err != nil {
				return fmt.Errorf("permission left after destroy (err %v)", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: wdConfig(fmt.Sprintf("  name = %q\n  function_arn = %q", name, fn)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(wdResource, tfjsonpath.New("rule_arn"), knownvalue.StringExact(ruleARN)),
					statecheck.ExpectKnownValue(wdResource, tfjsonpath.New("schedule_expression"), knownvalue.StringExact("rate(1 hour)")),
					statecheck.ExpectKnownValue(wdResource, tfjsonpath.New("lambda_permission_statement_id"), knownvalue.StringExact(sid)),
				},
				Check: func(*terraform.State) error {
					rule, err := eb.DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(name)})
					if err != nil || aws.ToString(rule.ScheduleExpression) != "rate(1 hour)" || string(rule.State) != "ENABLED" {
						return fmt.Errorf("rule %+v (err %v)", rule, err)
					}
					targets, err := eb.ListTargetsByRule(context.Background(), &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
					if err != nil || len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].Arn) != fn {
						return fmt.Errorf("targets %+v (err %v)", targets, err)
					}
					if has, err := hasPermission(); !has {
						return fmt.Errorf("no permission for the rule in the function's policy (err %v)", err)
					}
					return nil
				},
			},
			{
				Config: wdConfig(fmt.Sprintf("  name = %q\n  function_arn = %q\n  schedule_expression = \"rate(15 minutes)\"\n  enabled = false\n  tags = { team = \"network\" }", name, fn)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(wdResource, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					rule, err := eb.DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(name)})
					if err != nil || aws.ToString(rule.ScheduleExpression) != "rate(15 minutes)" || string(rule.State) != "DISABLED" {
						return fmt.Errorf("rule %+v (err %v)", rule, err)
					}
					return nil
				},
			},
			{
				// The permission removed out of band: the plan puts it back.
				PreConfig: func() {
					if err := removeLambdaPermission(context.Background(), lc, fn, sid); err != nil {
						t.Fatal(err)
					}
				},
				Config: wdConfig(fmt.Sprintf("  name = %q\n  function_arn = %q\n  schedule_expression = \"rate(15 minutes)\"\n  enabled = false\n  tags = { team = \"network\" }", name, fn)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(wdResource, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					if has, err := hasPermission(); !has {
						return fmt.Errorf("permission not put back (err %v)", err)
					}
					return nil
				},
			},
			testAccImportStep(wdResource, name),
		},
	})
}

// TestAccWatchdog_disappears deletes the rule, its target and the
// function's permission through the resource's Delete.
func TestAccWatchdog_disappears(t *testing.T) {
	name := flName("vpcflow-watchdog")
	fn := wdFunction(t, name, flDoc(wdPermissions), map[string]string{"VPCFLOW_MODE": "watchdog"})
	read := &readWarnings{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		CheckDestroy:             testAccCheckScheduleDestroyed(t, "vpcflow_watchdog"),
		Steps: testAccDisappearsSteps(t, read, newWatchdogResource, wdResource,
			wdConfig(fmt.Sprintf("  name = %q\n  function_arn = %q", name, fn)), conns.Settings{}),
	})
}

// testAccCheckScheduleDestroyed checks the EventBridge rule of every
// schedule of resourceType (watchdog, compaction) is gone.
func testAccCheckScheduleDestroyed(t *testing.T, resourceType string) resource.TestCheckFunc {
	return testAccCheckDestroyed(resourceType, func(ctx context.Context, id string, _ map[string]string) (bool, error) {
		_, err := eventbridge.NewFromConfig(acctest.AWSConfig(t)).DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(id)})
		return notFound(err, errorCode("ResourceNotFoundException"))
	})
}

// TestAccWatchdog_roleChecked: a function whose role cannot send the
// events to the bus its environment names is refused at plan time.
func TestAccWatchdog_roleChecked(t *testing.T) {
	name := flName("vpcflow-watchdog")
	fn := wdFunction(t, name, flDoc(wdPermissions), map[string]string{"VPCFLOW_MODE": "watchdog", watchdog.EnvEventBus: "security"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      wdConfig(fmt.Sprintf("  name = %q\n  function_arn = %q", name, fn)),
			ExpectError: regexp.MustCompile(`(?s)The watchdog could not do its work: PERMISSION_\w+.*events:PutEvents.*event-bus/security`),
		}},
	})
}

// TestAccWatchdog_roleWithoutMetrics: a function whose role cannot
// publish the metrics is refused at plan time, naming the action.
func TestAccWatchdog_roleWithoutMetrics(t *testing.T) {
	name := flName("vpcflow-watchdog")
	noMetrics := strings.Replace(wdPermissions, `,"cloudwatch:PutMetricData"`, "", 1)
	fn := wdFunction(t, name, flDoc(noMetrics), map[string]string{"VPCFLOW_MODE": "watchdog"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      wdConfig(fmt.Sprintf("  name = %q\n  function_arn = %q", name, fn)),
			ExpectError: regexp.MustCompile(`(?s)The watchdog could not do its work: PERMISSION_\w+.*function_arn = .*cloudwatch:PutMetricData`),
		}},
	})
}
