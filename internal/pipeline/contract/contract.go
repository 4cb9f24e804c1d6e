// Package contract holds the names the provider and the Lambda functions it
// deploys share: the handler modes, the environment variables each mode
// reads, where staged rows go, and the EventBridge events the inventory
// rules route to the inventory function. It imports nothing of the
// pipeline, so the provider links these names without the handlers, the
// Parquet library or aws-lambda-go.
package contract

import (
	"fmt"
	"strconv"
	"time"
)

// Values of EnvMode: the handler a function runs.
const (
	ModeCloudWatchLogs = "cloudwatch-logs"
	ModeKinesis        = "kinesis"
	// ModeS3 reads the flow log files that S3 event notifications in an
	// SQS queue name.
	ModeS3 = "s3"
	// ModeCompact merges the staged rows of closed hour partitions into
	// large objects, on an EventBridge schedule (package compaction).
	ModeCompact = "compact"
	// ModeInventory keeps the inventory: EventBridge events update it and
	// a scheduled event runs the full sync.
	ModeInventory = "inventory"
	// ModeWatchdog runs the coverage scan on a schedule.
	ModeWatchdog = "watchdog"
)

// Environment of the enrichment function.
const (
	// EnvMode selects the handler: one of the Mode constants.
	EnvMode = "VPCFLOW_MODE"

	EnvOutputBucket = "VPCFLOW_OUTPUT_BUCKET" // bucket of the rows (required)
	EnvOutputPrefix = "VPCFLOW_OUTPUT_PREFIX" // key prefix, default DefaultOutputPrefix
	EnvOutputFormat = "VPCFLOW_OUTPUT_FORMAT" // ndjson (default) or parquet
	// EnvOutputStaging "true" writes the rows under PREFIX/_staging/, for
	// the compaction (ModeCompact) to merge into large objects.
	EnvOutputStaging = "VPCFLOW_OUTPUT_STAGING"

	// The inventory: either a DynamoDB table kept by the inventory
	// function (the same variable names the table it keeps), or files
	// loaded once per cold start, each a path or an s3://bucket/key URI.
	EnvInventoryTable = "VPCFLOW_INVENTORY_TABLE"
	EnvENIs           = "VPCFLOW_ENIS_FILE"      // describe-network-interfaces output
	EnvTags           = "VPCFLOW_TAGS_FILE"      // get-resources output
	EnvIPRanges       = "VPCFLOW_IP_RANGES_FILE" // ip-ranges.json

	EnvLogFormat     = "VPCFLOW_LOG_FORMAT"      // log format of the flow logs
	EnvLogFormats    = "VPCFLOW_LOG_FORMATS"     // {"log group": "log format", ...} for the others
	EnvWindow        = "VPCFLOW_WINDOW"          // aggregation window, default 60s
	EnvMaxKeys       = "VPCFLOW_MAX_KEYS"        // bound on open connections
	EnvInternetAddrs = "VPCFLOW_INTERNET_ADDRS"  // "true": an endpoint per internet address
	EnvMaxStateBytes = "VPCFLOW_MAX_STATE_BYTES" // Kinesis window state bound
	EnvPartRecords   = "VPCFLOW_PART_RECORDS"    // lines of a flow log file enriched together (s3 mode)
)

// Environment of the compaction, besides EnvOutputBucket, EnvOutputPrefix
// and EnvOutputFormat (the format of the compacted objects).
const (
	// EnvCompactGrace is how long after the end of its hour a partition is
	// compacted, a Go duration; default 1h.
	EnvCompactGrace = "VPCFLOW_COMPACT_GRACE"
	// EnvCompactMaxObjectBytes is the size at which a compacted object is
	// cut; default 134217728 (128 MiB).
	EnvCompactMaxObjectBytes = "VPCFLOW_COMPACT_MAX_OBJECT_BYTES"
)

// Environment of the inventory function, besides EnvInventoryTable.
const (
	// EnvSourceRoles lists, comma separated, the roles in source accounts
	// the scheduled sync assumes.
	EnvSourceRoles = "VPCFLOW_SOURCE_ROLES"
	// EnvSourceExternalID is the external ID those roles require, for the
	// roles EnvSourceExternalIDs does not name.
	EnvSourceExternalID = "VPCFLOW_SOURCE_EXTERNAL_ID"
	// EnvSourceExternalIDs is a JSON object of the external ID each role
	// requires, by role ARN, for source accounts that each chose their own.
	EnvSourceExternalIDs = "VPCFLOW_SOURCE_EXTERNAL_IDS"
)

// DefaultOutputPrefix is where rows go in the bucket unless EnvOutputPrefix
// says otherwise.
const DefaultOutputPrefix = "connections/"

// Output formats of the rows (EnvOutputFormat); empty means FormatNDJSON.
const (
	FormatNDJSON  = "ndjson"
	FormatParquet = "parquet"
)

// ParseFormat checks an output format, "" meaning FormatNDJSON.
func ParseFormat(s string) (string, error) {
	switch s {
	case "", FormatNDJSON:
		return FormatNDJSON, nil
	case FormatParquet:
		return FormatParquet, nil
	}
	return "", fmt.Errorf("unknown output format %q: want %q or %q", s, FormatNDJSON, FormatParquet)
}

// StagingDir is the folder, under the output prefix, of the rows that the
// compaction merges into large objects:
//
//	PREFIX/_staging/dt=YYYY-MM-DD/hour=HH/NAME.{json.gz,parquet}
//
// Athena skips folders whose names begin with an underscore, so the table
// reads the rows only once they are compacted.
const StagingDir = "_staging"

// Event sources and detail types the inventory function decodes.
const (
	SourceTag           = "aws.tag"
	SourceEC2           = "aws.ec2"
	DetailTagChange     = "Tag Change on Resource"
	DetailAPICall       = "AWS API Call via CloudTrail"
	DetailInstanceState = "EC2 Instance State-change Notification"
)

// APICallNames are the EC2 API calls, recorded by CloudTrail, that the
// inventory function decodes, sorted, for the EventBridge rule that selects
// them. Package inventoryevents has a decoder for each and its tests keep
// the two equal.
var APICallNames = []string{
	"AssignIpv6Addresses",
	"AssignPrivateIpAddresses",
	"AssociateAddress",
	"AttachNetworkInterface",
	"CreateNetworkInterface",
	"DeleteNetworkInterface",
	"DetachNetworkInterface",
	"DisassociateAddress",
	"UnassignIpv6Addresses",
	"UnassignPrivateIpAddresses",
}

// Compaction is the compaction's environment, checked.
type Compaction struct {
	Bucket, Prefix, Format string
	Grace                  time.Duration // zero: the default
	MaxObjectBytes         int64         // zero: the default
}

// ParseCompaction reads and checks the compaction's environment; the
// provider calls it at plan time with the environment it will set.
func ParseCompaction(getenv func(string) string) (Compaction, error) {
	c := Compaction{Bucket: getenv(EnvOutputBucket), Prefix: getenv(EnvOutputPrefix), Format: getenv(EnvOutputFormat)}
	if c.Bucket == "" {
		return c, fmt.Errorf("%s is required", EnvOutputBucket)
	}
	if c.Prefix == "" {
		c.Prefix = DefaultOutputPrefix
	}
	var err error
	if c.Format, err = ParseFormat(c.Format); err != nil {
		return c, fmt.Errorf("%s: %w", EnvOutputFormat, err)
	}
	if s := getenv(EnvCompactGrace); s != "" {
		if c.Grace, err = time.ParseDuration(s); err != nil || c.Grace <= 0 {
			return c, fmt.Errorf("%s=%q: want a positive Go duration such as 1h or 30m", EnvCompactGrace, s)
		}
	}
	if s := getenv(EnvCompactMaxObjectBytes); s != "" {
		if c.MaxObjectBytes, err = strconv.ParseInt(s, 10, 64); err != nil || c.MaxObjectBytes <= 0 {
			return c, fmt.Errorf("%s=%q: want a positive number of bytes", EnvCompactMaxObjectBytes, s)
		}
	}
	return c, nil
}
