package delivery

import (
	"strconv"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// ServiceRole describes an IAM role that an AWS service assumes, and the calls
// the service then makes with it. CheckServiceRole checks it; the flow log
// checks use the same logic, and it serves any other service role, such as a
// CloudWatch Logs subscription destination role trusting logs.amazonaws.com or
// a Lambda execution role.
type ServiceRole struct {
	RoleARN string
	// Service is the principal that assumes the role, e.g. "logs.amazonaws.com".
	Service string
	// Caller names the service in messages; Service when empty.
	Caller string
	// Trust is the role's trust policy; nil skips the trust checks.
	Trust *NamedPolicy
	// TrustContext holds the condition keys the service sends with
	// sts:AssumeRole, such as aws:SourceAccount and aws:SourceArn.
	TrustContext map[string][]string
	// TrustUnknown lists trust context keys whose values are not known yet.
	TrustUnknown []string
	// Permissions are the role's identity-based policies; nil skips the permission checks.
	Permissions []NamedPolicy
	// Boundary is the role's permissions boundary; nil for none.
	Boundary *NamedPolicy
	// Needs are the calls the service makes with the role.
	Needs []Need
	// Target names who authorizes the calls in messages (e.g. "CloudWatch Logs"); "AWS" when empty.
	Target string
	// Outcome says what the user sees when access fails; a generic sentence when empty.
	Outcome string
}

// CheckServiceRole checks that the service can assume the role with the
// context it sends and that the role's permissions, within its boundary and
// minus explicit denies, allow every need. Findings use the TRUST_,
// PERMISSION_, ROLE_ and POLICY_ codes of Check.
func CheckServiceRole(role ServiceRole) []Finding {
	rc := roleCheck{ServiceRole: role}
	rc.guards.sourceAccount = first(role.TrustContext, "aws:SourceAccount")
	if arn := first(role.TrustContext, "aws:SourceArn"); arn != "" {
		rc.guards.sourceARN = shapeOf(arn)
	}
	if rc.guards.sourceAccount != "" || rc.guards.sourceARN.Example != "" {
		rc.guardFix = defaultGuardFix(rc.guards)
	}
	return sortFindings(dedupe(rc.run()))
}

func first(ctx map[string][]string, key string) string {
	if vals, ok := lookupFold(ctx, key); ok && len(vals) > 0 {
		return vals[0]
	}
	return ""
}

func defaultGuardFix(g guards) string {
	var entries []condEntry
	vals := map[condEntry][]string{}
	if g.sourceAccount != "" {
		e := condEntry{"StringEquals", "aws:SourceAccount"}
		entries = append(entries, e)
		vals[e] = []string{g.sourceAccount}
	}
	if g.sourceARN.Example != "" {
		e := condEntry{"ArnLike", "aws:SourceArn"}
		entries = append(entries, e)
		vals[e] = []string{g.sourceARN.Example}
	}
	return jsonCondition(entries, vals)
}

// roleCheck is a ServiceRole with what the flow log checks add.
type roleCheck struct {
	ServiceRole
	guards   guards
	guardFix string
	// trustHook may adjust the trust context from the parsed trust policy and add findings.
	trustHook func(rc *roleCheck, p *policy.Policy, label string) []Finding
	// needsHook may derive needs from the parsed permission policies.
	needsHook func(rc *roleCheck, perms []*policy.Policy) []Need
}

func (rc *roleCheck) caller() string {
	if rc.Caller != "" {
		return rc.Caller
	}
	return rc.Service
}

func (rc *roleCheck) target() string {
	if rc.Target != "" {
		return rc.Target
	}
	return "AWS"
}

func (rc *roleCheck) outcome() string {
	if rc.Outcome != "" {
		return rc.Outcome
	}
	return rc.caller() + " cannot do its work with the role"
}

func (rc *roleCheck) roleLabel() string {
	if rc.RoleARN != "" {
		return "role " + rc.RoleARN
	}
	return "the role"
}

func (rc *roleCheck) trustLabel() string {
	if rc.RoleARN != "" {
		return "trust policy of role " + rc.RoleARN
	}
	return "trust policy"
}

// permLabel names a permission policy: its name, of the role.
func (rc *roleCheck) permLabel(np NamedPolicy, i int) string {
	name := np.Name
	if name == "" {
		name = "permission policy #" + strconv.Itoa(i)
	}
	if rc.RoleARN != "" {
		return name + " of role " + rc.RoleARN
	}
	return name
}

func (rc *roleCheck) boundaryLabel(np *NamedPolicy) string {
	name := np.Name
	switch {
	case name == "":
		name = "permissions boundary"
	case !strings.Contains(strings.ToLower(strings.ReplaceAll(name, "_", " ")), "boundary"):
		name = "permissions boundary " + name
	}
	return name
}

// run performs the trust and permission checks.
func (rc *roleCheck) run() []Finding {
	var out []Finding
	var docs []linted
	if rc.Trust != nil {
		label := rc.trustLabel()
		p, fs := parseNamed(rc.Trust, policy.KindTrust, label, AttrTrustPolicy)
		out = append(out, fs...)
		if p != nil {
			if rc.trustHook != nil {
				out = append(out, rc.trustHook(rc, p, label)...)
			}
			out = append(out, rc.checkTrust(p, label)...)
			docs = append(docs, linted{p, AttrTrustPolicy})
		}
	}
	if rc.Permissions != nil {
		var perms []*policy.Policy
		var names []string
		invalid := false
		for i, np := range rc.Permissions {
			label := rc.permLabel(np, i)
			names = append(names, np.Name)
			p, fs := parseNamed(&rc.Permissions[i], policy.KindIdentity, label, AttrPermissionPolicies)
			out = append(out, fs...)
			if p == nil {
				invalid = true
				continue
			}
			perms = append(perms, p)
			docs = append(docs, linted{p, AttrPermissionPolicies})
		}
		var boundary *policy.Policy
		if rc.Boundary != nil {
			var fs []Finding
			boundary, fs = parseNamed(rc.Boundary, policy.KindIdentity, rc.boundaryLabel(rc.Boundary), AttrPermissionsBoundary)
			out = append(out, fs...)
			if boundary == nil {
				invalid = true
			} else {
				docs = append(docs, linted{boundary, AttrPermissionsBoundary})
			}
		}
		// With a document IAM would reject, what the role may do is not
		// known; the POLICY_ findings say what to correct first.
		if !invalid {
			needs := rc.Needs
			if rc.needsHook != nil {
				needs = rc.needsHook(rc, perms)
			}
			out = append(out, checkPermissions(permSpec{
				roleLabel: rc.roleLabel(), principal: rc.sessionPrincipal(), perms: perms, permNames: names, boundary: boundary,
				needs: needs, caller: rc.caller(), target: rc.target(), consequence: rc.outcome(),
			})...)
		}
	}
	return append(out, lintLiteralWildcards(docs, out)...)
}

// sessionPrincipal is the role session the service calls with.
func (rc *roleCheck) sessionPrincipal() policy.Principal {
	a, _ := parseRoleARN(rc.RoleARN)
	if a.Account == "" {
		return policy.Principal{Type: policy.PrincipalAWS, ID: rc.RoleARN}
	}
	return policy.Principal{Type: policy.PrincipalAWS, ID: sessionARN(a, "delivery"), Account: a.Account}
}

// checkTrust checks that the service can assume the role and warns about risky trust.
func (rc *roleCheck) checkTrust(p *policy.Policy, label string) []Finding {
	need := Need{Action: "sts:AssumeRole", Context: rc.TrustContext, Unknown: rc.TrustUnknown}
	g := grantSpec{
		doc: p, label: label, attr: AttrTrustPolicy, prefix: "TRUST_", service: rc.Service,
		caller: rc.caller(), actsAs: "assumes the role as",
		consequence: "the role cannot be assumed and " + rc.outcome(),
		needs:       []Need{need}, guards: rc.guards, guardFix: rc.guardFix,
		notGrantedCode: "TRUST_SERVICE_NOT_TRUSTED",
		fix: func([]Need) string {
			return stmtJSON{principal: rc.Service, actions: []string{"sts:AssumeRole"}, condition: rc.guardFix}.String() + " to the Statement list"
		},
	}
	r := checkGrant(g)
	return append(r.findings, rc.trustWarnings(p, label, &g, r)...)
}

var guardKeys = []string{"aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceOwner"}

// hasGuard reports whether a statement limits which resources the service may act for.
func hasGuard(s *policy.Statement) bool {
	for i := range s.Conditions {
		c := &s.Conditions[i]
		if c.Negated() || c.Base == "Null" {
			continue
		}
		for _, k := range guardKeys {
			if strings.EqualFold(c.Key, k) {
				return true
			}
		}
	}
	return false
}

func (rc *roleCheck) trustWarnings(p *policy.Policy, label string, g *grantSpec, r grantResult) []Finding {
	var out []Finding
	allowed := r.allowed[0]
	allowing := map[*policy.Statement]bool{}
	for _, m := range r.allows[0] {
		allowing[m.Statement] = true
	}
	req := g.request(g.needs[0])
	var reports []policy.StatementReport
	if allowed {
		reports = policy.ExplainMiss(p, req)
	}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect != policy.Allow || !coversAction(s, "sts:AssumeRole") {
			continue
		}
		switch {
		case s.Principal.IsEveryone():
			what := `"Principal": "*"`
			if !s.Principal.Wildcard {
				what = `"Principal": {"AWS": "*"}`
			}
			msg := label + ": " + s.Label() + " allows every principal (" + what + ") to assume the role"
			if conds := describeConditions(s); conds != "" {
				msg += ", limited only by " + conds
			}
			msg += "; any AWS account or service that meets the conditions can assume it and use its permissions."
			out = append(out, Finding{
				Code: "TRUST_WILDCARD_PRINCIPAL", Severity: SeverityWarning, Attribute: AttrTrustPolicy, Message: msg,
				Fix: `"Principal": {"Service": ` + quote(rc.Service) + `}` + guardSuffix(rc.guardFix),
			})
		case s.NotPrincipal != nil:
			out = append(out, Finding{
				Code: "TRUST_WILDCARD_PRINCIPAL", Severity: SeverityWarning, Attribute: AttrTrustPolicy,
				Message: label + ": " + s.Label() + " uses NotPrincipal with Allow, which lets every principal except the listed ones assume the role.",
				Fix:     `"Principal": {"Service": ` + quote(rc.Service) + `}` + guardSuffix(rc.guardFix),
			})
		}
		if allowing[s] && s.Principal != nil && !s.Principal.IsEveryone() && !hasGuard(s) {
			out = append(out, Finding{
				Code: "TRUST_NO_CONFUSED_DEPUTY_GUARD", Severity: SeverityWarning, Attribute: AttrTrustPolicy,
				Message: label + ": " + s.Label() + " lets principal service " + quote(rc.Service) + " assume the role without an aws:SourceAccount or aws:SourceArn condition; " +
					"the service would assume it on behalf of any AWS account that names this role (the confused deputy problem).",
				Fix: `"Condition": ` + orPlaceholder(rc.guardFix),
			})
		}
		if !allowed || allowing[s] || s.Principal == nil || !contains(s.Principal.Service, rc.Service) {
			continue
		}
		// Another statement grants access; a guard that can never match here is dead.
		rep := reports[i]
		var whys []string
		if rep.Only(policy.ReasonCondition) {
			for _, reason := range rep.Reasons {
				whys = append(whys, reason.Message+g.explainGuard(reason.Condition, g.needs[0], false))
			}
		} else if rep.Applies && rep.Assumed {
			for _, sp := range g.staticProblems(s, g.needs[0]) {
				whys = append(whys, sp.why)
			}
		}
		if len(whys) > 0 {
			out = append(out, Finding{
				Code: "TRUST_GUARD_NEVER_MATCHES", Severity: SeverityWarning, Attribute: AttrTrustPolicy,
				Message: label + ": " + s.Label() + " never applies because its " + strings.Join(whys, "; its ") +
					"; another statement lets the service assume the role, so this statement's guard protects nothing.",
				Fix: "Correct the condition of " + s.Label() + ` to "Condition": ` + orPlaceholder(rc.guardFix) + ", and remove the unguarded statement.",
			})
		}
	}
	return out
}

func coversAction(s *policy.Statement, action string) bool {
	if s.NotAction != nil {
		for _, a := range s.NotAction {
			if policy.ActionMatch(a, action) {
				return false
			}
		}
		return true
	}
	for _, a := range s.Action {
		if policy.ActionMatch(a, action) {
			return true
		}
	}
	return false
}

func guardSuffix(fix string) string {
	if fix == "" {
		return ""
	}
	return `, "Condition": ` + fix
}

func orPlaceholder(fix string) string {
	if fix != "" {
		return fix
	}
	return `{"StringEquals": {"aws:SourceAccount": "ACCOUNT_ID"}, "ArnLike": {"aws:SourceArn": "SOURCE_ARN"}}`
}

func hasLiteralWildcard(s *policy.Statement) bool {
	for j := range s.Conditions {
		if literalOperator(&s.Conditions[j]) && anyWildcard(s.Conditions[j].Values) {
			return true
		}
	}
	return false
}

// linted is a parsed document with the attribute it came from.
type linted struct {
	p    *policy.Policy
	attr string
}

// lintLiteralWildcards warns about StringEquals-family values with * or ?,
// which never act as wildcards, unless a finding already names the statement.
func lintLiteralWildcards(docs []linted, existing []Finding) []Finding {
	var out []Finding
	for _, d := range docs {
		for i := range d.p.Statements {
			s := &d.p.Statements[i]
			if !hasLiteralWildcard(s) {
				continue
			}
			where := d.p.Name + ": " + s.Label()
			named := false
			for _, f := range existing {
				if strings.Contains(f.Message, where+" ") {
					named = true
					break
				}
			}
			if named {
				continue
			}
			for j := range s.Conditions {
				c := &s.Conditions[j]
				if !literalOperator(c) || !anyWildcard(c.Values) {
					continue
				}
				effect := "the statement never applies"
				if s.Effect == policy.Deny {
					effect = "the Deny never applies, so the guardrail it was meant to be is off"
				}
				if c.Negated() {
					effect = "every real value passes the check"
				}
				op := "StringLike"
				if strings.HasPrefix(c.Base, "StringNot") {
					op = "StringNotLike"
				}
				out = append(out, Finding{
					Code: "POLICY_LITERAL_WILDCARD", Severity: SeverityWarning, Attribute: d.attr,
					Message: where + " compares " + quote(c.Key) + " with " + c.Base + " against " + quoteList(c.Values) + "; " + c.Base +
						" treats * and ? literally, so " + effect + ".",
					Fix: `{` + quote(op) + `: {` + quote(c.Key) + `: ` + jsonValue(c.Values) + `}}`,
				})
			}
		}
	}
	return out
}
