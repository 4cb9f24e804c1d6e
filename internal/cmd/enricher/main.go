// Command enricher enriches VPC flow log records: as an AWS Lambda function
// subscribed to a CloudWatch Logs log group, or as a command-line tool that
// reads flow log lines or subscription payloads and draws the HTML report
// of the rows in S3.
//
// Usage:
//
//	enricher parse [--format FMT] < lines
//	enricher enrich --enis FILE [--tags FILE] [--ip-ranges FILE] [--window 60s]
//	                [--output ndjson|parquet] [--out FILE|-] [--subscription] < input
//	enricher report --from s3://BUCKET/PREFIX|DIR --start RFC3339 --end RFC3339
//	                [--format json|parquet] [--app NAME] [--out FILE|-]
//
// Run "enricher help" for every flag. Inside Lambda (AWS_LAMBDA_RUNTIME_API
// is set) it serves CloudWatch Logs subscription events instead and writes
// the rows to the function's log; see lambda.go for its configuration.
//
// The functions the provider deploys are not this command: each
// VPCFLOW_MODE is served by a smaller bootstrap of its own
// (internal/cmd/lambda/..., listed in internal/pipeline/lambda/lambdazip), which links only
// the clients its mode calls.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		if mode := os.Getenv(envMode); mode != "" {
			log.Fatalf("%s=%q: this is the enricher command, which serves no mode; deploy the package of the mode "+
				"(vpcflow_enricher_function does, and the release publishes one zip per package)", envMode, mode)
		}
		h, err := newCloudWatchLogsHandler(os.Getenv, os.Stdout)
		if err != nil {
			log.Fatal(err)
		}
		lambda.Start(h.Handle)
		return
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// envMode selects the handler of the deployed functions.
const envMode = "VPCFLOW_MODE"
