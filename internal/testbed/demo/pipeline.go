package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

type clients struct {
	cfg     aws.Config
	lambda  *lambda.Client
	logs    *cloudwatchlogs.Client
	kinesis *kinesis.Client
	s3      *s3.Client
	dynamo  *dynamodb.Client
	sqs     *sqs.Client
}

func newClients(cfg aws.Config) *clients {
	return &clients{
		cfg:     cfg,
		lambda:  lambda.NewFromConfig(cfg),
		logs:    cloudwatchlogs.NewFromConfig(cfg),
		kinesis: kinesis.NewFromConfig(cfg),
		s3:      s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.DisableLogOutputChecksumValidationSkipped = true }),
		dynamo:  dynamodb.NewFromConfig(cfg),
		sqs:     sqs.NewFromConfig(cfg),
	}
}

// pipeline is the deployed pipeline, as AWS describes it.
type pipeline struct {
	env       map[string]string // the function's environment, with the demo's additions
	bucket    string
	prefix    string
	table     string
	ipRanges  string // s3:// URI of the ip-ranges.json the demo uploads
	streamARN string
	// The event source mapping, as Lambda reports it.
	batchSize      int
	window         time.Duration
	bisect         bool
	reportFailures bool
	maxRetries     int
	onFailure      string
	functionARN    string
	timeout        time.Duration
	memoryMB       int
	format         flowrecord.Format            // VPCFLOW_LOG_FORMAT
	formats        map[string]flowrecord.Format // VPCFLOW_LOG_FORMATS
}

func (pl *pipeline) streamName() string {
	_, name, _ := strings.Cut(pl.streamARN, ":stream/")
	return name
}

func readPipeline(ctx context.Context, c *clients, stack Stack) (*pipeline, error) {
	fn, err := c.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(stack.FunctionName)})
	if err != nil {
		return nil, fmt.Errorf("reading function %s: %w", stack.FunctionName, err)
	}
	pl := &pipeline{env: map[string]string{}, functionARN: aws.ToString(fn.FunctionArn),
		timeout: time.Duration(aws.ToInt32(fn.Timeout)) * time.Second, memoryMB: int(aws.ToInt32(fn.MemorySize))}
	if fn.Environment != nil {
		for k, v := range fn.Environment.Variables {
			pl.env[k] = v
		}
	}
	if mode := pl.env[contract.EnvMode]; mode != contract.ModeKinesis {
		return nil, fmt.Errorf("function %s has %s=%q; the demo reads a Kinesis stream: deploy it with delivery = \"kinesis\"", stack.FunctionName, contract.EnvMode, mode)
	}
	pl.bucket, pl.prefix, pl.table = pl.env[contract.EnvOutputBucket], pl.env[contract.EnvOutputPrefix], pl.env[contract.EnvInventoryTable]
	if pl.prefix == "" {
		pl.prefix = contract.DefaultOutputPrefix
	}
	if pl.bucket == "" || pl.table == "" {
		return nil, fmt.Errorf("function %s has no %s or %s", stack.FunctionName, contract.EnvOutputBucket, contract.EnvInventoryTable)
	}
	if s := pl.env[contract.EnvLogFormat]; s != "" {
		if pl.format, err = flowrecord.ParseFormat(s); err != nil {
			return nil, fmt.Errorf("%s of %s: %w", contract.EnvLogFormat, stack.FunctionName, err)
		}
	}
	pl.formats = map[string]flowrecord.Format{}
	if s := pl.env[contract.EnvLogFormats]; s != "" {
		var m map[string]string
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("%s of %s: %w", contract.EnvLogFormats, stack.FunctionName, err)
		}
		for group, f := range m {
			if pl.formats[group], err = flowrecord.ParseFormat(f); err != nil {
				return nil, fmt.Errorf("%s of %s, log group %s: %w", contract.EnvLogFormats, stack.FunctionName, group, err)
			}
		}
	}

	maps, err := c.lambda.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(stack.FunctionName)})
	if err != nil {
		return nil, fmt.Errorf("reading the event source mappings of %s: %w", stack.FunctionName, err)
	}
	for _, m := range maps.EventSourceMappings {
		if arn := aws.ToString(m.EventSourceArn); strings.Contains(arn, ":kinesis:") {
			pl.streamARN, pl.batchSize = arn, int(aws.ToInt32(m.BatchSize))
			pl.window = time.Duration(aws.ToInt32(m.TumblingWindowInSeconds)) * time.Second
			pl.bisect = aws.ToBool(m.BisectBatchOnFunctionError)
			pl.reportFailures = slices.Contains(m.FunctionResponseTypes, lambdatypes.FunctionResponseTypeReportBatchItemFailures)
			pl.maxRetries = int(aws.ToInt32(m.MaximumRetryAttempts))
			if d := m.DestinationConfig; d != nil && d.OnFailure != nil {
				pl.onFailure = aws.ToString(d.OnFailure.Destination)
			}
		}
	}
	if pl.streamARN == "" {
		return nil, fmt.Errorf("function %s reads no Kinesis stream", stack.FunctionName)
	}
	if pl.batchSize <= 0 {
		pl.batchSize = 100
	}
	pl.ipRanges = "s3://" + pl.bucket + "/demo/ip-ranges.json"
	return pl, nil
}

// groupFor returns the deployed log group that takes a synthetic flow log:
// the one of VPCFLOW_LOG_FORMATS of the same name and format, or else the
// configuration's own group when the format is VPCFLOW_LOG_FORMAT.
func (pl *pipeline) groupFor(fl synthetic.FlowLog, own string) (string, error) {
	f, err := flowrecord.ParseFormat(fl.Format)
	if err != nil {
		return "", err
	}
	same := func(g flowrecord.Format) bool { return slices.Equal(g.Fields(), f.Fields()) }
	if g, ok := pl.formats[fl.LogGroup]; ok && same(g) {
		return fl.LogGroup, nil
	}
	if own != "" && same(pl.format) {
		return own, nil
	}
	return "", fmt.Errorf("no deployed log group takes the records of %s (format %q): pass it in the configuration's log formats", fl.LogGroup, fl.Format)
}

// functionName is the function's name, the last part of its ARN.
func (pl *pipeline) functionName() string {
	return pl.functionARN[strings.LastIndexByte(pl.functionARN, ':')+1:]
}
