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
// is set) it serves CloudWatch Logs subscription events instead; see
// lambda.go for its configuration. With VPCFLOW_MODE set to cloudwatch-logs,
// kinesis or s3 (flow log files named by S3 notifications in an SQS queue)
// it writes the rows to S3 instead, with inventory it keeps the inventory
// table current, with compact it merges the staged rows into large objects
// (package compaction), and with watchdog it runs the flow log coverage
// watchdog (package handler).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/handler"
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		if mode := os.Getenv(handler.EnvMode); mode != "" {
			if mode == handler.ModeInventory {
				// Inventory events and the scheduled full sync.
				h, err := handler.InventoryFromEnv(context.Background(), os.Getenv)
				if err != nil {
					log.Fatal(err)
				}
				lambda.Start(h)
				return
			}
			if mode == handler.ModeCompact {
				startCompaction()
				return
			}
			if mode == handler.ModeWatchdog {
				// The coverage watchdog, on an EventBridge schedule.
				w, err := handler.NewWatchdogFromEnv(context.Background(), os.Getenv)
				if err != nil {
					log.Fatal(err)
				}
				lambda.Start(w.HandleWatchdog)
				return
			}
			// Rows to S3: see package handler for the configuration.
			h, err := handler.EnrichFromEnv(context.Background(), mode, os.Getenv)
			if err != nil {
				log.Fatal(err)
			}
			lambda.Start(h)
			return
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
