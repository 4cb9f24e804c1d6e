package health

import (
	"strings"
	"testing"
)

func TestDelivery(t *testing.T) {
	tests := []struct {
		name        string
		status      string
		message     string
		destination string
		wantOK      bool
		wantCode    string
		mention     []string // fragments the rendered cause must contain
	}{
		{name: "success has nothing to explain", status: "SUCCESS", wantOK: false},
		{name: "empty status has nothing to explain", status: "", message: "Access error", wantOK: false},
		{
			name: "access error to a log group names the role, the :* and the actions", status: "FAILED", message: "Access error",
			destination: DestinationCloudWatchLogs, wantOK: true, wantCode: CodeAccessError,
			mention: []string{"AWS reported: Access error", "iam_role_arn", "vpc-flow-logs.amazonaws.com", `":*"`, "logs:PutLogEvents", "Fix:", "-replace"},
		},
		{
			name: "status is matched without regard to case", status: "failed", message: "Access error",
			destination: DestinationCloudWatchLogs, wantOK: true, wantCode: CodeAccessError,
		},
		{
			name: "access error to S3 names the bucket policy and the delivery service", status: "FAILED", message: "Access error",
			destination: DestinationS3, wantOK: true, wantCode: CodeAccessError,
			mention: []string{"delivery.logs.amazonaws.com", "s3:PutObject", "s3:GetBucketAcl", "AWSLogs/aws-account-id="},
		},
		{
			name: "access error to Firehose names the cross-account role", status: "FAILED", message: "Access error",
			destination: DestinationFirehose, wantOK: true, wantCode: CodeAccessError,
			mention: []string{"deliver_cross_account_role", "firehose:PutRecordBatch"},
		},
		{
			name: "the console's wording of an access error", status: "FAILED", message: "The log destination is not accessible",
			destination: DestinationCloudWatchLogs, wantOK: true, wantCode: CodeAccessError,
		},
		{
			name: "rate limited", status: "FAILED", message: "Rate limited",
			destination: DestinationCloudWatchLogs, wantOK: true, wantCode: CodeRateLimited,
			mention: []string{"PutLogEvents", "quota"},
		},
		{
			name: "unknown error is AWS's own", status: "FAILED", message: "Unknown error",
			destination: DestinationS3, wantOK: true, wantCode: CodeUnknownError,
			mention: []string{"internal error", "support case"},
		},
		{
			name: "log group quota", status: "FAILED", message: "LogGroupLimitExceeded",
			destination: DestinationCloudWatchLogs, wantOK: true, wantCode: CodeLogGroupLimit,
			mention: []string{"quota of log groups"},
		},
		{
			name: "role not assumable during delivery is not propagation", status: "FAILED", message: "Unable to assume given IAM role",
			destination: DestinationCloudWatchLogs, wantOK: true, wantCode: CodeRoleNotAssumable,
		},
		{
			name: "missing log group", status: "FAILED", message: "LogDestinationNotFoundException: log group does not exist",
			destination: DestinationCloudWatchLogs, wantOK: true, wantCode: CodeDestinationNotFound,
			mention: []string{"log group in log_destination does not exist"},
		},
		{
			name: "a message never seen still gets AWS's words and a way forward", status: "FAILED", message: "Something new",
			destination: DestinationS3, wantOK: true, wantCode: CodeUnrecognised,
			mention: []string{"AWS reported: Something new", "vpcflow_delivery_check"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Delivery(tt.status, tt.message, tt.destination)
			if ok != tt.wantOK {
				t.Fatalf("Delivery(%q, %q) ok = %v, want %v", tt.status, tt.message, ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if got.Code != tt.wantCode {
				t.Errorf("code = %s, want %s", got.Code, tt.wantCode)
			}
			if got.MayBePropagation {
				t.Errorf("a delivery failure must never be retried as IAM propagation")
			}
			text := got.String()
			for _, m := range tt.mention {
				if !strings.Contains(text, m) {
					t.Errorf("cause does not mention %q:\n%s", m, text)
				}
			}
			if !strings.HasSuffix(text, "("+tt.wantCode+")") {
				t.Errorf("cause does not end with its code:\n%s", text)
			}
		})
	}
}

func TestCreateError(t *testing.T) {
	tests := []struct {
		name            string
		code, message   string
		destination     string
		wantCode        string
		wantPropagation bool
		mention         []string
	}{
		{
			name: "unable to assume is propagation-shaped", code: "InvalidParameter",
			message:     "Unable to assume given IAM role: 'arn:aws:iam::123456789012:role/flow-logs'",
			destination: DestinationCloudWatchLogs, wantCode: CodeRoleNotAssumable, wantPropagation: true,
			mention: []string{"AWS reported: InvalidParameter: Unable to assume", "vpc-flow-logs.amazonaws.com", "not yet visible"},
		},
		{
			name: "not authorized to a log group means iam:PassRole", code: "UnauthorizedOperation",
			message:     "You are not authorized to perform this operation.",
			destination: DestinationCloudWatchLogs, wantCode: CodeCallerNotAuthorized,
			mention: []string{"iam:PassRole", "iam:PassedToService"},
		},
		{
			name: "not authorized to S3 means log delivery permissions", code: "UnauthorizedOperation",
			message:     "You are not authorized to perform this operation.",
			destination: DestinationS3, wantCode: CodeCallerNotAuthorized,
			mention: []string{"logs:CreateLogDelivery", "s3:PutBucketPolicy"},
		},
		{
			name: "not authorized to Firehose does not mention buckets", code: "UnauthorizedOperation",
			message:     "You are not authorized to perform this operation.",
			destination: DestinationFirehose, wantCode: CodeCallerNotAuthorized,
			mention: []string{"logs:CreateLogDelivery"},
		},
		{
			name: "bucket permission exception by code", code: "LogDestinationPermissionIssueException",
			message:     "Access Denied for LogDestination: my-bucket. Please check LogDestination permission",
			destination: DestinationS3, wantCode: CodeDestinationPermission,
			mention: []string{"AWSLogDeliveryWrite", "AWSLogDeliveryAclCheck"},
		},
		{
			name: "bucket permission by message in an Unsuccessful item", code: "400",
			message:     "Access Denied for LogDestination: my-bucket. Please check LogDestination permission",
			destination: DestinationS3, wantCode: CodeDestinationPermission,
		},
		{
			name: "missing destination by code", code: "LogDestinationNotFoundException", message: "LogDestination: my-bucket does not exist.",
			destination: DestinationS3, wantCode: CodeDestinationNotFound, mention: []string{"bucket in log_destination does not exist"},
		},
		{
			// moto's Unsuccessful item for a missing bucket.
			name: "missing bucket as moto reports it", code: "400", message: "LogDestination: my-bucket does not exist.",
			destination: DestinationS3, wantCode: CodeDestinationNotFound,
		},
		{
			name: "missing stream", code: "LogDestinationNotFoundException", message: "",
			destination: DestinationFirehose, wantCode: CodeDestinationNotFound, mention: []string{"Firehose delivery stream"},
		},
		{
			name: "log group quota", code: "LogGroupLimitExceeded", message: "Resource limit exceeded.",
			destination: DestinationCloudWatchLogs, wantCode: CodeLogGroupLimit,
		},
		{
			name: "duplicate flow log", code: "FlowLogAlreadyExists",
			message:     "Error. There is an existing Flow Log with the same configuration and log destination.",
			destination: DestinationCloudWatchLogs, wantCode: CodeAlreadyExists, mention: []string{"terraform import"},
		},
		{
			name: "anything else keeps AWS's words", code: "InvalidParameterValue", message: "Something new",
			destination: DestinationCloudWatchLogs, wantCode: CodeUnrecognised,
			mention: []string{"AWS reported: InvalidParameterValue: Something new"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CreateError(tt.code, tt.message, tt.destination)
			if got.Code != tt.wantCode {
				t.Errorf("code = %s, want %s", got.Code, tt.wantCode)
			}
			if got.MayBePropagation != tt.wantPropagation {
				t.Errorf("MayBePropagation = %v, want %v", got.MayBePropagation, tt.wantPropagation)
			}
			if IsPropagation(tt.code, tt.message) != tt.wantPropagation {
				t.Errorf("IsPropagation = %v, want %v", !tt.wantPropagation, tt.wantPropagation)
			}
			text := got.String()
			for _, m := range tt.mention {
				if !strings.Contains(text, m) {
					t.Errorf("cause does not mention %q:\n%s", m, text)
				}
			}
			if tt.destination == DestinationFirehose && strings.Contains(text, "s3:PutBucketPolicy") {
				t.Errorf("a Firehose cause mentions bucket policies:\n%s", text)
			}
		})
	}
}

func TestCauseStringWithoutAWSWords(t *testing.T) {
	c := Cause{Code: "X", RootCause: "root", Fix: "fix"}
	if got, want := c.String(), "root\n\nFix: fix\n\n(X)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
