package delivery

import (
	"strings"
	"sync"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// OrgPolicy is a service or resource control policy as AWS Organizations stores it.
type OrgPolicy struct {
	ID       string // "p-examplepolicyid111"
	Name     string
	Document string
}

// OrgLevel is one level between an organisation's root and an account (the
// root, an OU, the account itself) with the policies attached to it directly.
type OrgLevel struct {
	Target   string // "r-ab12", "ou-ab12-34567890" or the account ID
	Policies []OrgPolicy
}

// Guardrails are the organisation policies that apply to a flow log's delivery.
type Guardrails struct {
	// ManagementAccount is the organisation's management account, whose
	// principals SCPs and whose resources RCPs do not restrict; "" = unknown.
	ManagementAccount string
	// SCPs apply to the flow log account (the delivery role's account), root first; nil = none.
	SCPs []OrgLevel
	// RCPs apply to the destination's account, root first; nil = none.
	RCPs []OrgLevel
	// DestinationAccount owns the destination; "" = the flow log account
	// (an S3 bucket ARN does not say which account owns the bucket).
	DestinationAccount string
	// SCPsUnread and RCPsUnread say why the policies could not be read
	// (e.g. AccessDenied on organizations:ListPoliciesForTarget); the check
	// then warns instead of passing silently.
	SCPsUnread, RCPsUnread string
}

// Attribute names of guardrail findings.
const (
	AttrServiceControlPolicies  = "service_control_policies"
	AttrResourceControlPolicies = "resource_control_policies"
)

var guardrailCodes = []CodeInfo{
	{"GUARDRAIL_SCP_DENIES", SeverityError, "a Deny statement of a service control policy matches a call the delivery role makes"},
	{"GUARDRAIL_SCP_NOT_ALLOWED", SeverityError, "no service control policy attached at one level (root, OU or account) allows a call the delivery role makes"},
	{"GUARDRAIL_RCP_DENIES", SeverityError, "a Deny statement of a resource control policy matches a delivery call on the destination or the role (often a data perimeter without the aws:PrincipalIsAWSService exemption)"},
	{"GUARDRAIL_NOT_READ", SeverityWarning, "the organisation's SCPs or RCPs could not be read, so they were not checked"},
}

func init() { codes = append(codes, guardrailCodes...) }

// guardrailCall is one call a guardrail may block.
type guardrailCall struct {
	principal policy.Principal
	who       string // "the delivery role's session", "the log delivery service"
	need      Need
	resAcct   string // account that owns the resource the call is on
	reason    string // what failing means
}

// guardrails checks the calls of the delivery against the organisation's SCPs and RCPs.
func (c *checker) guardrails() {
	g := c.in.Guardrails
	if g == nil {
		return
	}
	for _, u := range []struct{ why, what, attr string }{
		{g.SCPsUnread, "service control policies", AttrServiceControlPolicies},
		{g.RCPsUnread, "resource control policies", AttrResourceControlPolicies},
	} {
		if u.why == "" {
			continue
		}
		c.add(Finding{
			Code: "GUARDRAIL_NOT_READ", Severity: SeverityWarning, Attribute: u.attr,
			Message: "the " + u.what + " that apply to this flow log could not be read (" + u.why + "), so they were not checked; " +
				"an organisation policy that denies a delivery call makes " + flowLogFailed + ".",
			Fix: "Let the identity running Terraform call organizations:ListParents, organizations:ListPoliciesForTarget and organizations:DescribePolicy " +
				"(the management account or a delegated administrator can), or give the policies inline in " + u.attr + ".",
		})
	}
	scps, fs := parseLevels(g.SCPs, policy.KindIdentity, "service control policy", AttrServiceControlPolicies)
	c.add(fs...)
	rcps, fs := parseLevels(g.RCPs, policy.KindResource, "resource control policy", AttrResourceControlPolicies)
	c.add(fs...)
	if len(scps) == 0 && len(rcps) == 0 {
		return
	}
	for _, call := range c.guardrailCalls() {
		set := policy.Set{SCPs: scps, RCPs: rcps, ResourceAccount: call.resAcct, Org: policy.Org{ManagementAccount: g.ManagementAccount}}
		if call.principal.Type == policy.PrincipalAWS {
			set.Identity = []*policy.Policy{allowEverything}
		} else {
			set.Resource = allowEveryone
		}
		req := policy.Request{Principal: call.principal, Action: call.need.Action, Resource: call.need.Resource, Context: call.need.Context, Unknown: call.need.Unknown}
		r := policy.Evaluate(set, req)
		if r.Allowed() {
			continue
		}
		switch r.Layer {
		case policy.SourceSCP:
			c.add(scpFinding(r, call))
		case policy.SourceRCP:
			c.add(rcpFinding(r, call))
		}
	}
}

// guardrailCalls lists the calls of a delivery that SCPs and RCPs can block.
func (c *checker) guardrailCalls() []guardrailCall {
	in := c.in
	var calls []guardrailCall
	switch in.DestinationType {
	case DestinationCloudWatchLogs:
		g, why := parseLogGroupARN(in.DestinationARN)
		role, bad := parseRoleARN(in.RoleARN)
		if why != "" || bad != "" {
			return nil
		}
		region := in.FlowLogRegion
		if region == "" {
			region = g.Region
		}
		sess := policy.Principal{Type: policy.PrincipalAWS, ID: sessionARN(role, "delivery"), Account: role.Account}
		for _, n := range cloudWatchLogsNeeds(g, region, in.LogGroupMayNotExist) {
			calls = append(calls, guardrailCall{principal: sess, who: "the delivery role " + in.RoleARN, need: n, resAcct: g.Account,
				reason: "VPC Flow Logs assumes the role, but CloudWatch Logs rejects " + n.Action + ", and " + flowLogFailed})
		}
		rc := roleCheck{}
		flowLogTrust(&rc, role.Partition, orDefault(in.FlowLogAccount, role.Account), region)
		calls = append(calls, guardrailCall{
			principal: policy.Principal{Type: policy.PrincipalService, ID: ServiceVPCFlowLogs},
			who:       "the VPC Flow Logs service (" + ServiceVPCFlowLogs + ")",
			need:      Need{Action: "sts:AssumeRole", Resource: in.RoleARN, Context: rc.TrustContext, Unknown: rc.TrustUnknown},
			resAcct:   role.Account,
			reason:    "VPC Flow Logs cannot assume the delivery role, so " + flowLogFailed,
		})
	case DestinationS3:
		b, why := parseBucketARN(in.DestinationARN)
		if why != "" {
			return nil
		}
		svc := policy.Principal{Type: policy.PrincipalService, ID: ServiceLogDelivery}
		for _, n := range s3Needs(b, in.FlowLogAccount, in.FlowLogRegion, in.HiveCompatiblePartitions) {
			if n.Optional {
				continue
			}
			calls = append(calls, guardrailCall{principal: svc, who: "the log delivery service (" + ServiceLogDelivery + ")", need: n,
				resAcct: orDefault(c.in.Guardrails.DestinationAccount, in.FlowLogAccount), reason: s3Outcome})
		}
	}
	return calls
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func scpFinding(r policy.Result, call guardrailCall) Finding {
	f := Finding{Severity: SeverityError, Attribute: AttrServiceControlPolicies}
	if r.Decision == policy.ExplicitDeny {
		m := r.Denies[0]
		f.Code = "GUARDRAIL_SCP_DENIES"
		f.Message = m.String() + " denies " + call.need.Action + " to " + call.who + "; SCPs limit every IAM role of a member account, whatever its own policies allow, so " + call.reason + "."
		f.Fix = "Exempt the delivery role in that statement, e.g. add \"ArnNotLike\": {\"aws:PrincipalArn\": " + quote(roleOf(call.principal.ID)) +
			"} to its Condition, or stop denying " + call.need.Action + " there."
		return f
	}
	f.Code = "GUARDRAIL_SCP_NOT_ALLOWED"
	f.Message = "no service control policy attached to " + r.Level + " allows " + call.need.Action + " for " + call.who +
		"; an action must be allowed by an SCP at every level from the root to the account, so " + call.reason + "."
	f.Fix = "Allow " + call.need.Action + " in an SCP attached to " + r.Level + " (or attach FullAWSAccess there)."
	return f
}

func rcpFinding(r policy.Result, call guardrailCall) Finding {
	m := r.Denies[0]
	f := Finding{Code: "GUARDRAIL_RCP_DENIES", Severity: SeverityError, Attribute: AttrResourceControlPolicies}
	f.Message = m.String() + " denies " + call.need.Action + " on " + orDefault(call.need.Resource, "the resource") + " to " + call.who +
		"; RCPs limit every request to the resources of a member account, AWS service principals included, so " + call.reason + "."
	if call.principal.Type == policy.PrincipalService {
		f.Fix = "Exempt AWS service principals in that statement, as AWS's data perimeter examples do: add \"BoolIfExists\": {\"aws:PrincipalIsAWSService\": \"false\"} to its Condition."
	} else {
		f.Fix = "Exempt the delivery role in that statement, e.g. add \"ArnNotLike\": {\"aws:PrincipalArn\": " + quote(roleOf(call.principal.ID)) + "} to its Condition."
	}
	return f
}

// roleOf turns a session ARN into the role ARN aws:PrincipalArn reports.
func roleOf(id string) string {
	a, ok := splitARN(id)
	if !ok || a.Service != "sts" {
		return id
	}
	rest := strings.TrimPrefix(a.Resource, "assumed-role/")
	name, _, _ := strings.Cut(rest, "/")
	return "arn:" + a.Partition + ":iam::" + a.Account + ":role/" + name
}

// allowEveryone stands in for the destination's own resource policy, which the other checks cover.
var allowEveryone = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
	policy.Options{Name: "destination policy", Kind: policy.KindResource})

// parseLevels parses organisation policies, naming each by ID and name.
func parseLevels(levels []OrgLevel, kind policy.Kind, what, attr string) ([]policy.OrgLevel, []Finding) {
	var out []policy.OrgLevel
	var findings []Finding
	for _, l := range levels {
		pl := policy.OrgLevel{Target: l.Target}
		for _, op := range l.Policies {
			label := what + " " + orDefault(op.ID, "(inline)")
			if op.Name != "" && op.Name != op.ID {
				label += " (" + op.Name + ")"
			}
			p, fs := parseCached(op.Document, kind, label, attr)
			findings = append(findings, fs...)
			if p != nil {
				pl.Policies = append(pl.Policies, p)
			}
		}
		out = append(out, pl)
	}
	return out, findings
}

// parsed remembers parsed organisation policies: the same few SCPs and RCPs
// apply to every flow log of a plan, so each is parsed once.
var parsed = struct {
	sync.Mutex
	m map[parseKey]parseEntry
}{m: map[parseKey]parseEntry{}}

type parseKey struct {
	doc, label, attr string
	kind             policy.Kind
}

type parseEntry struct {
	p  *policy.Policy
	fs []Finding
}

const maxParsed = 1024

func parseCached(doc string, kind policy.Kind, label, attr string) (*policy.Policy, []Finding) {
	k := parseKey{doc: doc, label: label, attr: attr, kind: kind}
	parsed.Lock()
	e, ok := parsed.m[k]
	parsed.Unlock()
	if ok {
		return e.p, e.fs
	}
	p, fs := parseNamed(&NamedPolicy{Name: label, Document: doc}, kind, label, attr)
	parsed.Lock()
	if len(parsed.m) >= maxParsed {
		clear(parsed.m)
	}
	parsed.m[k] = parseEntry{p, fs}
	parsed.Unlock()
	return p, fs
}
