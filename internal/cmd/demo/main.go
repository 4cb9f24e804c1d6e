// Command demo runs the deployed enrichment pipeline on a synthetic estate
// with known answers, against the AWS of the environment (a local one:
// AWS_ENDPOINT_URL), as make demo does after applying examples/complete
// (scripts/demo.sh):
//
//	demo setup
//	demo run -function NAME [-log-group NAME] [-hours N] [-connections N] [-seed N] [-dir DIR]
//
// setup creates the log groups of the estate's other flow logs and prints
// the configuration's variables as JSON (terraform.tfvars.json). run
// pushes the estate's records, enriches them with the function's handler,
// copies the rows from S3 into DIR with the ground truth (for
// internal/cmd/answers) and draws the HTML report.
//
// It exits 1 when a stage fails, 2 on unusable arguments.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/demo"
)

const usage = "usage: demo setup | demo run -function NAME [-log-group NAME] [-hours N] [-connections N] [-seed N] [-dir DIR]"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fail(err)
	}
	switch os.Args[1] {
	case "setup":
		vars, err := demo.Setup(ctx, cfg)
		if err != nil {
			fail(err)
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(vars); err != nil {
			fail(err)
		}
	case "run":
		var stack demo.Stack
		opts := demo.Options{Progress: os.Stdout}
		fs := flag.NewFlagSet("run", flag.ExitOnError)
		fs.StringVar(&stack.FunctionName, "function", "", "the enricher function (Kinesis mode) the configuration deployed")
		fs.StringVar(&stack.LogGroup, "log-group", "", "the flow log group the configuration created")
		fs.Uint64Var(&opts.Seed, "seed", 1, "seed of the synthetic estate")
		fs.IntVar(&opts.HoursPerDay, "hours", 8, "hours of traffic per day of the estate, 1 to 24")
		fs.IntVar(&opts.Connections, "connections", 8, "connections carrying each conversation, each logged as records of its own")
		fs.StringVar(&opts.Dir, "dir", "demo-output", "directory for the rows and the report")
		_ = fs.Parse(os.Args[2:])
		if stack.FunctionName == "" || fs.NArg() > 0 {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		if _, err := demo.Run(ctx, cfg, stack, opts); err != nil {
			fail(err)
		}
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "demo:", err)
	os.Exit(1)
}
