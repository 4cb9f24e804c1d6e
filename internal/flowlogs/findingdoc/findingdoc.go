// Package findingdoc is the reference of every finding code the provider
// reports: what it means, what AWS does in that situation and how to fix it.
// The list comes from the checkers' own code lists, so the reference page
// (templates/guides/finding-codes.md.tmpl, rendered to
// docs/guides/finding-codes.md) cannot drift from the code; a test fails
// when the page is stale.
package findingdoc

//go:generate go run ../../cmd/findingcodes -out ../../../templates/guides/finding-codes.md.tmpl

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/health"
)

// Entry documents one finding code.
type Entry struct {
	Code     string
	Severity string
	Source   string // which check reports it
	Meaning  string
	AWS      string // what AWS does in this situation
	Fix      string
}

// Sources of findings.
const (
	SourceDelivery = "plan-time delivery check (`vpcflow_flow_log`, `vpcflow_delivery_check`, `vpcflow_coverage` with `check_delivery`)"
	SourceEndpoint = "`vpcflow_endpoint_policy`"
	SourceHealth   = "delivery health: the translation of a `FAILED` flow log's AWS error (`deliver_logs_root_cause`, `vpcflow_coverage`)"
	SourceCoverage = "`vpcflow_coverage`"
	SourceProvider = "the provider's reads of AWS before the check (`vpcflow_flow_log`, `vpcflow_log_group`, `vpcflow_delivery_role`)"
)

// ProviderCodes are the codes the provider reports itself, from what it
// finds (or does not find) in AWS before the engine runs.
var ProviderCodes = []delivery.CodeInfo{
	{Code: "ROLE_NOT_FOUND", Severity: delivery.SeverityError, Summary: "the role named by iam_role_arn does not exist in the flow log's account"},
	{Code: "ROLE_BOUNDARY_NOT_FOUND", Severity: delivery.SeverityError, Summary: "the permissions boundary given to vpcflow_delivery_role does not exist"},
	{Code: "DESTINATION_NOT_FOUND", Severity: delivery.SeverityError, Summary: "the bucket (or, for an existing flow log, the log group) does not exist"},
	{Code: "DESTINATION_KMS_KEY_NOT_FOUND", Severity: delivery.SeverityError, Summary: "the KMS key that encrypts the destination does not exist or its policy cannot be read"},
	{Code: "DESTINATION_KMS_KEY_REGION_MISMATCH", Severity: delivery.SeverityError, Summary: "the log group's KMS key is in another region"},
	{Code: "TRUST_SOURCE_REGION_MISSING", Severity: delivery.SeverityError, Summary: "vpcflow_delivery_role's source_regions leave out the region of a flow log that uses it"},
	{Code: "LOG_GROUP_NOT_FOUND", Severity: delivery.SeverityWarning, Summary: "the log group does not exist at plan time and the role may not create it; checked again at apply"},
}

// healthMeaning documents flowloghealth's codes.
var healthMeaning = map[string]string{
	health.CodeAccessError:           "AWS reports `Access error`: the role or destination refuses delivery",
	health.CodeRateLimited:           "AWS reports `Rate limited`: CloudWatch Logs throttled the delivery",
	health.CodeUnknownError:          "AWS reports `Unknown error`",
	health.CodeLogGroupLimit:         "the account reached its CloudWatch Logs log group quota, so VPC Flow Logs cannot create the group",
	health.CodeRoleNotAssumable:      "VPC Flow Logs could not assume the delivery role",
	health.CodeDestinationPermission: "the bucket or key policy refuses the log delivery service",
	health.CodeDestinationNotFound:   "the destination named by the flow log no longer exists",
	health.CodeCallerNotAuthorized:   "the identity running Terraform may not create the flow log or pass its role",
	health.CodeAlreadyExists:         "a flow log with the same resource, destination and format already exists",
	health.CodeUnrecognised:          "an AWS error message the provider does not know; the message is shown as AWS gave it",
}

var coverageMeaning = map[string]string{
	coveragescan.CodeTrafficTypePartial: "the VPC's flow logs record less traffic than `traffic_type` asks (ACCEPT or REJECT only)",
	coveragescan.CodeCheckIncomplete:    "a role, bucket or key of the flow log could not be read, so its delivery was not checked",
}

// family is the AWS behaviour and fix shared by the codes of a prefix.
type family struct {
	prefix, aws, fix string
}

// families are tried in order; the first prefix that matches wins.
var families = []family{
	{"TRUST_", "VPC Flow Logs (or, for S3 and Firehose, the log delivery service) calls sts:AssumeRole on the role when it delivers, not when the flow log is created: " +
		"AWS accepts the flow log, then delivers nothing and shows `DeliverLogsStatus=FAILED` (\"Access error\") without any alarm.",
		"Edit the role's trust policy as the finding's Fix shows: `\"Principal\": {\"Service\": \"vpc-flow-logs.amazonaws.com\"}`, `\"Action\": \"sts:AssumeRole\"`, " +
			"and `aws:SourceAccount`/`aws:SourceArn` guards that match the flow log. `vpcflow_delivery_role` writes a correct one."},
	{"PERMISSION_", "The role's session is refused the CloudWatch Logs (or, across accounts, the Firehose delivery) call; AWS accepts the flow log and then delivers nothing " +
		"(`DeliverLogsStatus=FAILED`, \"Access error\").",
		"Allow the action on the resource CloudWatch Logs authorizes it against (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`), in an identity policy of the role " +
			"and within its permissions boundary, as the finding's Fix shows."},
	{"ROLE_", "CreateFlowLogs refuses a missing or malformed role for CloudWatch Logs, and accepts a role in another account or a role that does not exist, then delivers nothing.",
		"Set `iam_role_arn` to a role of the flow log's account (for example one made by `vpcflow_delivery_role`), or remove it where the destination takes none."},
	{"DESTINATION_BUCKET_", "The log delivery service writes to the bucket under its own principal (`delivery.logs.amazonaws.com`) with the bucket policy's permission; " +
		"when the policy refuses it, no file arrives and the flow log shows `DeliverLogsStatus=FAILED`.",
		"Add the two statements of the finding's Fix (`AWSLogDeliveryWrite`: `s3:PutObject` on `BUCKET/PREFIX/AWSLogs/ACCOUNT/*` with `s3:x-amz-acl = bucket-owner-full-control`; " +
			"`AWSLogDeliveryAclCheck`: `s3:GetBucketAcl`) to the bucket policy, with `aws:SourceAccount` and `aws:SourceArn` guards."},
	{"DESTINATION_KMS_", "CloudWatch Logs or the log delivery service encrypts with the key under its own principal; a key policy that does not allow it makes every delivery fail.",
		"Add the key statement of the finding's Fix: the regional `logs.REGION.amazonaws.com` principal for a log group (with `kms:EncryptionContext:aws:logs:arn`), " +
			"`delivery.logs.amazonaws.com` for an SSE-KMS bucket."},
	{"DESTINATION_", "CreateFlowLogs refuses a destination of the wrong shape, region or account, or accepts it and delivers nothing.",
		"Point `log_destination` at a log group, bucket or stream of the flow log's region (and, for log groups, account) that matches `log_destination_type`."},
	{"POLICY_", "IAM rejects the document when it is saved (PutRolePolicy, PutBucketPolicy), or, for conditions IAM accepts, evaluates it differently than it reads.",
		"Correct the document at the position the finding names."},
	{"ENDPOINT_POLICY_", "Calls through the interface endpoint are checked against its policy as well as IAM; a refused call fails for the pipeline's function only inside the VPC.",
		"Add a statement to the endpoint policy that allows the write, as the finding's Fix shows."},
	{"DELIVERY_", "AWS reports the flow log as `FAILED` with this error and keeps it; nothing alarms.", "Read `deliver_logs_root_cause`: it names the role or policy at fault with the current documents."},
	{"", "See the finding's message.", "See the finding's Fix."},
}

// overrides document what a family text does not say well enough.
var overrides = map[string]Entry{
	"TRUST_NO_CONFUSED_DEPUTY_GUARD": {AWS: "Delivery works. Without a guard, any account's flow log could use the role if it learned its ARN (the confused deputy problem).",
		Fix: "Add `\"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"ACCOUNT\"}, \"ArnLike\": {\"aws:SourceArn\": \"arn:aws:ec2:REGION:ACCOUNT:vpc-flow-log/*\"}}`."},
	"TRUST_WILDCARD_PRINCIPAL":  {AWS: "Delivery works, and every principal that can call sts:AssumeRole may take the role's permissions.", Fix: "Name the service principal instead of `*`."},
	"TRUST_SOURCE_ARN_PINNED":   {AWS: "Delivery works for that one flow log; a replaced flow log gets a new ID and then fails.", Fix: "Use `arn:aws:ec2:REGION:ACCOUNT:vpc-flow-log/*` in `aws:SourceArn`."},
	"TRUST_GUARD_NEVER_MATCHES": {AWS: "Delivery works through the other statement; the guarded statement is dead text that suggests a protection that is not there.", Fix: "Remove the unguarded statement, or the dead one."},
	"ROLE_IGNORED":              {AWS: "AWS refuses a role for S3 (`DeliverLogsPermissionArn is not applicable for s3 delivery`) and ignores it for Firehose in the same account.", Fix: "Remove `iam_role_arn` (an empty string is the same as leaving it out)."},
	"DESTINATION_BUCKET_POLICY_MISSING": {AWS: "Nothing lets `delivery.logs.amazonaws.com` `s3:PutObject` the log files (nor `s3:GetBucketAcl`). When the flow log is created, AWS adds the delivery statements " +
		"to the bucket policy itself, with the credentials of the identity creating it, if that identity owns the bucket and may `s3:GetBucketPolicy` and `s3:PutBucketPolicy` on it; " +
		"otherwise CreateFlowLogs fails (or the flow log shows `DeliverLogsStatus=FAILED`, \"Access error\"). The provider reads the identity running Terraform " +
		"(`sts:GetCallerIdentity`; an IAM user's or assumed role's policies and boundary) and evaluates the two actions on the bucket: an error when it may not, " +
		"no finding when it may, a warning saying why when it cannot tell (root credentials, another account's bucket, policies it may not read). " +
		"A bucket policy managed by Terraform drops AWS's statements at its next apply."},
	"DESTINATION_BUCKET_POLICY_INCOMPLETE": {AWS: "As for a missing policy: AWS adds the statements at creation only when the creator may `s3:GetBucketPolicy` and `s3:PutBucketPolicy` on the bucket " +
		"(an error when the identity running Terraform may not, no finding when it may); a Terraform-managed policy then drops them again."},
	"DESTINATION_BUCKET_ACTION_MISSING":  {AWS: "Delivery works without `s3:ListBucket`, but CloudTrail records AccessDenied errors for the log delivery service; without `s3:GetBucketAcl` or `s3:PutObject` it fails."},
	"DESTINATION_KMS_KEY_POLICY_UNKNOWN": {AWS: "Delivery depends on a key policy the check could not read.", Fix: "Let the provider's identity `kms:GetKeyPolicy` on the key, or give the policy to `vpcflow_delivery_check`."},
	"POLICY_LITERAL_WILDCARD":            {AWS: "IAM compares `*` and `?` literally in `StringEquals`; the condition matches only a value with a real asterisk.", Fix: "Use `StringLike` (or `ArnLike`) for patterns."},
	"ROLE_NOT_FOUND":                     {AWS: "VPC Flow Logs accepts the ARN of a role that does not exist and fails every delivery with \"Access error\". A role created in the same run is checked again during apply.", Fix: "Create the role first (for CloudWatch Logs with `vpcflow_delivery_role`; for cross-account Firehose the source account's role) or correct the ARN."},
	"LOG_GROUP_NOT_FOUND": {AWS: "VPC Flow Logs creates a missing log group with the delivery role, which needs `logs:CreateLogGroup` for it; a group created in the same run needs nothing more.",
		Fix: "Create the group in the configuration (`vpcflow_log_group`) or grant `logs:CreateLogGroup` (`allow_create_log_group` of `vpcflow_delivery_role`)."},
	"TRAFFIC_TYPE_PARTIAL":     {AWS: "The flow log delivers, but only accepted or rejected traffic.", Fix: "Add a flow log for the other half, or one with `traffic_type = \"ALL\"`."},
	"CHECK_INCOMPLETE":         {AWS: "Nothing: the check could not run.", Fix: "Let the scanning identity read IAM roles, bucket policies and key policies (see the IAM permissions guide)."},
	"CALLER_NOT_AUTHORIZED":    {AWS: "CreateFlowLogs fails; nothing is created.", Fix: "Allow the identity running Terraform `ec2:CreateFlowLogs` and `iam:PassRole` on the delivery role (see the IAM permissions guide)."},
	"FLOW_LOG_ALREADY_EXISTS":  {AWS: "CreateFlowLogs refuses a duplicate.", Fix: "Import the existing flow log, or change its format or destination."},
	"LOG_GROUP_LIMIT_EXCEEDED": {AWS: "VPC Flow Logs cannot create the log group and delivers nothing.", Fix: "Create the group yourself, or ask for a higher log group quota."},
	"DELIVERY_RATE_LIMITED":    {AWS: "CloudWatch Logs throttles the delivery; records are dropped.", Fix: "Raise the PutLogEvents quota, or deliver to S3."},
}

// All returns every finding code, sorted by code.
func All() []Entry {
	var out []Entry
	add := func(info delivery.CodeInfo, source string) {
		out = append(out, entry(info.Code, info.Severity, source, info.Summary))
	}
	for _, c := range delivery.Codes() {
		add(c, SourceDelivery)
	}
	for _, c := range delivery.EndpointCodes() {
		add(c, SourceEndpoint)
	}
	for _, c := range ProviderCodes {
		add(c, SourceProvider)
	}
	for code, meaning := range healthMeaning {
		out = append(out, entry(code, delivery.SeverityWarning, SourceHealth, meaning))
	}
	for code, meaning := range coverageMeaning {
		severity := delivery.SeverityWarning
		out = append(out, entry(code, severity, SourceCoverage, meaning))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	// A code reported by two checks (DESTINATION_NOT_FOUND) is one entry
	// with both sources.
	merged := out[:0]
	for _, e := range out {
		if n := len(merged); n > 0 && merged[n-1].Code == e.Code {
			merged[n-1].Source += "; " + e.Source
			continue
		}
		merged = append(merged, e)
	}
	return merged
}

func entry(code, severity, source, meaning string) Entry {
	e := Entry{Code: code, Severity: severity, Source: source, Meaning: meaning}
	for _, f := range families {
		if strings.HasPrefix(code, f.prefix) {
			e.AWS, e.Fix = f.aws, f.fix
			break
		}
	}
	if o, ok := overrides[code]; ok {
		if o.AWS != "" {
			e.AWS = o.AWS
		}
		if o.Fix != "" {
			e.Fix = o.Fix
		}
	}
	return e
}

// Markdown renders the reference page (a tfplugindocs guide template).
func Markdown() string {
	entries := All()
	var b strings.Builder
	b.WriteString(`---
page_title: "Finding codes"
subcategory: ""
description: |-
  Every finding code the provider reports: what it means, what AWS does, and the fix.
---

<!-- Generated by go generate ./internal/flowlogs/findingdoc from the checkers' code lists; do not edit. -->

# Finding codes

Every diagnostic of a plan-time check ends with its code in parentheses, e.g. ` + "`(TRUST_WRONG_SERVICE_PRINCIPAL)`" + `,
and the same codes are the ` + "`code`" + ` of ` + "`findings`" + ` in ` + "`vpcflow_delivery_check`" + ` and ` + "`vpcflow_coverage`" + `.
An **error** fails the plan (with the provider's ` + "`validation = \"error\"`" + `, the default); a **warning** never does.
The finding's own message names the policy, statement and condition at fault, and its Fix gives the text to write.

`)
	fmt.Fprintf(&b, "%d codes.\n\n| Code | Severity | Meaning |\n| --- | --- | --- |\n", len(entries))
	for _, e := range entries {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", e.Code, strings.ToLower(e.Code), e.Severity, escapeCell(e.Meaning))
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "\n## %s\n\n", e.Code)
		fmt.Fprintf(&b, "- **Severity:** %s\n- **Reported by:** %s\n- **Meaning:** %s.\n- **What AWS does:** %s\n- **Fix:** %s\n",
			e.Severity, e.Source, e.Meaning, e.AWS, e.Fix)
	}
	return b.String()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
