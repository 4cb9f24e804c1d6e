package pipelinepolicy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

// LambdaService is the principal Lambda assumes execution roles as.
const LambdaService = "lambda.amazonaws.com"

// ExecutionPolicyName is the name of the inline policy on the enricher's execution role.
const ExecutionPolicyName = "vpcflow-enricher"

// What the enricher function is invoked with, which decides what it may do.
const (
	// ModeSubscription: CloudWatch Logs subscription events; reads the
	// inventory, writes enriched rows.
	ModeSubscription = "subscription"
	// ModeKinesis: Kinesis records holding subscription payloads; as
	// ModeSubscription, and reads the stream.
	ModeKinesis = "kinesis"
	// ModeInventory: EventBridge events and the scheduled sync; writes the
	// inventory and describes network interfaces.
	ModeInventory = "inventory"
	// ModeWatchdog: the EventBridge schedule of vpcflow_watchdog; scans
	// flow log coverage, publishes CloudWatch metrics and EventBridge
	// events, and keeps its state in S3 (see Watchdog).
	ModeWatchdog = "watchdog"
	// ModeS3: SQS messages of S3 event notifications naming flow log
	// files; reads the queue and the files under the source bucket and
	// prefix, then as ModeSubscription.
	ModeS3 = "s3"
	// ModeCompact: the EventBridge schedule of vpcflow_compaction_schedule;
	// lists, reads, writes and deletes the enriched objects under the
	// output prefix, merging the staged rows into large objects (package
	// compaction).
	ModeCompact = "compact"
)

// Modes lists the accepted modes, for validators and descriptions.
var Modes = []string{ModeSubscription, ModeKinesis, ModeInventory, ModeWatchdog, ModeS3, ModeCompact}

// Statement ids of the execution role's documents.
const (
	SidLambdaAssumeRole  = "LambdaAssumeRole"
	SidWriteOwnLogs      = "WriteOwnLogs"
	SidReadInventory     = "ReadInventory"
	SidWriteInventory    = "WriteInventory"
	SidPutOutput         = "PutOutput"
	SidReadKinesisStream = "ReadKinesisStream"
	SidDescribeNetwork   = "DescribeNetwork"
	SidAssumeSourceRoles = "AssumeSourceAccountRoles"
	SidSendFailedInvokes = "SendFailedInvocations"
	SidReadSourceQueue   = "ReadSourceQueue"
	SidReadSourceFiles   = "ReadSourceFlowLogFiles"
	SidCompactOutput     = "CompactOutput"
	SidListOutput        = "ListOutput"
)

// Actions granted by the execution role, per statement.
var (
	// LogActions write the function's own log; the group is created with
	// the function, so logs:CreateLogGroup is not granted.
	LogActions = []string{"logs:CreateLogStream", "logs:PutLogEvents"}
	// InventoryReadActions are the calls of inventorystore's lookups.
	InventoryReadActions = []string{"dynamodb:GetItem", "dynamodb:Query"}
	// InventoryWriteActions are the calls of inventorystore's updates.
	InventoryWriteActions = []string{"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"}
	// KinesisReadActions are what a Lambda event source mapping on a stream
	// calls with the function's role (Lambda Developer Guide, "Execution
	// role permissions" for Kinesis).
	KinesisReadActions = []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"}
	// DescribeNetworkActions are what the inventory handler and sync ask of
	// EC2 and the tagging API. They do not support resource-level
	// permissions, so the resource is "*".
	DescribeNetworkActions = []string{"ec2:DescribeAddresses", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "tag:GetResources"}
	// ReplayActions let the scheduled sync replay the last management
	// events (CloudTrail LookupEvents) to heal ranges that lost events left
	// open. The sync works without them, healing only forward, so they are
	// granted but not required.
	ReplayActions = []string{"cloudtrail:LookupEvents"}
	// SQSReadActions are what a Lambda event source mapping on an SQS queue
	// calls with the function's role (Lambda Developer Guide, "Execution
	// role permissions" for Amazon SQS).
	SQSReadActions = []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}
	// SourceReadActions read the flow log files in ModeS3: by key, and by
	// version id in a bucket with versioning.
	SourceReadActions = []string{"s3:GetObject", "s3:GetObjectVersion"}
	// CompactObjectActions are what the compaction asks of the objects
	// under the output prefix, besides s3:PutObject: it reads the staged
	// parts and manifests, and deletes the parts it merged (DeleteObjects
	// is authorized as s3:DeleteObject for each key).
	CompactObjectActions = []string{"s3:DeleteObject", "s3:GetObject"}
)

// Execution says what the enricher function does, and so what its role may do.
type Execution struct {
	Partition    string // "aws" unless given
	Region       string
	Account      string
	FunctionName string
	Mode         string
	// InventoryTableARN is the inventory table; "" for none.
	InventoryTableARN string
	// OutputBucket and OutputPrefix locate the enriched objects; no bucket, no output.
	OutputBucket string
	OutputPrefix string
	// KinesisStreamARN is the stream the function reads in ModeKinesis.
	KinesisStreamARN string
	// SourceQueueARN is the SQS queue of notifications, SourceBucket and
	// SourcePrefix where the flow log files are, in ModeS3.
	SourceQueueARN string
	SourceBucket   string
	SourcePrefix   string
	// SourceAccountRoleARNs are roles the inventory function assumes in other accounts.
	SourceAccountRoleARNs []string
	// OnFailureDestinationARN receives records of failed asynchronous invocations.
	OnFailureDestinationARN string
	// Watchdog is what the function does in ModeWatchdog; zero otherwise.
	Watchdog Watchdog
}

// LogGroupName is the function's log group, where Lambda writes by default.
func (e Execution) LogGroupName() string { return "/aws/lambda/" + e.FunctionName }

// LogGroupARN is the function's log group ARN, without ":*".
func (e Execution) LogGroupARN() string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partitionOr(e.Partition), e.Region, e.Account, e.LogGroupName())
}

// FunctionARN is the function's unqualified ARN.
func (e Execution) FunctionARN() string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", partitionOr(e.Partition), e.Region, e.Account, e.FunctionName)
}

// SourceObjectsARN is the S3 resource of the flow log files read in
// ModeS3: every key under the source prefix.
func (e Execution) SourceObjectsARN() string {
	return fmt.Sprintf("arn:%s:s3:::%s/%s*", partitionOr(e.Partition), e.SourceBucket, e.SourcePrefix)
}

// OutputBucketARN is the ARN of the output bucket, which s3:ListBucket is
// authorized against.
func (e Execution) OutputBucketARN() string {
	return fmt.Sprintf("arn:%s:s3:::%s", partitionOr(e.Partition), e.OutputBucket)
}

// OutputObjectsARN is the S3 resource of the enriched objects: every key
// under the prefix.
func (e Execution) OutputObjectsARN() string {
	return fmt.Sprintf("arn:%s:s3:::%s/%s*", partitionOr(e.Partition), e.OutputBucket, e.OutputPrefix)
}

func (e Execution) validate() error {
	if !accountPattern.MatchString(e.Account) {
		return fmt.Errorf("account %q is not a 12-digit account ID", e.Account)
	}
	if !regionPattern.MatchString(e.Region) {
		return fmt.Errorf("region %q is not a region name such as us-east-1", e.Region)
	}
	if e.FunctionName == "" {
		return fmt.Errorf("a function name is needed")
	}
	switch e.Mode {
	case ModeSubscription, ModeInventory, ModeWatchdog, ModeS3, ModeCompact:
		if e.KinesisStreamARN != "" {
			return fmt.Errorf("a Kinesis stream is read only in mode %q", ModeKinesis)
		}
	case ModeKinesis:
		if e.KinesisStreamARN == "" {
			return fmt.Errorf("mode %q needs the Kinesis stream ARN", ModeKinesis)
		}
	default:
		return fmt.Errorf("mode %q is not one of %s", e.Mode, strings.Join(Modes, ", "))
	}
	if e.Mode == ModeS3 {
		if e.SourceQueueARN == "" || e.SourceBucket == "" {
			return fmt.Errorf("mode %q needs the SQS queue ARN and the bucket of the flow log files", ModeS3)
		}
		if a, err := ParseARN(e.SourceQueueARN); err != nil || a.Service != "sqs" {
			return fmt.Errorf("%s is not an SQS queue ARN", e.SourceQueueARN)
		}
		if e.SourceBucket == e.OutputBucket && (strings.HasPrefix(e.SourcePrefix, e.OutputPrefix) || strings.HasPrefix(e.OutputPrefix, e.SourcePrefix)) {
			return fmt.Errorf("the flow log files (s3://%s/%s) and the enriched objects (s3://%s/%s) overlap: the function would read its own output", e.SourceBucket, e.SourcePrefix, e.OutputBucket, e.OutputPrefix)
		}
	} else if e.SourceQueueARN != "" || e.SourceBucket != "" {
		return fmt.Errorf("a queue and a bucket of flow log files are read only in mode %q", ModeS3)
	}
	if e.Mode == ModeInventory && e.InventoryTableARN == "" {
		return fmt.Errorf("mode %q needs the inventory table ARN", ModeInventory)
	}
	if e.Mode == ModeCompact {
		switch {
		case e.OutputBucket == "":
			return fmt.Errorf("mode %q needs the output bucket", ModeCompact)
		case e.InventoryTableARN != "":
			return fmt.Errorf("mode %q reads no inventory table", ModeCompact)
		case len(e.SourceAccountRoleARNs) > 0:
			return fmt.Errorf("mode %q assumes no source account roles", ModeCompact)
		}
	}
	if e.Mode == ModeWatchdog {
		switch {
		case e.InventoryTableARN != "":
			return fmt.Errorf("mode %q reads no inventory table", ModeWatchdog)
		case e.OutputBucket != "":
			return fmt.Errorf("mode %q writes no enriched objects", ModeWatchdog)
		case len(e.SourceAccountRoleARNs) > 0:
			return fmt.Errorf("mode %q assumes the roles of its targets, not source account roles", ModeWatchdog)
		}
		if err := e.Watchdog.validate(); err != nil {
			return err
		}
	} else if !e.Watchdog.isZero() {
		return fmt.Errorf("only mode %q scans coverage, publishes metrics and events and keeps a state", ModeWatchdog)
	}
	if e.OnFailureDestinationARN != "" {
		if _, err := FailureDestinationActions(e.OnFailureDestinationARN); err != nil {
			return err
		}
	}
	return nil
}

// FailureDestinationActions is what a role needs to send a failure record
// to the destination: an SQS queue, SNS topic, Lambda function or
// EventBridge event bus.
func FailureDestinationActions(destinationARN string) ([]string, error) {
	a, err := ParseARN(destinationARN)
	if err != nil {
		return nil, err
	}
	switch a.Service {
	case "sqs":
		return []string{"sqs:SendMessage"}, nil
	case "sns":
		return []string{"sns:Publish"}, nil
	case "lambda":
		return []string{"lambda:InvokeFunction"}, nil
	case "events":
		return []string{"events:PutEvents"}, nil
	}
	return nil, fmt.Errorf("%s is not an SQS queue, SNS topic, Lambda function or EventBridge event bus, the on-failure destinations of a Lambda function", destinationARN)
}

// ExecutionTrustDocument renders the trust policy: Lambda may assume the
// role for functions of the account (aws:SourceAccount).
func ExecutionTrustDocument(e Execution) (string, error) {
	if !accountPattern.MatchString(e.Account) {
		return "", fmt.Errorf("account %q is not a 12-digit account ID", e.Account)
	}
	return render(document{Version: policyVersion, Statement: []statement{{
		Sid:       SidLambdaAssumeRole,
		Effect:    "Allow",
		Principal: servicePrincipal{Service: LambdaService},
		Action:    "sts:AssumeRole",
		Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": e.Account}},
	}}})
}

// ExecutionPermissionsDocument renders the inline policy: the function's
// own log streams, then only what its mode and inputs need.
func ExecutionPermissionsDocument(e Execution) (string, error) {
	if err := e.validate(); err != nil {
		return "", err
	}
	stmts := []statement{{Sid: SidWriteOwnLogs, Effect: "Allow", Action: LogActions, Resource: e.LogGroupARN() + ":*"}}
	if e.InventoryTableARN != "" {
		if e.Mode == ModeInventory {
			stmts = append(stmts, statement{Sid: SidWriteInventory, Effect: "Allow", Action: InventoryWriteActions, Resource: e.InventoryTableARN})
		} else {
			stmts = append(stmts, statement{Sid: SidReadInventory, Effect: "Allow", Action: InventoryReadActions, Resource: e.InventoryTableARN})
		}
	}
	if e.OutputBucket != "" && e.Mode != ModeInventory {
		stmts = append(stmts, statement{Sid: SidPutOutput, Effect: "Allow", Action: "s3:PutObject", Resource: e.OutputObjectsARN()})
	}
	if e.Mode == ModeKinesis {
		stmts = append(stmts, statement{Sid: SidReadKinesisStream, Effect: "Allow", Action: KinesisReadActions, Resource: e.KinesisStreamARN})
	}
	if e.Mode == ModeS3 {
		stmts = append(stmts,
			statement{Sid: SidReadSourceQueue, Effect: "Allow", Action: SQSReadActions, Resource: e.SourceQueueARN},
			statement{Sid: SidReadSourceFiles, Effect: "Allow", Action: SourceReadActions, Resource: e.SourceObjectsARN()})
	}
	if e.Mode == ModeInventory {
		stmts = append(stmts, statement{Sid: SidDescribeNetwork, Effect: "Allow", Action: append(slices.Clone(DescribeNetworkActions), ReplayActions...), Resource: "*"})
		if roles := sortedUnique(e.SourceAccountRoleARNs); len(roles) > 0 {
			stmts = append(stmts, statement{Sid: SidAssumeSourceRoles, Effect: "Allow", Action: "sts:AssumeRole", Resource: oneOrMany(roles)})
		}
	}
	if e.Mode == ModeWatchdog {
		stmts = append(stmts, watchdogStatements(e)...)
	}
	if e.Mode == ModeCompact {
		stmts = append(stmts,
			statement{Sid: SidCompactOutput, Effect: "Allow", Action: CompactObjectActions, Resource: e.OutputObjectsARN()},
			statement{Sid: SidListOutput, Effect: "Allow", Action: "s3:ListBucket", Resource: e.OutputBucketARN(),
				Condition: map[string]map[string]any{"StringLike": {"s3:prefix": e.OutputPrefix + "*"}}})
	}
	if e.OnFailureDestinationARN != "" {
		actions, _ := FailureDestinationActions(e.OnFailureDestinationARN)
		stmts = append(stmts, statement{Sid: SidSendFailedInvokes, Effect: "Allow", Action: oneOrMany(actions), Resource: e.OnFailureDestinationARN})
	}
	return render(document{Version: policyVersion, Statement: stmts})
}

// ExecutionTrustContext is what Lambda sends when it assumes the role.
func ExecutionTrustContext(e Execution) map[string][]string {
	return map[string][]string{"aws:SourceAccount": {e.Account}}
}

// ExecutionNeeds are the calls the function makes with its role, for
// delivery.CheckServiceRole: a role that allows fewer breaks the function
// at run time, not when it is created.
func ExecutionNeeds(e Execution) []delivery.Need {
	stream := e.LogGroupARN() + ":log-stream:2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef"
	var needs []delivery.Need
	for _, a := range LogActions {
		needs = append(needs, delivery.Need{Action: a, Resource: stream, FixResource: e.LogGroupARN() + ":*"})
	}
	if e.InventoryTableARN != "" {
		actions := InventoryReadActions
		if e.Mode == ModeInventory {
			actions = InventoryWriteActions
		}
		for _, a := range actions {
			needs = append(needs, delivery.Need{Action: a, Resource: e.InventoryTableARN})
		}
	}
	if e.OutputBucket != "" && e.Mode != ModeInventory {
		key := fmt.Sprintf("arn:%s:s3:::%s/%syear=2026/month=01/day=01/hour=00/part-0.parquet", partitionOr(e.Partition), e.OutputBucket, e.OutputPrefix)
		needs = append(needs, delivery.Need{Action: "s3:PutObject", Resource: key, FixResource: e.OutputObjectsARN()})
	}
	if e.Mode == ModeKinesis && e.KinesisStreamARN != "" {
		needs = append(needs, KinesisReadNeeds(e.KinesisStreamARN)...)
	}
	if e.Mode == ModeS3 && e.SourceQueueARN != "" {
		needs = append(needs, SQSReadNeeds(e.SourceQueueARN)...)
		file := fmt.Sprintf("arn:%s:s3:::%s/%sAWSLogs/%s/vpcflowlogs/%s/2026/01/01/%s_vpcflowlogs_%s_fl-0123456789abcdef0_20260101T0000Z_0123abcd.log.gz",
			partitionOr(e.Partition), e.SourceBucket, e.SourcePrefix, e.Account, e.Region, e.Account, e.Region)
		for _, a := range SourceReadActions {
			needs = append(needs, delivery.Need{Action: a, Resource: file, FixResource: e.SourceObjectsARN()})
		}
	}
	if e.Mode == ModeInventory {
		for _, a := range DescribeNetworkActions {
			needs = append(needs, delivery.Need{Action: a, Resource: "*"})
		}
		for _, r := range sortedUnique(e.SourceAccountRoleARNs) {
			needs = append(needs, delivery.Need{Action: "sts:AssumeRole", Resource: r})
		}
	}
	if e.Mode == ModeWatchdog {
		needs = append(needs, WatchdogNeeds(e.Partition, e.Region, e.Account, e.Watchdog)...)
	}
	if e.Mode == ModeCompact && e.OutputBucket != "" {
		needs = append(needs, CompactNeeds(e)...)
	}
	if e.OnFailureDestinationARN != "" {
		needs = append(needs, FailureDestinationNeeds(e.OnFailureDestinationARN)...)
	}
	return needs
}

// KinesisReadNeeds are the calls a Lambda event source mapping makes on the
// stream with the function's role.
func KinesisReadNeeds(streamARN string) []delivery.Need {
	needs := make([]delivery.Need, 0, len(KinesisReadActions))
	for _, a := range KinesisReadActions {
		needs = append(needs, delivery.Need{Action: a, Resource: streamARN})
	}
	return needs
}

// SQSReadNeeds are the calls a Lambda event source mapping makes on an SQS
// queue with the function's role.
func SQSReadNeeds(queueARN string) []delivery.Need {
	needs := make([]delivery.Need, 0, len(SQSReadActions))
	for _, a := range SQSReadActions {
		needs = append(needs, delivery.Need{Action: a, Resource: queueARN})
	}
	return needs
}

// FailureDestinationNeeds are the calls that send a failure record to the
// destination; none for an ARN FailureDestinationActions does not know.
func FailureDestinationNeeds(destinationARN string) []delivery.Need {
	actions, err := FailureDestinationActions(destinationARN)
	if err != nil {
		return nil
	}
	needs := make([]delivery.Need, 0, len(actions))
	for _, a := range actions {
		needs = append(needs, delivery.Need{Action: a, Resource: destinationARN})
	}
	return needs
}

// MappingFailureDestinationNeeds are the calls a Kinesis event source
// mapping makes with the function's role to record a batch it gave up on:
// an SQS queue, SNS topic or S3 bucket (Lambda Developer Guide, "Retaining
// discarded batches for a Kinesis event source").
func MappingFailureDestinationNeeds(destinationARN string) ([]delivery.Need, error) {
	a, err := ParseARN(destinationARN)
	if err != nil {
		return nil, err
	}
	switch a.Service {
	case "sqs":
		return []delivery.Need{{Action: "sqs:SendMessage", Resource: destinationARN}}, nil
	case "sns":
		return []delivery.Need{{Action: "sns:Publish", Resource: destinationARN}}, nil
	case "s3":
		return []delivery.Need{
			{Action: "s3:PutObject", Resource: destinationARN + "/aws/lambda/event-source-mapping/0123/2026/01/01/00/record.json", FixResource: destinationARN + "/*"},
			{Action: "s3:ListBucket", Resource: destinationARN},
		}, nil
	}
	return nil, fmt.Errorf("%s is not an SQS queue, SNS topic or S3 bucket, the on-failure destinations of a Kinesis event source mapping", destinationARN)
}

// CompactNeeds are the calls of the compaction besides s3:PutObject: it
// lists the staged parts, the manifests and the compacted objects under
// the output prefix, reads parts and manifests, and deletes the parts it
// merged.
func CompactNeeds(e Execution) []delivery.Need {
	part := fmt.Sprintf("arn:%s:s3:::%s/%s_staging/dt=2026-01-01/hour=00/k-0123456789ab-shardId-000000000000-1-2.parquet",
		partitionOr(e.Partition), e.OutputBucket, e.OutputPrefix)
	needs := make([]delivery.Need, 0, len(CompactObjectActions)+1)
	for _, a := range CompactObjectActions {
		needs = append(needs, delivery.Need{Action: a, Resource: part, FixResource: e.OutputObjectsARN()})
	}
	return append(needs, delivery.Need{Action: "s3:ListBucket", Resource: e.OutputBucketARN(),
		Context: map[string][]string{"s3:prefix": {e.OutputPrefix + "_staging/"}}})
}
