// Command enricher is the bootstrap of the enrichment function: flow log
// records from CloudWatch Logs subscriptions, delivered directly
// (VPCFLOW_MODE=cloudwatch-logs) or through a Kinesis stream
// (VPCFLOW_MODE=kinesis), enriched into rows in S3. Package handler reads
// the rest of its configuration from the environment.
//
// It links only what those modes call (S3, DynamoDB, the Parquet writer):
// the inventory and the watchdog have bootstraps of their own
// (internal/lambdazip lists them).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/handler"
)

func main() {
	h, err := handler.EnrichFromEnv(context.Background(), os.Getenv(handler.EnvMode), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
