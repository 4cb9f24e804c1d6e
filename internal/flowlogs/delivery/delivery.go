// Package delivery checks, before AWS is asked, whether a VPC flow log can
// deliver its records: that the delivery role's trust policy lets the service
// assume it with the context the service really sends, that the role's
// permissions (within its boundary) allow the calls CloudWatch Logs
// authorizes, and that bucket and key policies let the log delivery service
// write. Flow logs with a broken role or policy are created without error and
// then deliver nothing, so each finding says what is wrong, where, why AWS
// fails silently and what to write instead.
//
// The checks run on policy documents only, with the policy package's IAM
// evaluation; there is no AWS call here.
package delivery

import (
	"sort"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// Destination types, as log_destination_type spells them.
const (
	DestinationCloudWatchLogs = "cloud-watch-logs"
	DestinationS3             = "s3"
	DestinationFirehose       = "kinesis-data-firehose"
)

// Finding severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Service principals involved in flow log delivery.
const (
	// ServiceVPCFlowLogs assumes the delivery role of a flow log to CloudWatch Logs.
	ServiceVPCFlowLogs = "vpc-flow-logs.amazonaws.com"
	// ServiceLogDelivery writes flow logs to S3 and Firehose and assumes cross-account Firehose roles.
	ServiceLogDelivery = "delivery.logs.amazonaws.com"
)

// NamedPolicy is a policy document with the name used in messages (e.g. "inline policy deliver-logs", "arn:aws:iam::aws:policy/X").
type NamedPolicy struct {
	Name     string
	Document string
}

// Input describes one flow log's delivery.
type Input struct {
	DestinationType string
	DestinationARN  string // log group ARN (with or without trailing :*), bucket ARN with optional /prefix, or delivery stream ARN
	FlowLogAccount  string // account that owns the flow log
	FlowLogRegion   string
	RoleARN         string // iam_role_arn: the role for cloud-watch-logs, or the source account's role for cross-account firehose
	// CrossAccountRoleARN is deliver_cross_account_role, the role in a
	// Firehose stream's account that RoleARN assumes; "" = AWS's default name.
	CrossAccountRoleARN string

	TrustPolicy         *NamedPolicy  // nil = not known
	PermissionPolicies  []NamedPolicy // identity policies of the role (inline + attached); nil = not known, empty = none
	PermissionsBoundary *NamedPolicy  // nil = none
	BucketPolicy        *NamedPolicy  // nil = bucket has no policy
	KMSKeyARN           string        // key of an encrypted log group or SSE-KMS bucket; "" = not encrypted
	KMSKeyPolicy        *NamedPolicy  // nil = not known

	HiveCompatiblePartitions bool // S3 key layout
	LogGroupMayNotExist      bool // then logs:CreateLogGroup is required too

	// Guardrails are the organisation policies over the delivery; nil = not checked.
	Guardrails *Guardrails

	// CreatorMayPutBucketPolicy says whether the identity creating the flow
	// log may s3:GetBucketPolicy and s3:PutBucketPolicy on the bucket, which
	// AWS needs to add the delivery statements itself; nil = not known.
	CreatorMayPutBucketPolicy *bool
	// CreatorNote says who the creator is and why it may or may not put the
	// bucket policy, or why that is not known (CreatorMayPutBucketPolicy's
	// second result, or the reason the creator could not be read).
	CreatorNote string
}

// Finding is one problem (or risk) found in a delivery setup.
type Finding struct {
	Code      string // upper snake case with family prefix TRUST_, PERMISSION_, DESTINATION_, ROLE_, POLICY_
	Severity  string // SeverityError or SeverityWarning
	Message   string // what is wrong, where (policy name, statement Sid or index, condition key), why AWS will fail or silently deliver nothing
	Fix       string // what to write instead, concrete (JSON snippet or exact value)
	Attribute string // which input it concerns: "trust_policy", "permission_policies", "permissions_boundary", "bucket_policy", "kms_key_policy", "destination_arn", "role_arn", "destination_type", "flow_log_account"
}

// Attribute names used in findings.
const (
	AttrTrustPolicy         = "trust_policy"
	AttrPermissionPolicies  = "permission_policies"
	AttrPermissionsBoundary = "permissions_boundary"
	AttrBucketPolicy        = "bucket_policy"
	AttrKMSKeyPolicy        = "kms_key_policy"
	AttrDestinationARN      = "destination_arn"
	AttrRoleARN             = "role_arn"
	AttrDestinationType     = "destination_type"
	AttrFlowLogAccount      = "flow_log_account"
)

// Check runs every check that applies to the input and returns the findings
// sorted by severity (errors first), attribute, code and message.
func Check(in Input) []Finding {
	c := &checker{in: in}
	switch in.DestinationType {
	case DestinationCloudWatchLogs:
		c.cloudWatchLogs()
	case DestinationS3:
		c.s3()
	case DestinationFirehose:
		c.firehose()
	default:
		c.add(Finding{
			Code: "DESTINATION_TYPE_INVALID", Severity: SeverityError, Attribute: AttrDestinationType,
			Message: "destination type " + quote(in.DestinationType) + " is not one VPC Flow Logs supports, so CreateFlowLogs rejects the flow log.",
			Fix:     "Use " + quote(DestinationCloudWatchLogs) + ", " + quote(DestinationS3) + " or " + quote(DestinationFirehose) + ".",
		})
	}
	c.guardrails()
	return c.result()
}

// Valid reports whether no finding has error severity.
func Valid(findings []Finding) bool {
	for _, f := range findings {
		if f.Severity == SeverityError {
			return false
		}
	}
	return true
}

// checker accumulates findings for one Check.
type checker struct {
	in       Input
	findings []Finding
}

func (c *checker) add(fs ...Finding) { c.findings = append(c.findings, fs...) }

func (c *checker) result() []Finding { return sortFindings(dedupe(c.findings)) }

func sortFindings(fs []Finding) []Finding {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if (a.Severity == SeverityError) != (b.Severity == SeverityError) {
			return a.Severity == SeverityError
		}
		if a.Attribute != b.Attribute {
			return a.Attribute < b.Attribute
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
	return fs
}

func dedupe(fs []Finding) []Finding {
	seen := make(map[Finding]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// parseNamed parses a document, turning parse errors into POLICY_ findings.
func parseNamed(np *NamedPolicy, kind policy.Kind, label, attr string) (*policy.Policy, []Finding) {
	p, err := policy.Parse(np.Document, policy.Options{Name: label, Kind: kind})
	if err == nil {
		return p, nil
	}
	var out []Finding
	for _, e := range policy.AsParseErrors(err) {
		out = append(out, parseFinding(e, label, attr, kind))
	}
	return nil, out
}

func parseFinding(e *policy.ParseError, label, attr string, kind policy.Kind) Finding {
	f := Finding{Severity: SeverityError, Attribute: attr}
	where := label
	if e.Path != "" {
		where += " at " + e.Path
	}
	switch e.Kind {
	case policy.ErrSyntax:
		f.Code = "POLICY_INVALID_JSON"
		detail := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(e.Message, "invalid JSON"), ":"))
		f.Message = label + " is not valid JSON: " + detail + "; IAM rejects the document, so the role or resource keeps its old policy (or none) and delivery fails."
		f.Fix = "Correct the JSON; building the document with jsonencode() or the aws_iam_policy_document data source avoids hand-written syntax errors."
		return f
	case policy.ErrAction:
		f.Code = "POLICY_INVALID_ACTION"
		f.Fix = `Write each action as "service:Action" with the service prefix in lower case, e.g. "logs:PutLogEvents" or "sts:AssumeRole".`
	case policy.ErrConditionOperator:
		f.Code = "POLICY_UNKNOWN_CONDITION_OPERATOR"
		f.Fix = `Use an IAM condition operator such as "StringEquals", "StringLike", "ArnLike" or "Bool", optionally prefixed with "ForAnyValue:"/"ForAllValues:" and suffixed with "IfExists".`
	case policy.ErrConditionValue:
		f.Code = "POLICY_INVALID_CONDITION_VALUE"
		f.Fix = "Give each condition value in the form its operator reads: a number for Numeric*, an ISO 8601 date or epoch seconds for Date*, \"true\"/\"false\" for Bool and Null, a CIDR block for IpAddress."
	case policy.ErrEffect:
		f.Code = "POLICY_MALFORMED"
		f.Fix = `Write "Effect": "Allow" or "Effect": "Deny" (exactly, case-sensitive).`
	case policy.ErrVersion:
		f.Code = "POLICY_MALFORMED"
		f.Fix = `"Version": "2012-10-17"`
	default:
		f.Code = "POLICY_MALFORMED"
		f.Fix = "Correct the document at " + orDocument(e.Path) + " so that it follows the " + kind.String() + " grammar."
	}
	f.Message = where + ": " + e.Message + "; IAM rejects the document (or the statement can never match), so delivery fails."
	return f
}

func orDocument(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}
