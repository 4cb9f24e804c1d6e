// Command enricher is the bootstrap of the enrichment function: flow log
// records from CloudWatch Logs subscriptions, delivered directly
// (VPCFLOW_MODE=cloudwatch-logs) or through a Kinesis stream
// (VPCFLOW_MODE=kinesis), or as flow log files in S3 named by S3 event
// notifications in an SQS queue (VPCFLOW_MODE=s3), enriched into rows in
// S3; and the scheduled compaction of staged rows into large objects
// (VPCFLOW_MODE=compact). Package handler reads the rest of its
// configuration from the environment.
//
// It links only what those modes call (S3, DynamoDB, the Parquet writer):
// the inventory and the watchdog have bootstraps of their own
// (internal/pipeline/lambda/lambdazip lists them).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/handler"
)

func main() {
	if os.Getenv(contract.EnvMode) == contract.ModeCompact {
		c, err := handler.CompactFromEnv(context.Background(), os.Getenv)
		if err != nil {
			log.Fatal(err)
		}
		lambda.Start(c.HandleCompact)
		return
	}
	h, err := handler.EnrichFromEnv(context.Background(), os.Getenv(contract.EnvMode), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h)
}
