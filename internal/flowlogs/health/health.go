// Package health explains the terse messages AWS gives about a flow
// log that delivers nothing, or that CreateFlowLogs refuses, as a root cause
// and the fix. It has no Terraform or AWS imports: callers pass the strings
// AWS returned.
package health

import (
	"strings"
)

// Destination types, as EC2 names them.
const (
	DestinationCloudWatchLogs = "cloud-watch-logs"
	DestinationS3             = "s3"
	DestinationFirehose       = "kinesis-data-firehose"
)

// Delivery statuses of DescribeFlowLogs.
const (
	StatusSuccess = "SUCCESS"
	StatusFailed  = "FAILED"
)

// Codes of the causes; stable, for tests and for users matching on them.
const (
	CodeAccessError           = "DELIVERY_ACCESS_ERROR"
	CodeRateLimited           = "DELIVERY_RATE_LIMITED"
	CodeUnknownError          = "DELIVERY_UNKNOWN_ERROR"
	CodeLogGroupLimit         = "LOG_GROUP_LIMIT_EXCEEDED"
	CodeRoleNotAssumable      = "ROLE_NOT_ASSUMABLE"
	CodeDestinationPermission = "DESTINATION_PERMISSION"
	CodeDestinationNotFound   = "DESTINATION_NOT_FOUND"
	CodeCallerNotAuthorized   = "CALLER_NOT_AUTHORIZED"
	CodeAlreadyExists         = "FLOW_LOG_ALREADY_EXISTS"
	CodeUnrecognised          = "UNRECOGNISED"
)

// Cause is the explanation of one AWS message.
type Cause struct {
	Code      string
	AWSCode   string // the error code AWS gave, if any
	AWSReason string // the message AWS gave, verbatim
	RootCause string // what is wrong, in the user's terms
	Fix       string
	// MayBePropagation is true when AWS gives the same message for a role
	// created moments ago that IAM has not yet made visible everywhere, so
	// a bounded retry is worth it unless a check already explained it.
	MayBePropagation bool
}

// String renders the cause for a diagnostic or an attribute: AWS's words,
// the root cause, then the fix.
func (c Cause) String() string {
	var b strings.Builder
	if c.AWSReason != "" || c.AWSCode != "" {
		b.WriteString("AWS reported: ")
		switch {
		case c.AWSCode != "" && c.AWSReason != "":
			b.WriteString(c.AWSCode + ": " + c.AWSReason)
		case c.AWSCode != "":
			b.WriteString(c.AWSCode)
		default:
			b.WriteString(c.AWSReason)
		}
		b.WriteString("\n\n")
	}
	b.WriteString(c.RootCause)
	if c.Fix != "" {
		b.WriteString("\n\nFix: " + c.Fix)
	}
	b.WriteString("\n\n(" + c.Code + ")")
	return b.String()
}

// checkHint points at the provider's own check, which names the statement at fault.
const checkHint = "`terraform plan` with the provider's `validation = \"error\"` (or the `vpcflow_delivery_check` data source) " +
	"names the statement at fault."

// recreateHint is needed because a flow log that failed keeps reporting the
// failure for a while after the policy is fixed; recreating it is the
// reliable way to confirm the fix.
const recreateHint = " After the fix, recreate the flow log (`terraform apply -replace=<address>`) to confirm delivery."

// Delivery explains a DescribeFlowLogs delivery status. ok is false when the
// status is not FAILED: there is nothing to explain.
func Delivery(status, message, destinationType string) (cause Cause, ok bool) {
	if !strings.EqualFold(status, StatusFailed) {
		return Cause{}, false
	}
	c := explainDelivery(message, destinationType)
	c.AWSReason = message
	return c, true
}

func explainDelivery(message, destinationType string) Cause {
	m := strings.ToLower(message)
	switch {
	case strings.Contains(m, "access error"), strings.Contains(m, "not accessible"):
		return accessError(destinationType)
	case strings.Contains(m, "loggrouplimitexceeded"), strings.Contains(m, "limit on the number of log groups"):
		return logGroupLimit()
	case strings.Contains(m, "rate limited"):
		return Cause{
			Code: CodeRateLimited,
			RootCause: "CloudWatch Logs throttled the flow log's writes (PutLogEvents) for one or more network interfaces, " +
				"or the account reached its quota of log groups. Records are dropped while this lasts.",
			Fix: "Raise the CloudWatch Logs PutLogEvents quota for the region (Service Quotas), spread flow logs over more log groups, " +
				"or deliver to S3, which is not rate limited this way.",
		}
	case strings.Contains(m, "unknown error"):
		return Cause{
			Code:      CodeUnknownError,
			RootCause: "AWS reported an internal error of the flow log service; the configuration is not known to be at fault.",
			Fix: "Wait and read the status again (`terraform plan` refreshes it). If it stays FAILED, recreate the flow log " +
				"(`terraform apply -replace=<address>`) and open an AWS support case with the flow log ID.",
		}
	case strings.Contains(m, "unable to assume"):
		c := roleNotAssumable()
		c.MayBePropagation = false
		return c
	case strings.Contains(m, "does not exist"), strings.Contains(m, "not found"), strings.Contains(m, "notfound"):
		return destinationNotFound(destinationType)
	}
	return Cause{
		Code:      CodeUnrecognised,
		RootCause: "The flow log delivers nothing, for a reason this provider does not recognise.",
		Fix:       checkHint + recreateHint,
	}
}

func accessError(destinationType string) Cause {
	c := Cause{Code: CodeAccessError}
	switch destinationType {
	case DestinationS3:
		c.RootCause = "The log delivery service (delivery.logs.amazonaws.com) cannot write to the bucket: the bucket policy does not allow " +
			"s3:PutObject on <bucket>/<prefix>/AWSLogs/<account>/* and s3:GetBucketAcl on the bucket, or an explicit Deny or a condition " +
			"(s3:x-amz-acl, aws:SourceAccount, aws:SourceArn) rejects it, or the bucket's SSE-KMS key policy does not let the service use the key, " +
			"or the bucket was deleted."
		c.Fix = "Allow delivery.logs.amazonaws.com to write under the flow log's prefix (with Hive-compatible partitions the key starts " +
			"AWSLogs/aws-account-id=<account>/) and to read the bucket ACL; on an SSE-KMS bucket allow it kms:GenerateDataKey* and kms:Decrypt. " +
			checkHint + recreateHint
	case DestinationFirehose:
		c.RootCause = "The flow log cannot write to the Firehose delivery stream: the stream was deleted, or, across accounts, " +
			"the role in deliver_cross_account_role does not trust the flow log's account or lacks firehose:PutRecord/PutRecordBatch " +
			"on the stream, or the source role may not pass it (iam:PassRole)."
		c.Fix = "Give the cross-account role a trust policy for the flow log account and firehose:PutRecord and firehose:PutRecordBatch " +
			"on the stream. " + checkHint + recreateHint
	default:
		c.RootCause = "The IAM role in iam_role_arn cannot publish to the log group: its trust policy does not let vpc-flow-logs.amazonaws.com " +
			"assume it (or a condition such as aws:SourceAccount/aws:SourceArn does not match), or its policies do not allow " +
			"logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogGroups and logs:DescribeLogStreams on the log group and its streams " +
			"(the Resource must end with \":*\"), or a permissions boundary or SCP denies them, or the log group's KMS key does not " +
			"allow the CloudWatch Logs service, or the role or log group was deleted."
		c.Fix = "Fix the role's trust policy and permissions so the service can write to arn:aws:logs:<region>:<account>:log-group:<name>:*. " +
			checkHint + recreateHint
	}
	return c
}

func logGroupLimit() Cause {
	return Cause{
		Code:      CodeLogGroupLimit,
		RootCause: "The account reached its CloudWatch Logs quota of log groups in the region, so the log group cannot be created.",
		Fix:       "Create the log group before the flow log, delete unused log groups, or request a higher quota (Service Quotas, CloudWatch Logs).",
	}
}

func roleNotAssumable() Cause {
	return Cause{
		Code: CodeRoleNotAssumable,
		RootCause: "VPC Flow Logs could not assume the role: its trust policy does not allow vpc-flow-logs.amazonaws.com to call " +
			"sts:AssumeRole (or a condition on aws:SourceAccount/aws:SourceArn does not match this flow log), or the role does not exist. " +
			"IAM gives the same answer for a role created moments ago that is not yet visible everywhere.",
		Fix: "Trust the service principal vpc-flow-logs.amazonaws.com for sts:AssumeRole in the role's trust policy, with aws:SourceAccount " +
			"set to the flow log's account. " + checkHint,
		MayBePropagation: true,
	}
}

func destinationNotFound(destinationType string) Cause {
	c := Cause{Code: CodeDestinationNotFound}
	switch destinationType {
	case DestinationS3:
		c.RootCause = "The bucket in log_destination does not exist (or is in a partition this flow log cannot reach)."
		c.Fix = "Create the bucket first (make the flow log depend on it) or correct log_destination."
	case DestinationFirehose:
		c.RootCause = "The Firehose delivery stream in log_destination does not exist in that account and region."
		c.Fix = "Create the delivery stream first (make the flow log depend on it) or correct log_destination."
	default:
		c.RootCause = "The log group in log_destination does not exist."
		c.Fix = "Create the log group first (make the flow log depend on it) or correct log_destination."
	}
	return c
}

// CreateError explains an error of CreateFlowLogs, whether the call failed
// (code and message of the API error) or returned it as an Unsuccessful item.
func CreateError(code, message, destinationType string) Cause {
	c := explainCreate(code, message, destinationType)
	c.AWSCode, c.AWSReason = code, message
	return c
}

func explainCreate(code, message, destinationType string) Cause {
	m := strings.ToLower(message)
	lc := strings.ToLower(code)
	switch {
	case strings.Contains(m, "unable to assume"):
		return roleNotAssumable()
	case lc == "unauthorizedoperation", strings.Contains(m, "not authorized to perform"):
		c := Cause{Code: CodeCallerNotAuthorized}
		switch destinationType {
		case DestinationS3:
			c.RootCause = "The identity running Terraform may not create this flow log: a flow log to S3 needs ec2:CreateFlowLogs, " +
				"logs:CreateLogDelivery, and s3:GetBucketPolicy and s3:PutBucketPolicy so the service can add its statement to the bucket policy. " +
				"AWS says only \"not authorized\"."
			c.Fix = "Grant the Terraform identity ec2:CreateFlowLogs, logs:CreateLogDelivery and logs:DeleteLogDelivery, " +
				"and s3:GetBucketPolicy and s3:PutBucketPolicy on the bucket."
		case DestinationFirehose:
			c.RootCause = "The identity running Terraform may not create this flow log: a flow log to Firehose needs ec2:CreateFlowLogs " +
				"and logs:CreateLogDelivery, and across accounts iam:PassRole on iam_role_arn. AWS says only \"not authorized\"."
			c.Fix = "Grant the Terraform identity ec2:CreateFlowLogs, logs:CreateLogDelivery and logs:DeleteLogDelivery " +
				"(and iam:PassRole on iam_role_arn for a cross-account stream)."
		default:
			c.RootCause = "The identity running Terraform may not create this flow log: it needs ec2:CreateFlowLogs and iam:PassRole " +
				"on the delivery role in iam_role_arn. AWS says only \"not authorized\", which most often means iam:PassRole is missing."
			c.Fix = "Grant the Terraform identity iam:PassRole on the delivery role (optionally with the condition " +
				"iam:PassedToService = vpc-flow-logs.amazonaws.com) and ec2:CreateFlowLogs."
		}
		return c
	case strings.Contains(lc, "logdestinationpermissionissue"), strings.Contains(m, "access denied for logdestination"),
		strings.Contains(m, "check logdestination permission"):
		c := Cause{Code: CodeDestinationPermission}
		switch destinationType {
		case DestinationFirehose:
			c.RootCause = "AWS could not set up delivery to the Firehose stream: the stream's account does not allow this account, " +
				"or the cross-account role cannot be used."
			c.Fix = "Check deliver_cross_account_role's trust policy and permissions on the stream. " + checkHint
		default:
			c.RootCause = "AWS could not set up delivery to the bucket: the bucket policy does not allow delivery.logs.amazonaws.com " +
				"(s3:PutObject under the prefix, s3:GetBucketAcl) and the caller could not add that statement (no s3:PutBucketPolicy, " +
				"or the bucket is in another account), or the bucket's SSE-KMS key does not allow the service."
			c.Fix = "Add the AWSLogDeliveryWrite and AWSLogDeliveryAclCheck statements to the bucket policy for the flow log's account " +
				"and prefix, and let delivery.logs.amazonaws.com use the bucket's KMS key. " + checkHint
		}
		return c
	case strings.Contains(lc, "loggrouplimitexceeded"), strings.Contains(m, "loggrouplimitexceeded"):
		return logGroupLimit()
	case strings.Contains(lc, "logdestinationnotfound"), strings.Contains(m, "does not exist"), strings.Contains(m, "not found"):
		return destinationNotFound(destinationType)
	case strings.Contains(lc, "flowlogalreadyexists"), strings.Contains(m, "existing flow log"):
		return Cause{
			Code:      CodeAlreadyExists,
			RootCause: "A flow log with the same resource, traffic type and destination already exists; AWS allows only one.",
			Fix:       "Import it (`terraform import <address> fl-...`) or remove the other one.",
		}
	}
	return Cause{
		Code:      CodeUnrecognised,
		RootCause: "AWS refused the flow log for a reason this provider does not recognise.",
		Fix:       checkHint,
	}
}

// IsPropagation reports whether a CreateFlowLogs error is the one IAM gives
// for a role created moments ago. It only says the error may be
// propagation; a role the checker found broken is not worth retrying.
func IsPropagation(code, message string) bool {
	return CreateError(code, message, "").MayBePropagation
}
