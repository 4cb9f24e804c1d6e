package delivery

// CodeInfo documents one finding code.
type CodeInfo struct {
	Code     string
	Severity string // the usual severity; optional needs turn errors into warnings
	Summary  string
}

var codes = []CodeInfo{
	{"TRUST_SERVICE_NOT_TRUSTED", SeverityError, "no trust statement lets the service assume the role"},
	{"TRUST_WRONG_SERVICE_PRINCIPAL", SeverityError, "a trust statement names a near-miss service principal (typo or a related service)"},
	{"TRUST_ACTION_MISSING", SeverityError, "a trust statement names the service but not sts:AssumeRole"},
	{"TRUST_SOURCE_ACCOUNT_MISMATCH", SeverityError, "the aws:SourceAccount guard does not match the account the service sends"},
	{"TRUST_SOURCE_ARN_MISMATCH", SeverityError, "the aws:SourceArn guard cannot match the ARN the service sends (service, region, account, resource, or a literal *)"},
	{"TRUST_CONDITION_NOT_MET", SeverityError, "another trust condition fails for the request the service makes"},
	{"TRUST_EXPLICIT_DENY", SeverityError, "a Deny statement in the trust policy matches the service's sts:AssumeRole"},
	{"TRUST_NO_CONFUSED_DEPUTY_GUARD", SeverityWarning, "the service may assume the role without aws:SourceAccount or aws:SourceArn conditions"},
	{"TRUST_WILDCARD_PRINCIPAL", SeverityWarning, `the trust policy lets every principal ("*", {"AWS": "*"}, or NotPrincipal) assume the role`},
	{"TRUST_SOURCE_ARN_PINNED", SeverityWarning, "aws:SourceArn names one flow log ID, so other or re-created flow logs cannot use the role"},
	{"TRUST_GUARD_NEVER_MATCHES", SeverityWarning, "a guarded trust statement can never apply while another statement grants access anyway"},
	{"TRUST_RESOURCE_MISMATCH", SeverityError, "a trust statement names a resource the request does not match"},

	{"PERMISSION_NO_POLICIES", SeverityError, "the role has no permission policies"},
	{"PERMISSION_ACTION_MISSING", SeverityError, "no permission policy allows a needed action (names likely misspellings)"},
	{"PERMISSION_LOG_GROUP_MISSING_WILDCARD", SeverityError, `a statement names the log group ARN without ":*", which CloudWatch Logs never matches`},
	{"PERMISSION_RESOURCE_MISMATCH", SeverityError, "a statement allows the action on other resources than the one the call is authorized against"},
	{"PERMISSION_CONDITION_NOT_MET", SeverityError, "a statement would allow the call but its condition fails for the role session"},
	{"PERMISSION_EXPLICIT_DENY", SeverityError, "a Deny statement in a permission policy or the boundary matches a needed call"},
	{"PERMISSION_BOUNDARY_BLOCKS", SeverityError, "the permission policies allow a needed call but the permissions boundary does not"},

	{"ROLE_MISSING", SeverityError, "the destination needs a role and none is given"},
	{"ROLE_ARN_INVALID", SeverityError, "the role ARN is not an IAM role ARN"},
	{"ROLE_ACCOUNT_MISMATCH", SeverityError, "the role is not in the flow log's account"},
	{"ROLE_IGNORED", SeverityWarning, "a role is given where the destination does not use one"},

	{"DESTINATION_TYPE_INVALID", SeverityError, "the destination type is not cloud-watch-logs, s3 or kinesis-data-firehose"},
	{"DESTINATION_ARN_INVALID", SeverityError, "the destination ARN does not fit the destination type"},
	{"DESTINATION_REGION_MISMATCH", SeverityError, "the log group or delivery stream is in another region than the flow log"},
	{"DESTINATION_ACCOUNT_MISMATCH", SeverityError, "the log group is in another account than the flow log"},
	{"DESTINATION_BUCKET_POLICY_MISSING", SeverityWarning, "the bucket has no policy, so nothing lets the log delivery service s3:PutObject; AWS adds one at creation only if the creator may s3:GetBucketPolicy and s3:PutBucketPolicy (an error when it may not)"},
	{"DESTINATION_BUCKET_POLICY_INCOMPLETE", SeverityWarning, "the bucket policy has no statement for the log delivery service; AWS adds them at creation only if the creator may s3:GetBucketPolicy and s3:PutBucketPolicy (an error when it may not)"},
	{"DESTINATION_BUCKET_PREFIX_MISMATCH", SeverityError, "the log delivery statement names another prefix or key layout (Hive or default)"},
	{"DESTINATION_BUCKET_RESOURCE_MISMATCH", SeverityError, "the log delivery statement names other objects (e.g. another account's AWSLogs folder)"},
	{"DESTINATION_BUCKET_WRONG_SERVICE_PRINCIPAL", SeverityError, "a bucket statement names a near-miss service instead of delivery.logs.amazonaws.com"},
	{"DESTINATION_BUCKET_ACTION_MISSING", SeverityWarning, "a bucket statement for the log delivery service lacks a needed action"},
	{"DESTINATION_BUCKET_SOURCE_ACCOUNT_MISMATCH", SeverityError, "the bucket statement's aws:SourceAccount does not match the flow log account"},
	{"DESTINATION_BUCKET_SOURCE_ARN_MISMATCH", SeverityError, "the bucket statement's aws:SourceArn cannot match arn:aws:logs:REGION:ACCOUNT:*"},
	{"DESTINATION_BUCKET_CONDITION_NOT_MET", SeverityError, "another bucket statement condition fails (e.g. s3:x-amz-acl)"},
	{"DESTINATION_BUCKET_EXPLICIT_DENY", SeverityError, "a Deny statement in the bucket policy matches log delivery"},
	{"DESTINATION_KMS_KEY_POLICY_UNKNOWN", SeverityWarning, "the destination is KMS-encrypted but the key policy was not given"},
	{"DESTINATION_KMS_AWS_MANAGED_KEY", SeverityError, "the destination uses an AWS managed key, whose policy cannot allow log delivery"},
	{"DESTINATION_KMS_NOT_GRANTED", SeverityError, "the key policy has no statement for the service that encrypts the logs"},
	{"DESTINATION_KMS_WRONG_SERVICE_PRINCIPAL", SeverityError, "the key policy names a near-miss principal (e.g. global logs.amazonaws.com, another region)"},
	{"DESTINATION_KMS_ACTION_MISSING", SeverityError, "a key statement for the service lacks a needed kms action"},
	{"DESTINATION_KMS_RESOURCE_MISMATCH", SeverityError, "a key statement names another key"},
	{"DESTINATION_KMS_SOURCE_ACCOUNT_MISMATCH", SeverityError, "the key statement's aws:SourceAccount does not match"},
	{"DESTINATION_KMS_SOURCE_ARN_MISMATCH", SeverityError, "the key statement's aws:SourceArn cannot match"},
	{"DESTINATION_KMS_CONDITION_NOT_MET", SeverityError, "another key statement condition fails (e.g. the encryption context names the log group with :*)"},
	{"DESTINATION_KMS_EXPLICIT_DENY", SeverityError, "a Deny statement in the key policy matches the service"},

	{"POLICY_INVALID_JSON", SeverityError, "a document is not valid JSON"},
	{"POLICY_MALFORMED", SeverityError, "a document breaks the policy grammar (element, Effect, Principal, Resource, Version, duplicate Sid)"},
	{"POLICY_INVALID_ACTION", SeverityError, `an action is not of the form "service:Action"`},
	{"POLICY_UNKNOWN_CONDITION_OPERATOR", SeverityError, "a condition operator is not one IAM knows"},
	{"POLICY_INVALID_CONDITION_VALUE", SeverityError, "a condition value cannot be read by its operator (number, date, CIDR, Boolean)"},
	{"POLICY_LITERAL_WILDCARD", SeverityWarning, "a StringEquals-family condition has * or ?, which it compares literally"},
}

// Codes lists every finding code Check, CheckTrustPolicy and CheckServiceRole can return.
func Codes() []CodeInfo { return append([]CodeInfo(nil), codes...) }
