package delivery

import (
	"regexp"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// Representative values for what is not known before a flow log exists. The
// ID and stream name have the shapes AWS uses; only their shape matters.
const (
	exampleFlowLogID = "fl-0123456789abcdef0"
	exampleStream    = "eni-0123456789abcdef0-all"
)

const flowLogFailed = `the flow log will show DeliverLogsStatus=FAILED ("Access error") without any alert`

// TrustOptions describe the flow logs a trust policy is checked for.
type TrustOptions struct {
	Service string // principal that assumes the role; default "vpc-flow-logs.amazonaws.com"
	Account string // flow log account; "" = unknown: checks needing it are skipped
	Region  string // flow log region; "" = unknown: checks needing it are skipped
}

// CheckTrustPolicy checks a delivery role's trust policy on its own: that the
// service can assume the role with the aws:SourceAccount and aws:SourceArn it
// sends, and that the policy guards against the confused deputy problem.
func CheckTrustPolicy(document string, opts TrustOptions) []Finding {
	service := opts.Service
	if service == "" {
		service = ServiceVPCFlowLogs
	}
	rc := roleCheck{ServiceRole: ServiceRole{
		Service: service,
		Trust:   &NamedPolicy{Name: "trust policy", Document: document},
	}}
	if service == ServiceVPCFlowLogs {
		rc.Caller, rc.Outcome = "VPC Flow Logs", flowLogFailed
		flowLogTrust(&rc, partitionOf(opts.Region), opts.Account, opts.Region)
	} else {
		rc.TrustContext = map[string][]string{}
		if opts.Account != "" {
			rc.TrustContext["aws:SourceAccount"] = []string{opts.Account}
			rc.guards.sourceAccount = opts.Account
		} else {
			rc.TrustUnknown = append(rc.TrustUnknown, "aws:SourceAccount")
		}
		rc.TrustUnknown = append(rc.TrustUnknown, "aws:SourceArn")
		rc.guardFix = defaultGuardFix(rc.guards)
	}
	return sortFindings(dedupe(rc.run()))
}

// flowLogTrust sets the context VPC Flow Logs sends when it assumes a delivery
// role: the flow log's account and ARN (arn:aws:ec2:REGION:ACCOUNT:vpc-flow-log/fl-…).
func flowLogTrust(rc *roleCheck, partition, account, region string) {
	rc.TrustContext = map[string][]string{}
	shape := arnShape{Partition: partition, Service: "ec2", Region: region, Account: account, ResourcePrefix: "vpc-flow-log/"}
	if account != "" {
		rc.TrustContext["aws:SourceAccount"] = []string{account}
	} else {
		rc.TrustUnknown = append(rc.TrustUnknown, "aws:SourceAccount")
	}
	if account != "" && region != "" {
		arn := flowLogARN(partition, region, account, exampleFlowLogID)
		rc.TrustContext["aws:SourceArn"] = []string{arn}
		shape = shapeOf(arn)
	} else {
		rc.TrustUnknown = append(rc.TrustUnknown, "aws:SourceArn")
	}
	rc.guards = guards{sourceAccount: account, sourceARN: shape, sourceARNWhat: "the flow log ARN"}
	rc.guardFix = flowLogGuardFix(partition, account, region)
	rc.trustHook = pinnedFlowLog
}

func flowLogARN(partition, region, account, id string) string {
	return "arn:" + partition + ":ec2:" + region + ":" + account + ":vpc-flow-log/" + id
}

func flowLogGuardFix(partition, account, region string) string {
	if account == "" {
		account = "ACCOUNT_ID"
	}
	if region == "" {
		region = "REGION"
	}
	return `{"StringEquals": {"aws:SourceAccount": ` + quote(account) + `}, "ArnLike": {"aws:SourceArn": ` + quote(flowLogARN(partition, region, account, "*")) + `}}`
}

var pinnedFlowLogPattern = regexp.MustCompile(`^arn:[^:*?]+:ec2:[^:*?]*:[^:*?]*:vpc-flow-log/(fl-[0-9a-f]+)$`)

// pinnedFlowLog warns about a trust policy that names one flow log in
// aws:SourceArn and evaluates the policy for that flow log: the checked flow
// log is then most likely that one, and any other (a re-created one gets a new
// ID) cannot use the role.
func pinnedFlowLog(rc *roleCheck, p *policy.Policy, label string) []Finding {
	var out []Finding
	pinned := ""
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect != policy.Allow || s.Principal == nil || !(contains(s.Principal.Service, rc.Service) || s.Principal.IsEveryone()) {
			continue
		}
		for _, c := range s.ConditionsOn("aws:SourceArn") {
			if c.Negated() {
				continue
			}
			for _, v := range c.Values {
				m := pinnedFlowLogPattern.FindStringSubmatch(v)
				if m == nil {
					continue
				}
				if pinned == "" {
					pinned = m[1]
				}
				a, _ := splitARN(v)
				out = append(out, Finding{
					Code: "TRUST_SOURCE_ARN_PINNED", Severity: SeverityWarning, Attribute: AttrTrustPolicy,
					Message: label + ": " + s.Label() + " pins aws:SourceArn to the single flow log " + m[1] + " (" + quote(v) + "); only that flow log can use the role, " +
						"and a new or replaced flow log (every replacement gets a new ID) fails with \"Access error\" until the policy is edited.",
					Fix: `"ArnLike": {"aws:SourceArn": ` + quote(flowLogARN(a.Partition, orWildcard(a.Region), orWildcard(a.Account), "*")) + `}`,
				})
			}
		}
	}
	if pinned != "" {
		if arns := rc.TrustContext["aws:SourceArn"]; len(arns) > 0 {
			a, _ := splitARN(arns[0])
			arn := flowLogARN(a.Partition, a.Region, a.Account, pinned)
			rc.TrustContext["aws:SourceArn"] = []string{arn}
			rc.guards.sourceARN = shapeOf(arn)
		}
	}
	return out
}

func orWildcard(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// cloudWatchLogs checks a flow log that publishes to a CloudWatch Logs log group through a role.
func (c *checker) cloudWatchLogs() {
	in := c.in
	g, why := parseLogGroupARN(in.DestinationARN)
	groupOK := why == ""
	if !groupOK {
		c.add(Finding{
			Code: "DESTINATION_ARN_INVALID", Severity: SeverityError, Attribute: AttrDestinationARN,
			Message: "destination " + quote(in.DestinationARN) + " " + why + "; CreateFlowLogs rejects it.",
			Fix:     `"arn:aws:logs:REGION:ACCOUNT:log-group:NAME"`,
		})
	} else {
		if in.FlowLogRegion != "" && g.Region != in.FlowLogRegion {
			c.add(Finding{
				Code: "DESTINATION_REGION_MISMATCH", Severity: SeverityError, Attribute: AttrDestinationARN,
				Message: "log group " + g.ARN() + " is in " + g.Region + ", but the flow log is in " + in.FlowLogRegion + "; a flow log publishes only to a log group of its own region.",
				Fix:     "Use a log group in " + in.FlowLogRegion + ": " + quote("arn:"+g.Partition+":logs:"+in.FlowLogRegion+":"+g.Account+":log-group:"+g.Name),
			})
		}
		if in.FlowLogAccount != "" && g.Account != in.FlowLogAccount {
			c.add(Finding{
				Code: "DESTINATION_ACCOUNT_MISMATCH", Severity: SeverityError, Attribute: AttrDestinationARN,
				Message: "log group " + g.ARN() + " is in account " + g.Account + ", but the flow log is in " + in.FlowLogAccount +
					"; VPC Flow Logs writes to CloudWatch Logs with a role of the flow log's account, and CloudWatch Logs does not accept that role's PutLogEvents in another account.",
				Fix: "Deliver to a log group in account " + in.FlowLogAccount + ", or use a Firehose delivery stream for cross-account delivery.",
			})
		}
	}

	if groupOK {
		c.logGroupKey(g)
	}
	role, ok := c.role(true)
	if !ok {
		return
	}
	account, region := in.FlowLogAccount, in.FlowLogRegion
	if account == "" {
		account = role.Account
	}
	if region == "" && groupOK {
		region = g.Region
	}
	rc := roleCheck{ServiceRole: ServiceRole{
		RoleARN: in.RoleARN, Service: ServiceVPCFlowLogs, Caller: "VPC Flow Logs",
		Trust: in.TrustPolicy, Permissions: in.PermissionPolicies, Boundary: in.PermissionsBoundary,
		Target: "CloudWatch Logs", Outcome: flowLogFailed,
	}}
	flowLogTrust(&rc, role.Partition, account, region)
	if !groupOK {
		rc.Permissions = nil
	} else {
		rc.Needs = cloudWatchLogsNeeds(g, region, in.LogGroupMayNotExist)
	}
	c.add(rc.run()...)
}

// cloudWatchLogsNeeds are the calls VPC Flow Logs makes with the role, each on
// the resource CloudWatch Logs authorizes it against.
func cloudWatchLogsNeeds(g logGroup, region string, create bool) []Need {
	ctx := map[string][]string{"aws:RequestedRegion": {region}}
	group := g.GroupResource()
	var needs []Need
	if create {
		needs = append(needs, Need{Action: "logs:CreateLogGroup", Resource: group, Context: ctx})
	}
	return append(needs,
		Need{Action: "logs:CreateLogStream", Resource: group, Context: ctx},
		Need{Action: "logs:PutLogEvents", Resource: g.StreamResource(exampleStream), FixResource: group, Context: ctx},
		Need{Action: "logs:DescribeLogStreams", Resource: group, Context: ctx},
		Need{Action: "logs:DescribeLogGroups", Resource: g.AccountGroups(), Context: ctx, LenientResource: true},
	)
}

// role validates Input.RoleARN; required says whether the destination needs a role.
func (c *checker) role(required bool) (arnParts, bool) {
	in := c.in
	if in.RoleARN == "" {
		if required {
			c.add(Finding{
				Code: "ROLE_MISSING", Severity: SeverityError, Attribute: AttrRoleARN,
				Message: "no IAM role is given; VPC Flow Logs needs a role it can assume to publish to CloudWatch Logs, and CreateFlowLogs rejects the flow log without one.",
				Fix:     "Set iam_role_arn to a role whose trust policy allows " + quote(ServiceVPCFlowLogs) + " (for example one made by vpcflow_delivery_role).",
			})
		}
		return arnParts{}, false
	}
	a, why := parseRoleARN(in.RoleARN)
	if why != "" {
		c.add(Finding{
			Code: "ROLE_ARN_INVALID", Severity: SeverityError, Attribute: AttrRoleARN,
			Message: "role " + quote(in.RoleARN) + " " + why + "; VPC Flow Logs cannot assume it, so " + flowLogFailed + ".",
			Fix:     `"arn:aws:iam::ACCOUNT:role/NAME"`,
		})
		return a, false
	}
	if in.FlowLogAccount != "" && a.Account != in.FlowLogAccount {
		c.add(Finding{
			Code: "ROLE_ACCOUNT_MISMATCH", Severity: SeverityError, Attribute: AttrRoleARN,
			Message: "role " + in.RoleARN + " is in account " + a.Account + ", but the flow log is in " + in.FlowLogAccount +
				"; the delivery role must belong to the flow log's account, so " + flowLogFailed + ".",
			Fix: "Use a role in account " + in.FlowLogAccount + ": " + quote("arn:"+a.Partition+":iam::"+in.FlowLogAccount+":role/"+roleName(in.RoleARN)),
		})
		// What else fails follows from the wrong role; do not bury the cause.
		return a, false
	}
	return a, true
}

// logsServicePrincipal is the regional principal CloudWatch Logs uses with KMS.
func logsServicePrincipal(partition, region string) string {
	if partition == "aws-cn" {
		return "logs." + region + ".amazonaws.com.cn"
	}
	return "logs." + region + ".amazonaws.com"
}

// logGroupKey checks that the key of an encrypted log group lets CloudWatch Logs use it.
func (c *checker) logGroupKey(g logGroup) {
	in := c.in
	if in.KMSKeyARN == "" {
		return
	}
	if c.awsManagedKey() {
		return
	}
	if in.KMSKeyPolicy == nil {
		c.add(keyPolicyUnknown(in.KMSKeyARN))
		return
	}
	label := keyLabel(in.KMSKeyARN)
	p, fs := parseNamed(in.KMSKeyPolicy, policy.KindResource, label, AttrKMSKeyPolicy)
	c.add(fs...)
	if p == nil {
		return
	}
	service := logsServicePrincipal(g.Partition, g.Region)
	ctxKey := "kms:EncryptionContext:aws:logs:arn"
	ctx := map[string][]string{ctxKey: {g.ARN()}}
	unknown := []string{"aws:SourceAccount", "aws:SourceArn", "kms:CallerAccount", "kms:ViaService"}
	var needs []Need
	for _, a := range []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"} {
		needs = append(needs, Need{Action: a, Resource: keyResource(in.KMSKeyARN), Context: ctx, Unknown: unknown})
	}
	for _, a := range []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"} {
		needs = append(needs, Need{Action: a, Resource: keyResource(in.KMSKeyARN), Context: ctx, Unknown: unknown, Optional: true,
			Why: "CloudWatch Logs documents these for re-encrypting data when the key changes"})
	}
	cond := condEntry{"ArnEquals", ctxKey}
	fixCond := jsonCondition([]condEntry{cond}, map[condEntry][]string{cond: {g.ARN()}})
	r := checkGrant(grantSpec{
		doc: p, label: label, attr: AttrKMSKeyPolicy, prefix: "DESTINATION_KMS_", service: service,
		caller: "CloudWatch Logs", actsAs: "uses the key as",
		consequence:      "CloudWatch Logs cannot encrypt the records for log group " + g.Name + ", so PutLogEvents fails, nothing is stored, and " + flowLogFailed,
		needs:            needs,
		resourceRequired: true, resourceAccount: keyAccount(in.KMSKeyARN),
		notGrantedCode: "DESTINATION_KMS_NOT_GRANTED",
		guardFix:       fixCond,
		fix: func([]Need) string {
			return stmtJSON{sid: "AllowCloudWatchLogs", principal: service,
				actions:   []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
				resources: []string{"*"}, condition: fixCond}.String() + " to the key policy"
		},
	})
	c.add(r.findings...)
}

func keyLabel(keyARN string) string {
	if _, ok := splitARN(keyARN); ok {
		return "key policy of " + keyARN
	}
	return "key policy"
}

// keyResource is the resource KMS authorizes calls against; "" (not checked)
// when only a placeholder for the key is known.
func keyResource(keyARN string) string {
	if _, ok := splitARN(keyARN); ok {
		return keyARN
	}
	return ""
}

func keyAccount(keyARN string) string {
	a, _ := splitARN(keyARN)
	return a.Account
}

func keyPolicyUnknown(keyARN string) Finding {
	return Finding{
		Code: "DESTINATION_KMS_KEY_POLICY_UNKNOWN", Severity: SeverityWarning, Attribute: AttrKMSKeyPolicy,
		Message: "the destination is encrypted with KMS key " + keyARN + ", but its key policy is not known, so it was not checked; a key policy that does not allow the log delivery service makes every delivery fail.",
		Fix:     "Provide the key policy (or let the provider read it with kms:GetKeyPolicy).",
	}
}

// awsManagedKey reports (and flags) an AWS managed key, whose policy cannot allow delivery.
func (c *checker) awsManagedKey() bool {
	k := c.in.KMSKeyARN
	if !strings.Contains(k, "alias/aws/") {
		return false
	}
	c.add(Finding{
		Code: "DESTINATION_KMS_AWS_MANAGED_KEY", Severity: SeverityError, Attribute: AttrKMSKeyPolicy,
		Message: "the destination is encrypted with the AWS managed key " + k + "; its key policy cannot be changed to let the log delivery service use it, so every delivery fails.",
		Fix:     "Encrypt the destination with a customer managed key whose policy allows the log delivery service.",
	})
	return true
}
