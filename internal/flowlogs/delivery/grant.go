package delivery

import (
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// Need is one call a service makes that a policy must allow.
type Need struct {
	Action   string
	Resource string // the resource the call is authorized against
	// FixResource is what a fix should write in Resource; Resource when empty.
	FixResource string
	// Context holds the condition keys the service sends with the call.
	Context map[string][]string
	// Unknown lists condition keys whose values are not known yet; conditions
	// on them are assumed to hold (see policy.Request.Unknown).
	Unknown []string
	// Optional needs produce warnings instead of errors.
	Optional bool
	// LenientResource makes a grant on another resource a warning: AWS documents
	// the resource, but delivery is known to work without it.
	LenientResource bool
	// Why says what goes wrong without an optional need, in messages.
	Why string
}

func (n Need) fixResource() string {
	if n.FixResource != "" {
		return n.FixResource
	}
	return n.Resource
}

func (n Need) severity(base string) string {
	if n.Optional {
		return SeverityWarning
	}
	return base
}

// arnShape is what an ARN the service sends looks like; "" fields are unknown.
type arnShape struct {
	Partition, Service, Region, Account, Resource string
	ResourcePrefix                                string // when Resource is unknown: what it starts with
	Example                                       string // a representative value for messages
}

func shapeOf(arn string) arnShape {
	a, ok := splitARN(arn)
	if !ok {
		return arnShape{}
	}
	return arnShape{Partition: a.Partition, Service: a.Service, Region: a.Region, Account: a.Account, Resource: a.Resource, Example: arn}
}

// guards describes the confused-deputy context keys a service sends.
type guards struct {
	sourceAccount string   // "" when unknown
	sourceARN     arnShape // fields "" when unknown
	sourceARNWhat string   // e.g. "the flow log ARN"
}

// grantSpec is a resource-based policy (trust, bucket or key policy) checked
// for one service principal and the calls it makes.
type grantSpec struct {
	doc              *policy.Policy
	label            string // e.g. "trust policy of role arn:..."
	attr             string
	prefix           string // code prefix: "TRUST_", "DESTINATION_BUCKET_", "DESTINATION_KMS_"
	service          string
	caller           string // who calls, e.g. "VPC Flow Logs"
	actsAs           string // e.g. "assumes the role as"
	consequence      string // what happens when access fails
	needs            []Need
	resourceRequired bool
	resourceAccount  string
	guards           guards
	guardFix         string // recommended Condition block
	notGrantedCode   string
	missingSeverity  string // severity when nothing comes close; SeverityError when ""
	// resourceHint classifies a statement that grants the action on another resource.
	resourceHint func(s *policy.Statement, n Need) (code, detail, fix string, ok bool)
	// fix renders the statement(s) that grant the given needs.
	fix func(missing []Need) string
}

// grantResult is the outcome of checkGrant.
type grantResult struct {
	findings []Finding
	allowed  []bool
	allows   [][]policy.Match // per need, the statements that allow it
}

func (g *grantSpec) request(n Need) policy.Request {
	return policy.Request{
		Principal: policy.Principal{Type: policy.PrincipalService, ID: g.service},
		Action:    n.Action,
		Resource:  n.Resource,
		Context:   n.Context,
		Unknown:   n.Unknown,
	}
}

func (g *grantSpec) missingSev() string {
	if g.missingSeverity != "" {
		return g.missingSeverity
	}
	return SeverityError
}

// Placeholders in messages and fixes for the needs a finding covers; findings
// that differ only in them are merged into one.
const (
	actionsMark     = "\x00actions\x00"
	actionNamesMark = "\x00names\x00"
	actionJSONMark  = "\x00json\x00"
	consequenceMark = "\x00consequence\x00"
)

// pending is a finding waiting to be merged with the same finding for other needs.
type pending struct {
	f                           Finding
	phrases, actions, resources []string
	required                    bool   // a non-optional need is among them
	why                         string // note of the optional needs
}

type pendingSet struct {
	order []string
	byKey map[string]*pending
}

func (ps *pendingSet) add(g *grantSpec, n Need, fs ...Finding) {
	if ps.byKey == nil {
		ps.byKey = map[string]*pending{}
	}
	for _, f := range fs {
		key := f.Code + "\x01" + f.Attribute + "\x01" + f.Message + "\x01" + f.Fix // severity is merged below
		p, ok := ps.byKey[key]
		if !ok {
			p = &pending{f: f}
			ps.byKey[key] = p
			ps.order = append(ps.order, key)
		}
		p.phrases = appendUnique(p.phrases, g.actionPhrase(n))
		p.actions = appendUnique(p.actions, n.Action)
		p.resources = appendUnique(p.resources, n.fixResource())
		if !n.Optional || n.Why == "" {
			p.required = true
		} else if p.why == "" {
			p.why = n.Why
		}
		if f.Severity == SeverityError {
			p.f.Severity = SeverityError
		}
	}
}

func (ps *pendingSet) findings(g *grantSpec) []Finding {
	out := make([]Finding, 0, len(ps.order))
	for _, key := range ps.order {
		p := ps.byKey[key]
		phrase := joinAnd(p.phrases)
		if len(p.resources) == 1 && len(p.actions) > 1 && p.resources[0] != "" {
			phrase = joinAnd(p.actions) + " on " + p.resources[0]
		}
		consequence := g.consequence
		if !p.required {
			consequence = p.why
		}
		r := strings.NewReplacer(actionsMark, phrase, actionNamesMark, joinAnd(p.actions), actionJSONMark, jsonValue(p.actions), consequenceMark, consequence)
		f := p.f
		f.Message, f.Fix = r.Replace(f.Message), r.Replace(f.Fix)
		out = append(out, f)
	}
	return out
}

// checkGrant evaluates every need and explains each one that is not allowed.
func checkGrant(g grantSpec) grantResult {
	var r grantResult
	var pend pendingSet
	var notGranted []Need
	set := policy.Set{Resource: g.doc, ResourceRequired: g.resourceRequired, ResourceAccount: g.resourceAccount}
	for _, n := range g.needs {
		req := g.request(n)
		res := policy.Evaluate(set, req)
		var ok []policy.Match
		switch res.Decision {
		case policy.ExplicitDeny:
			pend.add(&g, n, g.denyFinding(res.Denies[0], n))
			r.allowed = append(r.allowed, false)
			r.allows = append(r.allows, nil)
			continue
		case policy.Allowed:
			for _, m := range res.Allows {
				if !m.Assumed || len(g.staticProblems(m.Statement, n)) == 0 {
					ok = append(ok, m)
				}
			}
		}
		r.allowed = append(r.allowed, len(ok) > 0)
		r.allows = append(r.allows, ok)
		if len(ok) > 0 {
			continue
		}
		if fs := g.nearMisses(req, n); len(fs) > 0 {
			pend.add(&g, n, fs...)
			continue
		}
		notGranted = append(notGranted, n)
	}
	r.findings = pend.findings(&g)
	if len(notGranted) > 0 {
		r.findings = append(r.findings, g.notGrantedFinding(notGranted))
	}
	return r
}

// needsPhrase renders needs as "a on R and b on S", or "a and b on R" when they share R.
func (g *grantSpec) needsPhrase(needs []Need) string {
	var phrases, actions, resources []string
	for _, n := range needs {
		phrases = append(phrases, g.actionPhrase(n))
		actions = appendUnique(actions, n.Action)
		resources = appendUnique(resources, n.fixResource())
	}
	if len(resources) == 1 && resources[0] != "" && len(actions) > 1 {
		return joinAnd(actions) + " on " + resources[0]
	}
	return joinAnd(phrases)
}

// actionPhrase renders "action on resource", naming the resource the way a fix would (for objects, the key pattern).
func (g *grantSpec) actionPhrase(n Need) string {
	if r := n.fixResource(); r != "" {
		return n.Action + " on " + r
	}
	return n.Action
}

func (g *grantSpec) denyFinding(m policy.Match, n Need) Finding {
	msg := g.label + ": " + m.Statement.Label() + " denies " + actionsMark + " to principal service " + quote(g.service)
	if conds := describeConditions(m.Statement); conds != "" {
		msg += " (its conditions " + conds + " hold for the request " + g.caller + " makes)"
	}
	msg += "; an explicit deny overrides every allow, so " + consequenceMark + "."
	return Finding{
		Code: g.prefix + "EXPLICIT_DENY", Severity: n.severity(SeverityError), Attribute: g.attr, Message: msg,
		Fix: "Exclude " + quote(g.service) + " from " + m.Statement.Label() + ", e.g. add a condition " +
			`{"StringNotEquals": {"aws:PrincipalServiceName": ` + quote(g.service) + `}}` + ", or narrow its Action so it does not cover " + actionNamesMark + ".",
	}
}

// describeConditions lists a statement's conditions as `StringEquals aws:SourceAccount`.
func describeConditions(s *policy.Statement) string {
	var parts []string
	for i := range s.Conditions {
		c := &s.Conditions[i]
		parts = append(parts, c.Operator+" "+c.Key)
	}
	return strings.Join(parts, ", ")
}

// nearMisses finds Allow statements that would grant n but for one thing, and reports them.
func (g *grantSpec) nearMisses(req policy.Request, n Need) []Finding {
	var out []Finding
	for _, rep := range policy.ExplainMiss(g.doc, req) {
		s := rep.Statement
		if s.Effect != policy.Allow {
			continue
		}
		hasP, hasA, hasR := rep.Has(policy.ReasonPrincipal), rep.Has(policy.ReasonAction), rep.Has(policy.ReasonResource)
		switch {
		case hasP:
			if hasA || s.Principal == nil {
				continue
			}
			for _, v := range s.Principal.Service {
				if why, ok := nearMiss(v, g.service); ok {
					out = append(out, Finding{
						Code: g.prefix + "WRONG_SERVICE_PRINCIPAL", Severity: n.severity(SeverityError), Attribute: g.attr,
						Message: g.label + ": " + s.Label() + " allows principal service " + quote(v) + ", but " + g.caller + " " + g.actsAs + " " + quote(g.service) +
							" (" + quote(v) + " is " + why + "); " + consequenceMark + ".",
						Fix: `"Principal": {"Service": ` + quote(g.service) + `}`,
					})
				}
			}
		case hasA:
			if hasR || s.Principal == nil || !contains(s.Principal.Service, g.service) {
				continue
			}
			list := s.Action
			verb := "allows only"
			if s.NotAction != nil {
				list, verb = s.NotAction, "excludes"
			}
			out = append(out, Finding{
				Code: g.prefix + "ACTION_MISSING", Severity: n.severity(g.missingSev()), Attribute: g.attr,
				Message: g.label + ": " + s.Label() + " names principal service " + quote(g.service) + " but " + verb + " " + quoteList(list) +
					", and " + g.caller + " needs " + actionsMark + "; " + consequenceMark + ".",
				Fix: `"Action": ` + actionJSONMark + ` in ` + s.Label() + ` (keep the other actions if they are needed).`,
			})
		case hasR:
			if g.resourceHint != nil {
				if code, detail, fix, ok := g.resourceHint(s, n); ok {
					if code == "" {
						continue
					}
					out = append(out, Finding{
						Code: code, Severity: n.severity(SeverityError), Attribute: g.attr,
						Message: g.label + ": " + s.Label() + " " + detail + "; " + consequenceMark + ".",
						Fix:     fix,
					})
					continue
				}
			}
			out = append(out, Finding{
				Code: g.prefix + "RESOURCE_MISMATCH", Severity: n.severity(SeverityError), Attribute: g.attr,
				Message: g.label + ": " + s.Label() + " allows " + actionNamesMark + " to principal service " + quote(g.service) + " only on " + quoteList(s.Resource) +
					", but " + g.caller + " is authorized against " + quote(n.Resource) + "; " + consequenceMark + ".",
				Fix: `"Resource": ` + quote(n.fixResource()),
			})
		case len(rep.Reasons) > 0:
			for _, reason := range rep.Reasons {
				out = append(out, g.conditionFinding(s, n, reason.Condition, reason.Message, reason.LiteralWildcard, false))
			}
		case rep.Assumed:
			for _, p := range g.staticProblems(s, n) {
				out = append(out, g.conditionFinding(s, n, p.cond, p.why, p.literal, true))
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (g *grantSpec) condCode(key string) string {
	switch strings.ToLower(key) {
	case "aws:sourceaccount":
		return g.prefix + "SOURCE_ACCOUNT_MISMATCH"
	case "aws:sourcearn":
		return g.prefix + "SOURCE_ARN_MISMATCH"
	}
	return g.prefix + "CONDITION_NOT_MET"
}

// conditionFinding reports a condition that keeps an otherwise matching statement from applying.
// With static set, why already says which ARN components differ.
func (g *grantSpec) conditionFinding(s *policy.Statement, n Need, c *policy.Condition, why string, literal, static bool) Finding {
	msg := g.label + ": " + s.Label() + " would allow " + actionsMark + " to principal service " + quote(g.service) + ", except that its " + why
	msg += g.explainGuard(c, n, static)
	msg += "; " + consequenceMark + "."
	return Finding{
		Code: g.condCode(c.Key), Severity: n.severity(SeverityError), Attribute: g.attr,
		Message: msg, Fix: g.conditionFix(c, n, literal),
	}
}

// explainGuard adds what the service really sends for a source key, and which ARN components differ.
func (g *grantSpec) explainGuard(c *policy.Condition, n Need, static bool) string {
	switch strings.ToLower(c.Key) {
	case "aws:sourceaccount":
		if g.guards.sourceAccount != "" {
			return " (" + g.caller + " sends the account that owns the flow log, " + g.guards.sourceAccount + ")"
		}
	case "aws:sourcearn":
		shape := g.guards.sourceARN
		if vals, ok := lookupFold(n.Context, c.Key); ok && len(vals) > 0 {
			shape = shapeOf(vals[0])
		}
		var diffs []string
		for _, v := range c.Values {
			if d := arnDiffs(v, literalOperator(c), false, shape); len(d) > 0 && !static {
				diffs = append(diffs, quote(v)+" "+joinAnd(d))
			}
		}
		what := g.guards.sourceARNWhat
		if what == "" {
			what = "the source ARN"
		}
		out := ""
		if len(diffs) > 0 {
			out = "; " + strings.Join(diffs, "; ")
		}
		if shape.Example != "" {
			out += " (" + g.caller + " sends " + what + ", e.g. " + quote(shape.Example) + ")"
		}
		return out
	}
	return ""
}

func lookupFold(ctx map[string][]string, key string) ([]string, bool) {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// literalOperator reports whether c compares without wildcards.
func literalOperator(c *policy.Condition) bool {
	switch c.Base {
	case "StringEquals", "StringEqualsIgnoreCase", "StringNotEquals", "StringNotEqualsIgnoreCase":
		return true
	}
	return false
}

// arnDiffs says how pattern v cannot match an ARN of the given shape.
// A wildcard under a literal operator is reported only when note is set (the
// engine's own message already says so otherwise); the components are then
// compared as patterns, to name what else is wrong.
func arnDiffs(v string, literal, note bool, shape arnShape) []string {
	if strings.Contains(v, "${") {
		return nil
	}
	var d []string
	if literal && strings.ContainsAny(v, "*?") {
		if note {
			d = append(d, "contains a wildcard, but the operator compares literally")
		}
		literal = false
	}
	p, ok := splitARN(v)
	if !ok {
		return append(d, "is not an ARN")
	}
	match := func(pat, val string) bool {
		if literal {
			return pat == val
		}
		return policy.WildcardMatch(pat, val)
	}
	check := func(what, pat, want string) {
		if want != "" && !match(pat, want) {
			d = append(d, "has "+what+" "+quote(pat)+", but the ARN sent has "+quote(want))
		}
	}
	check("partition", p.Partition, shape.Partition)
	check("service", p.Service, shape.Service)
	check("region", p.Region, shape.Region)
	check("account", p.Account, shape.Account)
	check("resource", p.Resource, shape.Resource)
	if shape.Resource == "" && shape.ResourcePrefix != "" {
		lit := p.Resource
		if i := strings.IndexAny(lit, "*?"); i >= 0 && !literal {
			lit = lit[:i]
			if !strings.HasPrefix(lit, shape.ResourcePrefix) && !strings.HasPrefix(shape.ResourcePrefix, lit) {
				d = append(d, "has resource "+quote(p.Resource)+", but the resource sent starts with "+quote(shape.ResourcePrefix))
			}
		} else if !strings.HasPrefix(lit, shape.ResourcePrefix) {
			d = append(d, "has resource "+quote(p.Resource)+", but the resource sent starts with "+quote(shape.ResourcePrefix))
		}
	}
	return d
}

type staticProblem struct {
	cond    *policy.Condition
	why     string
	literal bool
}

// staticProblems checks the guard conditions on keys whose values are unknown
// for n: an aws:SourceArn pattern that cannot match any ARN of the expected
// shape, or an aws:SourceAccount value that is no account ID, fails whatever
// the real value turns out to be.
func (g *grantSpec) staticProblems(s *policy.Statement, n Need) []staticProblem {
	var out []staticProblem
	for i := range s.Conditions {
		c := &s.Conditions[i]
		if c.Negated() || c.Qualifier != "" || c.Base == "Null" || !isUnknown(n.Unknown, c.Key) {
			continue
		}
		literal := literalOperator(c)
		switch strings.ToLower(c.Key) {
		case "aws:sourcearn":
			shape := g.guards.sourceARN
			var diffs []string
			matchable := false
			for _, v := range c.Values {
				d := arnDiffs(v, literal, true, shape)
				if len(d) == 0 {
					matchable = true
					break
				}
				diffs = append(diffs, quote(v)+" "+joinAnd(d))
			}
			if !matchable {
				out = append(out, staticProblem{cond: c, literal: literal && anyWildcard(c.Values),
					why: "condition " + c.Operator + " " + quote(c.Key) + " can never match: " + strings.Join(diffs, "; ")})
			}
		case "aws:sourceaccount":
			matchable := false
			var bad []string
			for _, v := range c.Values {
				if strings.Contains(v, "${") || (!literal && policy.WildcardMatch(v, "123456789012")) || isAccountID(v) {
					matchable = true
					break
				}
				bad = append(bad, quote(v))
			}
			if !matchable {
				why := "condition " + c.Operator + " " + quote(c.Key) + " can never match: " + strings.Join(bad, ", ") + " is not a 12-digit account ID"
				if literal && anyWildcard(c.Values) {
					why += " (" + c.Base + " compares literally, so * is not a wildcard)"
				}
				out = append(out, staticProblem{cond: c, why: why, literal: literal && anyWildcard(c.Values)})
			}
		}
	}
	return out
}

func anyWildcard(vals []string) bool {
	for _, v := range vals {
		if strings.ContainsAny(v, "*?") {
			return true
		}
	}
	return false
}

func isUnknown(keys []string, key string) bool {
	for _, k := range keys {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// conditionFix proposes the condition to write instead.
func (g *grantSpec) conditionFix(c *policy.Condition, n Need, literal bool) string {
	switch strings.ToLower(c.Key) {
	case "aws:sourceaccount", "aws:sourcearn":
		if g.guardFix != "" {
			return `"Condition": ` + g.guardFix
		}
	}
	if literal {
		op := "StringLike"
		if strings.HasPrefix(strings.ToLower(c.Key), "aws:sourcearn") || strings.Contains(strings.ToLower(c.Key), ":arn") {
			op = "ArnLike"
		}
		return "Use " + quote(op) + " instead of " + quote(c.Base) + " for values with wildcards: " + `{` + quote(op) + `: {` + quote(c.Key) + `: ` + jsonValue(c.Values) + `}}`
	}
	if vals, ok := lookupFold(n.Context, c.Key); ok && len(vals) > 0 {
		return "Make the condition accept what " + g.caller + " sends: " + `{` + quote(c.Base) + `: {` + quote(c.Key) + `: ` + jsonValue(vals) + `}}` + ", or remove it."
	}
	return "Remove the " + c.Operator + " condition on " + quote(c.Key) + ": " + g.caller + " does not send that key."
}

// notGrantedFinding reports needs that no statement comes close to granting.
func (g *grantSpec) notGrantedFinding(needs []Need) Finding {
	sev := SeverityWarning
	for _, n := range needs {
		if n.severity(g.missingSev()) == SeverityError {
			sev = SeverityError
		}
	}
	msg := g.label + " has no statement that allows principal service " + quote(g.service) + " " + g.needsPhrase(needs)
	if trusted := g.trustedPrincipals(); trusted != "" {
		msg += " (its Allow statements name " + trusted + ")"
	}
	consequence := g.consequence
	if sev == SeverityWarning {
		for _, n := range needs {
			if n.Optional && n.Why != "" {
				consequence = n.Why
				break
			}
		}
	}
	msg += "; " + consequence + "."
	fix := ""
	if g.fix != nil {
		fix = "Add " + g.fix(needs)
	}
	return Finding{Code: g.notGrantedCode, Severity: sev, Attribute: g.attr, Message: msg, Fix: fix}
}

// trustedPrincipals summarizes whom the Allow statements name.
func (g *grantSpec) trustedPrincipals() string {
	var parts []string
	for i := range g.doc.Statements {
		s := &g.doc.Statements[i]
		if s.Effect != policy.Allow || s.Principal == nil {
			continue
		}
		if s.Principal.Wildcard {
			parts = appendUnique(parts, `"*"`)
			continue
		}
		for _, typ := range []string{policy.PrincipalAWS, policy.PrincipalService, policy.PrincipalFederated, policy.PrincipalCanonicalUser} {
			for _, v := range s.Principal.Values(typ) {
				parts = appendUnique(parts, typ+" "+quote(v))
			}
		}
	}
	if len(parts) > 4 {
		parts = append(parts[:4], "…")
	}
	return strings.Join(parts, ", ")
}
