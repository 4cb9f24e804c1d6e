package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/handler"
)

// startCompaction serves the scheduled compaction of the staged rows
// (VPCFLOW_MODE=compact).
func startCompaction() {
	h, err := handler.CompactFromEnv(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.HandleCompact)
}
