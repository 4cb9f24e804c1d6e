// Command watchdog is the bootstrap of the flow log coverage watchdog
// (VPCFLOW_MODE=watchdog), run on an EventBridge schedule (package
// watchdoghandler).
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/watchdoghandler"
)

func main() {
	if mode := os.Getenv("VPCFLOW_MODE"); mode != contract.ModeWatchdog {
		log.Fatal(fmt.Errorf("VPCFLOW_MODE=%q: this is the watchdog's package, which serves %q only", mode, contract.ModeWatchdog))
	}
	w, err := watchdoghandler.NewWatchdogFromEnv(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(w.HandleWatchdog)
}
