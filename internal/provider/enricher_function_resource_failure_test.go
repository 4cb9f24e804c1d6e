package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// TestAccEnricherFunction_failureDestination: an enricher that CloudWatch
// Logs invokes directly (mode subscription), without an on-failure
// destination, plans with a warning on on_failure_destination_arn that a
// failed invocation is discarded without a trace; with a queue the warning
// is gone and the function's asynchronous invocation config sends there.
func TestAccEnricherFunction_failureDestination(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	queue := fmt.Sprintf("arn:aws:sqs:%s:%s:%s-failed", acctest.Region, acctest.AccountID, name)
	config := func(extra string) string {
		return testAccEnricherConfig(name, "  "+extra)
	}
	warnings := &planWarnings{}
	const typeName, attr = "vpcflow_enricher_function", "on_failure_destination_arn"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: warnings.factories(),
		CheckDestroy:             testAccCheckEnricherDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: config(""),
				Check: warnings.check(typeName, attr, true, "dropped without a trace", `mode = "subscription"`, "asynchronously",
					"retries it twice", "SQS queue ARN", "sqs:SendMessage"),
			},
			{
				PreConfig: warnings.reset,
				Config:    config(fmt.Sprintf("on_failure_destination_arn = %q", queue)),
				Check: resource.ComposeTestCheckFunc(
					warnings.check(typeName, attr, false),
					func(*terraform.State) error {
						c, err := testAccLambdaClient(t).GetFunctionEventInvokeConfig(context.Background(), &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
						if err != nil {
							return err
						}
						if c.DestinationConfig == nil || c.DestinationConfig.OnFailure == nil || aws.ToString(c.DestinationConfig.OnFailure.Destination) != queue {
							return fmt.Errorf("asynchronous invocation config %+v, want on failure %s", c.DestinationConfig, queue)
						}
						return nil
					},
				),
			},
		},
	})
}
