package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// Moto creates and stores event source mappings on Kinesis streams without
// polling them: no record reaches the function, and the role is not
// checked, so the plan-time check is what these tests exercise. The mapping
// is Enabled at once.

const testAccMappingAddress = "vpcflow_event_source_mapping.test"

// testAccKinesisPipeline is a stream and an enricher in kinesis mode.
// testAccMappingConfig is pipeline and a mapping of its stream to its
// function, with the attribute lines of body.
func testAccMappingConfig(pipeline, body string) string {
	return pipeline + fmt.Sprintf(`
resource "vpcflow_event_source_mapping" "test" {
  function_name    = vpcflow_enricher_function.test.function_name
  event_source_arn = vpcflow_kinesis_stream.test.arn
%s
}
`, body)
}

// testAccMappingWithFailureQueue is the ARN of an SQS queue for failed
// batches and the configuration of a mapping in a pipeline whose function
// may send to it, with the mapping's attribute lines as argument.
func testAccMappingWithFailureQueue(name string) (string, func(body string) string) {
	queue := fmt.Sprintf("arn:aws:sqs:%s:%s:%s-failed", acctest.Region, acctest.AccountID, name)
	pipeline := testAccKinesisPipeline(name, "kinesis", fmt.Sprintf("on_failure_destination_arn = %q", queue))
	return queue, func(body string) string { return testAccMappingConfig(pipeline, body) }
}

func testAccKinesisPipeline(name, mode, extra string) string {
	stream := ""
	if mode == "kinesis" {
		stream = "kinesis_stream_arn = vpcflow_kinesis_stream.test.arn"
	}
	return fmt.Sprintf(`
resource "vpcflow_kinesis_stream" "test" {
  name = %[1]q
}

resource "vpcflow_enricher_function" "test" {
  function_name = %[1]q
  output_bucket = "flows-enriched"
  mode          = %[2]q
  %[3]s
  %[4]s
}
`, name, mode, stream, extra)
}

func TestAccEventSourceMapping_basic(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	config := testAccMappingConfig(testAccKinesisPipeline(name, "kinesis", ""), "")
	testAccTest(t, testAccCheckMappingDestroyed(t), []resource.TestStep{
		{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("function_arn"), knownvalue.StringExact(testAccFunctionARN(name))),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("starting_position"), knownvalue.StringExact("LATEST")),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("batch_size"), knownvalue.Int64Exact(100)),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("maximum_batching_window_in_seconds"), knownvalue.Int64Exact(10)),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("parallelization_factor"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("tumbling_window_in_seconds"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("function_response_types"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("ReportBatchItemFailures")})),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("bisect_batch_on_function_error"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("maximum_retry_attempts"), knownvalue.Int64Exact(10)),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("state"), knownvalue.StringExact("Enabled")),
			},
			Check: testAccCheckMapping(t, name, func(m *lambda.GetEventSourceMappingOutput) error {
				if aws.ToString(m.EventSourceArn) != testAccStreamARN(name) || aws.ToInt32(m.MaximumBatchingWindowInSeconds) != 10 ||
					len(m.FunctionResponseTypes) != 1 || m.FunctionResponseTypes[0] != "ReportBatchItemFailures" {
					return fmt.Errorf("mapping %+v", m)
				}
				return nil
			}),
		},
		{
			// The role the function now has is read and passes: an empty plan.
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
		testAccImportStep(testAccMappingAddress, ""),
	})
}

func TestAccEventSourceMapping_update(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	queue, config := testAccMappingWithFailureQueue(name)
	update := testAccPlanAction(testAccMappingAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckMappingDestroyed(t), []resource.TestStep{
		{Config: config("")},
		{
			Config: config(fmt.Sprintf(`
  batch_size                         = 500
  maximum_batching_window_in_seconds = 30
  parallelization_factor             = 4
  tumbling_window_in_seconds         = 120
  maximum_retry_attempts             = 3
  maximum_record_age_in_seconds      = 3600
  bisect_batch_on_function_error     = false
  on_failure_destination_arn         = %q
  enabled                            = false
`, queue)),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("parallelization_factor"), knownvalue.Int64Exact(4)),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("tumbling_window_in_seconds"), knownvalue.Int64Exact(120)),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("on_failure_destination_arn"), knownvalue.StringExact(queue)),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("state"), knownvalue.StringExact("Disabled")),
			},
			Check: testAccCheckMapping(t, name, func(m *lambda.GetEventSourceMappingOutput) error {
				if aws.ToInt32(m.BatchSize) != 500 || aws.ToInt32(m.ParallelizationFactor) != 4 || aws.ToInt32(m.TumblingWindowInSeconds) != 120 ||
					aws.ToString(m.DestinationConfig.OnFailure.Destination) != queue || aws.ToString(m.State) != "Disabled" {
					return fmt.Errorf("mapping batch %d parallel %d window %d state %s", aws.ToInt32(m.BatchSize), aws.ToInt32(m.ParallelizationFactor), aws.ToInt32(m.TumblingWindowInSeconds), aws.ToString(m.State))
				}
				return nil
			}),
		},
		testAccImportStep(testAccMappingAddress, ""),
		{
			Config:           config(""),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("function_response_types"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("ReportBatchItemFailures")})),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("on_failure_destination_arn"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("state"), knownvalue.StringExact("Enabled")),
			},
		},
	})
}

func TestAccEventSourceMapping_disappears(t *testing.T) {
	testAccParallelWithEnricherCode(t)
	name := testAccEnricherName()
	config := testAccKinesisPipeline(name, "kinesis", "") + `
resource "vpcflow_event_source_mapping" "test" {
  function_name    = vpcflow_enricher_function.test.arn
  event_source_arn = vpcflow_kinesis_stream.test.arn
}
`
	read := &readWarnings{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		CheckDestroy:             testAccCheckMappingDestroyed(t),
		Steps:                    testAccDisappearsSteps(t, read, newEventSourceMappingResource, testAccMappingAddress, config, conns.Settings{}),
	})
}

// TestAccEventSourceMapping_roleCannotRead: a function whose role has no
// access to the stream (an enricher in subscription mode) fails the plan
// on event_source_arn, before the mapping exists.
func TestAccEventSourceMapping_roleCannotRead(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	pipeline := testAccKinesisPipeline(name, "subscription", "")
	testAccTest(t, testAccCheckMappingDestroyed(t), []resource.TestStep{
		{Config: pipeline},
		{
			Config:      testAccMappingConfig(pipeline, `  on_failure_destination_arn = "arn:aws:sns:us-east-1:123456789012:failed-batches"`),
			ExpectError: regexp.MustCompile(`(?s)Function cannot read the stream: PERMISSION_ACTION_MISSING.*kinesis:GetRecords.*Function cannot record failed batches.*sns:Publish`),
		},
	})
}

func testAccCheckMappingDestroyed(t *testing.T) resource.TestCheckFunc {
	return resource.ComposeTestCheckFunc(
		testAccCheckEnricherDestroyed(t),
		testAccCheckDestroyed("vpcflow_event_source_mapping", func(ctx context.Context, id string, _ map[string]string) (bool, error) {
			_, err := findEventSourceMapping(ctx, testAccLambdaClient(t), id)
			return notFound(err, isNotFound)
		}),
		testAccCheckKinesisStreamDestroyed(t),
	)
}

// testAccCheckMapping finds the function's one mapping and checks it.
func testAccCheckMapping(t *testing.T, function string, check func(*lambda.GetEventSourceMappingOutput) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := s.RootModule().Resources[testAccMappingAddress].Primary.ID
		m, err := findEventSourceMapping(context.Background(), testAccLambdaClient(t), id)
		if err != nil {
			return err
		}
		if aws.ToString(m.FunctionArn) != testAccFunctionARN(function) {
			return fmt.Errorf("mapping %s invokes %s", id, aws.ToString(m.FunctionArn))
		}
		return check(m)
	}
}

// TestAccEventSourceMapping_withoutReportBatchItemFailures: a mapping that
// would take the enricher's batch item failures for successes fails the
// plan at function_response_types, before anything is created.
func TestAccEventSourceMapping_withoutReportBatchItemFailures(t *testing.T) {
	testAccPlanErrors(t, "vpcflow_event_source_mapping", "function_name", []planErrorCase{
		{
			name: "empty list",
			body: "event_source_arn = \"arn:aws:kinesis:us-east-1:123456789012:stream/flows\"\n  function_response_types = []",
			want: regexp.MustCompile(`(?s)batch item failures would drop records.*function_response_types.*ReportBatchItemFailures`),
		},
	})
}
