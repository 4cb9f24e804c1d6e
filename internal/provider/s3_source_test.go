package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// The S3 source of the enricher: a queue of the bucket's notifications,
// the function in s3 mode, and the mapping of the queue to the function.
// Moto stores an SQS event source mapping without polling the queue.

func testAccS3SourceConfig(name, bucket, mappingExtra string) string {
	return fmt.Sprintf(`
resource "vpcflow_flow_log_queue" "test" {
  name   = %[1]q
  bucket = %[2]q
  prefix = "flow-logs/"
}

resource "vpcflow_enricher_function" "test" {
  function_name    = %[1]q
  mode             = "s3"
  output_bucket    = %[2]q
  source_bucket    = %[2]q
  source_prefix    = "flow-logs/"
  source_queue_arn = vpcflow_flow_log_queue.test.arn
}

resource "vpcflow_event_source_mapping" "test" {
  function_name    = vpcflow_enricher_function.test.function_name
  event_source_arn = vpcflow_flow_log_queue.test.arn
  %[3]s
}
`, name, bucket, mappingExtra)
}

func TestAccEnricherFunction_s3Source(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	bucket, _ := testAccFlowLogQueueBucket(t)
	name := testAccEnricherName()
	queueARN := fmt.Sprintf("arn:aws:sqs:%s:%s:%s", acctest.Region, acctest.AccountID, name)
	config := testAccS3SourceConfig(name, bucket, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(testAccCheckMappingDestroyed(t), testAccCheckEnricherDestroyed(t),
			testAccCheckFlowLogQueueDestroyed(t, bucket, name)),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccEnricherAddress, tfjsonpath.New("mode"), knownvalue.StringExact("s3")),
					statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("event_source_arn"), knownvalue.StringExact(queueARN)),
					statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("function_response_types"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("ReportBatchItemFailures")})),
					statecheck.ExpectKnownValue(testAccMappingAddress, tfjsonpath.New("starting_position"), knownvalue.StringExact("LATEST")),
				},
				Check: resource.ComposeTestCheckFunc(
					testAccCheckEnricherConfig(t, name, "arm64", map[string]string{
						"VPCFLOW_MODE": "s3", "VPCFLOW_WINDOW": "60s", "VPCFLOW_OUTPUT_BUCKET": bucket, "VPCFLOW_OUTPUT_PREFIX": "connections/",
					}),
					testAccCheckEnricherRolePassesChecker(t, name, pipelinepolicy.Execution{
						Region: acctest.Region, Account: acctest.AccountID, FunctionName: name, Mode: pipelinepolicy.ModeS3,
						OutputBucket: bucket, OutputPrefix: "connections/",
						SourceQueueARN: queueARN, SourceBucket: bucket, SourcePrefix: "flow-logs/",
					}),
					testAccCheckMapping(t, name, func(m *lambda.GetEventSourceMappingOutput) error {
						if aws.ToString(m.EventSourceArn) != queueARN || len(m.FunctionResponseTypes) != 1 {
							return fmt.Errorf("mapping %+v", m)
						}
						return nil
					}),
					testAccCheckFlowLogQueueNotification(t, bucket, name, "flow-logs/", true),
				),
			},
			{
				// The role the function has can read the queue: an empty plan.
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			testAccImportStep(testAccEnricherAddress, name),
			testAccImportStep(testAccMappingAddress, ""),
		},
	})
}

func TestAccEnricherFunction_s3SourcePlanChecks(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	queue := `source_queue_arn = "arn:aws:sqs:us-east-1:123456789012:files"`
	testAccPlanErrors(t, "vpcflow_enricher_function", "function_name", []planErrorCase{
		{"s3 without queue", `mode = "s3"` + "\n  source_bucket = \"logs\"\n  output_bucket = \"rows\"", regexp.MustCompile(`S3 mode needs the queue of notifications`)},
		{"s3 without bucket", `mode = "s3"` + "\n  " + queue + "\n  output_bucket = \"rows\"", regexp.MustCompile(`S3 mode needs the bucket of the flow log files`)},
		{"s3 reading its output", `mode = "s3"` + "\n  " + queue + "\n  source_bucket = \"logs\"\n  output_bucket = \"logs\"",
			regexp.MustCompile(`(?s)Flow log files and enriched objects overlap.*own output`)},
		{"queue without s3 mode", queue + "\n  output_bucket = \"rows\"", regexp.MustCompile(`Flow log file source without S3 mode`)},
	})
	testAccPlanErrors(t, "vpcflow_event_source_mapping", "function_name", []planErrorCase{
		{"stream argument on a queue", `event_source_arn = "arn:aws:sqs:us-east-1:123456789012:files"` + "\n  maximum_retry_attempts = 3",
			regexp.MustCompile(`(?s)Argument of a stream on an SQS queue.*max_receive_count`)},
	})
}
