package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
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

// Moto checks that a function destination exists but not its policy, and
// does not deliver records. It ignores distribution (always ByLogStream),
// refuses to update a filter on a group that has two (AWS updates it), and
// resolves a CloudWatch Logs destination ARN as a log group of the
// destination's name, so the destination test creates that group too.
// Subscription filters have no tags, so there is no _tags test.

const testAccSubscriptionAddress = "vpcflow_subscription.test"

// testAccSubscriptionToFunction is a log group, an enricher and a subscription between them.
func testAccSubscriptionToFunction(name, body string) string {
	return testAccSubscriptionBeside(name, "vpcflow_enricher_function.test.arn", body)
}

// testAccSubscriptionBeside is a log group, an enricher and a subscription of
// the group to destination, an expression.
func testAccSubscriptionBeside(name, destination, body string) string {
	return fmt.Sprintf(`
resource "vpcflow_log_group" "test" {
  name = "/tf-acc/vpcflow/%[1]s"
}

resource "vpcflow_enricher_function" "test" {
  function_name = %[1]q
  output_bucket = "flows-enriched"
}

resource "vpcflow_subscription" "test" {
  log_group_name  = vpcflow_log_group.test.name
  destination_arn = %[2]s
%[3]s
}
`, name, destination, body)
}

// testAccSubscriptionOf is a subscription of the existing group to the function of name.
func testAccSubscriptionOf(group, name string) string {
	return fmt.Sprintf(`
resource "vpcflow_subscription" "test" {
  log_group_name  = %q
  destination_arn = %q
}
`, group, testAccFunctionARN(name))
}

// testAccGroupWithStreamFilters creates a stream and a log group of name in
// moto, with the filters (by name) sending the group to the stream; both go
// when the test ends. It returns the group's name and the stream's ARN.
func testAccGroupWithStreamFilters(t *testing.T, name string, filters ...string) (string, string) {
	t.Helper()
	group := "/tf-acc/vpcflow/" + name
	stream := testAccCreateStream(t, name)
	logs := testAccLogsClient(t)
	testAccLogGroupFixture(t, logs, group)
	for _, filter := range filters {
		_, err := logs.PutSubscriptionFilter(context.Background(), &cloudwatchlogs.PutSubscriptionFilterInput{
			LogGroupName: aws.String(group), FilterName: aws.String(filter), FilterPattern: aws.String(""),
			DestinationArn: aws.String(stream), RoleArn: aws.String(testAccRoleARN("/", "cwl-to-kinesis")),
		})
		if err != nil {
			t.Fatalf("putting filter %s on %s: %v", filter, group, err)
		}
	}
	return group, stream
}

func TestAccSubscription_basic(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	group := "/tf-acc/vpcflow/" + name
	testAccTest(t, testAccCheckSubscriptionDestroyed(t), []resource.TestStep{
		{
			Config: testAccSubscriptionToFunction(name, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccSubscriptionAddress, tfjsonpath.New("id"), knownvalue.StringExact(group+"|vpcflow-enricher")),
				statecheck.ExpectKnownValue(testAccSubscriptionAddress, tfjsonpath.New("destination_type"), knownvalue.StringExact("lambda")),
				statecheck.ExpectKnownValue(testAccSubscriptionAddress, tfjsonpath.New("filter_pattern"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(testAccSubscriptionAddress, tfjsonpath.New("lambda_permission_statement_id"),
					knownvalue.StringExact(subscriptionStatementID(group, "vpcflow-enricher"))),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckSubscriptionFilter(t, group, "vpcflow-enricher", testAccFunctionARN(name), ""),
				testAccCheckSubscriptionPermission(t, name, group, "vpcflow-enricher", true),
			),
		},
		testAccImportStep(testAccSubscriptionAddress, group+"|vpcflow-enricher"),
	})
}

func TestAccSubscription_disappears(t *testing.T) {
	testAccParallelWithEnricherCode(t)
	name := testAccEnricherName()
	group := "/tf-acc/vpcflow/" + name
	config := testAccSubscriptionToFunction(name, "")
	read := &readWarnings{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		CheckDestroy:             testAccCheckSubscriptionDestroyed(t),
		Steps: append(testAccDisappearsSteps(t, read, newSubscriptionResource, testAccSubscriptionAddress, config, conns.Settings{}),
			// Out of band, the filter alone: the permission the Delete removes too is left.
			testAccRemovedStep(testAccSubscriptionAddress, config, func(*terraform.State) error {
				_, err := testAccLogsClient(t).DeleteSubscriptionFilter(context.Background(), &cloudwatchlogs.DeleteSubscriptionFilterInput{
					LogGroupName: aws.String(group), FilterName: aws.String("vpcflow-enricher"),
				})
				return err
			})),
	})
}

// TestAccSubscription_permissionDisappears: the function permission removed
// outside Terraform is read back as missing and added again by the next apply.
func TestAccSubscription_permissionDisappears(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	group := "/tf-acc/vpcflow/" + name
	config := testAccSubscriptionToFunction(name, "")
	testAccTest(t, testAccCheckSubscriptionDestroyed(t), []resource.TestStep{
		{
			Config: config,
			Check: func(*terraform.State) error {
				return removeLambdaPermission(context.Background(), testAccLambdaClient(t), name, subscriptionStatementID(group, "vpcflow-enricher"))
			},
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccSubscriptionAddress, plancheck.ResourceActionUpdate)},
			},
		},
		{
			Config:           config,
			ConfigPlanChecks: testAccPlanAction(testAccSubscriptionAddress, plancheck.ResourceActionUpdate),
			Check:            testAccCheckSubscriptionPermission(t, name, group, "vpcflow-enricher", true),
		},
	})
}

// TestAccSubscription_update changes the pattern in place, then moves the
// subscription from the function to a Kinesis stream, which takes the
// function's permission away.
func TestAccSubscription_update(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	group := "/tf-acc/vpcflow/" + name
	role := testAccCreateLogsRole(t, name+"-cwl", testAccStreamARN(name), "")
	stream := testAccKinesisStreamConfig(name, "")
	update := testAccPlanAction(testAccSubscriptionAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckSubscriptionDestroyed(t), []resource.TestStep{
		{Config: stream + testAccSubscriptionToFunction(name, "")},
		{
			Config:           stream + testAccSubscriptionToFunction(name, `  filter_pattern = "[version, account, eni, source, destination, srcport, destport, protocol, packets, bytes, start, end, action=\"REJECT\", status]"`),
			ConfigPlanChecks: update,
			Check: testAccCheckSubscriptionFilter(t, group, "vpcflow-enricher", testAccFunctionARN(name),
				`[version, account, eni, source, destination, srcport, destport, protocol, packets, bytes, start, end, action="REJECT", status]`),
		},
		{
			Config:           stream + testAccSubscriptionBeside(name, "vpcflow_kinesis_stream.test.arn", fmt.Sprintf("  role_arn        = %q", role)),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccSubscriptionAddress, tfjsonpath.New("destination_type"), knownvalue.StringExact("kinesis")),
				statecheck.ExpectKnownValue(testAccSubscriptionAddress, tfjsonpath.New("lambda_permission_statement_id"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckSubscriptionFilter(t, group, "vpcflow-enricher", testAccStreamARN(name), ""),
				testAccCheckSubscriptionPermission(t, name, group, "vpcflow-enricher", false),
			),
		},
		testAccImportStep(testAccSubscriptionAddress, ""),
	})
}

// TestAccSubscription_twoFiltersAlready: a group with two filters of others
// fails the plan on log_group_name, naming them.
func TestAccSubscription_twoFiltersAlready(t *testing.T) {
	name := testAccEnricherName()
	group, _ := testAccGroupWithStreamFilters(t, name, "siem", "archive")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccSubscriptionOf(group, name),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Log group has no room for another subscription filter.*has 2\s+subscription filters already \("siem" →.*"archive" →.*LimitExceededException`),
		}},
	})
}

// TestAccSubscription_roleNotTrustingLogs: a stream role CloudWatch Logs
// cannot assume fails the plan on role_arn, before the filter is put.
func TestAccSubscription_roleNotTrustingLogs(t *testing.T) {
	name := testAccEnricherName()
	stream := testAccCreateStream(t, name)
	role := testAccCreateLogsRole(t, name, stream, "kinesis.amazonaws.com")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "vpcflow_log_group" "test" {
  name = "/tf-acc/vpcflow/%s"
}

resource "vpcflow_subscription" "test" {
  log_group_name  = vpcflow_log_group.test.name
  destination_arn = %q
  role_arn        = %q
}
`, name, stream, role),
			ExpectError: regexp.MustCompile(`(?s)CloudWatch Logs could not deliver to the stream: TRUST_SERVICE_NOT_TRUSTED.*logs\.amazonaws\.com`),
		}},
	})
	if _, err := findSubscriptionFilter(context.Background(), testAccLogsClient(t), "/tf-acc/vpcflow/"+name, "vpcflow-enricher"); !isNotFound(err) {
		t.Errorf("the filter was put (%v)", err)
	}
}

// TestAccSubscription_logsDestination subscribes a group to a CloudWatch
// Logs destination, as a source account does with the central account's.
func TestAccSubscription_logsDestination(t *testing.T) {
	name := testAccEnricherName()
	stream := testAccCreateStream(t, name)
	role := testAccCreateLogsRole(t, name, stream, "")
	testAccTest(t, testAccCheckSubscriptionDestroyed(t), []resource.TestStep{
		{
			Config: fmt.Sprintf(`
resource "vpcflow_log_group" "test" {
  name = "/tf-acc/vpcflow/%[1]s"
}

# Moto looks a destination ARN up as a log group of the destination's name.
resource "vpcflow_log_group" "moto_destination" {
  name = %[1]q
}

resource "vpcflow_log_destination" "central" {
  name               = %[1]q
  target_arn         = %[2]q
  role_arn           = %[3]q
  source_account_ids = [%[4]q]
}

resource "vpcflow_subscription" "test" {
  log_group_name  = vpcflow_log_group.test.name
  destination_arn = vpcflow_log_destination.central.arn
  depends_on      = [vpcflow_log_group.moto_destination]
}
`, name, stream, role, acctest.AccountID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccSubscriptionAddress, tfjsonpath.New("destination_type"), knownvalue.StringExact("logs-destination")),
				statecheck.ExpectKnownValue(testAccSubscriptionAddress, tfjsonpath.New("lambda_permission_statement_id"), knownvalue.Null()),
			},
			Check: testAccCheckSubscriptionFilter(t, "/tf-acc/vpcflow/"+name, "vpcflow-enricher", testAccDestinationARN(name), ""),
		},
		testAccImportStep(testAccSubscriptionAddress, ""),
	})
}

func TestAccSubscription_validation(t *testing.T) {
	stream := testAccStreamARN("s")
	testAccPlanErrors(t, "vpcflow_subscription", "log_group_name", []planErrorCase{
		{"stream without role", fmt.Sprintf("destination_arn = %q", stream), regexp.MustCompile(`Stream destination without a role`)},
		{"role for a function", fmt.Sprintf("destination_arn = %q\n  role_arn = %q", testAccFunctionARN("f"), testAccRoleARN("/", "r")), regexp.MustCompile(`Role for a function destination`)},
		{"role for a destination", fmt.Sprintf("destination_arn = %q\n  role_arn = %q", testAccDestinationARN("d"), testAccRoleARN("/", "r")), regexp.MustCompile(`Role for a CloudWatch Logs destination`)},
		{"random to a function", fmt.Sprintf("destination_arn = %q\n  distribution = \"Random\"", testAccFunctionARN("f")), regexp.MustCompile(`Random distribution without a Kinesis stream`)},
		{"qualified function", fmt.Sprintf("destination_arn = %q", testAccFunctionARN("f")+":live"), regexp.MustCompile(`must be the ARN of a Lambda function`)},
	})

}

func testAccCheckSubscriptionDestroyed(t *testing.T) resource.TestCheckFunc {
	return resource.ComposeTestCheckFunc(
		testAccCheckDestroyed("vpcflow_subscription", func(ctx context.Context, _ string, a map[string]string) (bool, error) {
			_, err := findSubscriptionFilter(ctx, testAccLogsClient(t), a["log_group_name"], a["name"])
			return notFound(err, isNotFound)
		}),
		testAccCheckEnricherDestroyed(t),
		testAccCheckLogGroupDestroyed(t),
	)
}

func testAccCheckSubscriptionFilter(t *testing.T, group, name, destination, pattern string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		f, err := findSubscriptionFilter(context.Background(), testAccLogsClient(t), group, name)
		if err != nil {
			return err
		}
		if aws.ToString(f.DestinationArn) != destination || aws.ToString(f.FilterPattern) != pattern {
			return fmt.Errorf("filter %s|%s sends %q to %s", group, name, aws.ToString(f.FilterPattern), aws.ToString(f.DestinationArn))
		}
		return nil
	}
}

// testAccCheckSubscriptionPermission reads the function's policy with
// GetPolicy and checks the statement that lets CloudWatch Logs invoke it
// for the group: present and scoped to the group and account, or absent.
func testAccCheckSubscriptionPermission(t *testing.T, function, group, filter string, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		p := lambdaPermission{
			Function:      function,
			StatementID:   subscriptionStatementID(group, filter),
			Principal:     pipelinepolicy.LogsService,
			SourceARN:     testAccLogGroupARN(group) + ":*",
			SourceAccount: acctest.AccountID,
		}
		out, err := testAccLambdaClient(t).GetPolicy(context.Background(), &lambda.GetPolicyInput{FunctionName: aws.String(function)})
		policy := ""
		switch {
		case hasErrorCode(err, "ResourceNotFoundException"):
		case err != nil:
			return err
		default:
			policy = aws.ToString(out.Policy)
		}
		got := false
		if policy != "" {
			if got, err = lambdaPolicyHolds(policy, p); err != nil {
				return err
			}
		}
		if got != want {
			return fmt.Errorf("function %s: permission %s for CloudWatch Logs on %s present = %v, want %v; policy:\n%s", function, p.StatementID, p.SourceARN, got, want, policy)
		}
		return nil
	}
}

// TestAccSubscription_nameTaken: a filter of the same name that is not in
// the state is left alone rather than overwritten.
func TestAccSubscription_nameTaken(t *testing.T) {
	name := testAccEnricherName()
	group, stream := testAccGroupWithStreamFilters(t, name, "vpcflow-enricher")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccSubscriptionOf(group, name),
			ExpectError: regexp.MustCompile(`(?s)has a\s+subscription filter named vpcflow-enricher already.*terraform import`),
		}},
	})
	if err := testAccCheckSubscriptionFilter(t, group, "vpcflow-enricher", stream, "")(nil); err != nil {
		t.Error(err)
	}
}
