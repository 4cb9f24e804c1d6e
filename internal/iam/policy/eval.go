package policy

import (
	"strconv"
	"strings"
)

// Decision is the outcome of an evaluation.
type Decision int

const (
	// ImplicitDeny means nothing allowed the request (or a required policy did not).
	ImplicitDeny Decision = iota
	// Allowed means the request is allowed.
	Allowed
	// ExplicitDeny means a Deny statement matched; nothing can override it.
	ExplicitDeny
)

// String returns "implicit deny", "allow" or "explicit deny".
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allow"
	case ExplicitDeny:
		return "explicit deny"
	}
	return "implicit deny"
}

// Source says which part of a Set a policy came from: the layers of the evaluation chain.
type Source int

const (
	// SourceIdentity is an identity-based policy of the principal.
	SourceIdentity Source = iota
	// SourceBoundary is the principal's permissions boundary.
	SourceBoundary
	// SourceResource is the resource-based policy (trust, bucket or key policy).
	SourceResource
	// SourceSession is a session policy passed when the role was assumed.
	SourceSession
	// SourceSCP is a service control policy of the principal's account.
	SourceSCP
	// SourceRCP is a resource control policy of the resource's account.
	SourceRCP
	// SourceEndpoint is the policy of the VPC endpoint the request goes through.
	SourceEndpoint
)

// String names the source for messages.
func (s Source) String() string {
	switch s {
	case SourceBoundary:
		return "permissions boundary"
	case SourceResource:
		return "resource-based policy"
	case SourceSession:
		return "session policy"
	case SourceSCP:
		return "service control policy"
	case SourceRCP:
		return "resource control policy"
	case SourceEndpoint:
		return "VPC endpoint policy"
	}
	return "identity-based policy"
}

// Via says how a resource-based policy's Principal element matched the requester.
type Via uint8

const (
	// ViaNone means the Principal element does not match (or the policy has none).
	ViaNone Via = iota
	// ViaAccount means the element names the requester's account (an account ID or its :root ARN): it delegates to the account's identity policies.
	ViaAccount
	// ViaRole means the element names the role whose session makes the request.
	ViaRole
	// ViaDirect means the element names the requester itself, or everyone.
	ViaDirect
)

// Gap says, for an implicit deny, what was missing.
type Gap int

const (
	// GapNone is the gap of allowed and explicitly denied requests.
	GapNone Gap = iota
	// GapNoAllow means no applicable statement allows the request.
	GapNoAllow
	// GapBoundary means identity-based policies allow the request but the permissions boundary does not.
	GapBoundary
	// GapResourcePolicy means the resource-based policy must allow the request (a KMS key policy, or a cross-account call) but does not.
	GapResourcePolicy
	// GapIdentityPolicy means the resource-based policy only delegates to the account (or the call is cross-account) and no identity-based policy allows the request.
	GapIdentityPolicy
	// GapSession means the request would be allowed but the session policies do not allow it.
	GapSession
	// GapSCP means no service control policy attached at one level of the organisation (root, OU or account) allows the request.
	GapSCP
	// GapRCP means no resource control policy attached at one level of the resource's organisation allows the request.
	GapRCP
	// GapEndpoint means the VPC endpoint policy does not allow the request.
	GapEndpoint
)

// Match is a statement that applied to a request.
type Match struct {
	Policy    string // Policy.Name
	Source    Source
	Statement *Statement
	Via       Via    // for resource-based policies
	Assumed   bool   // applied only by assuming that conditions on Request.Unknown keys hold
	Level     string // for SCPs and RCPs: the root, OU or account the policy is attached to
}

// String names the statement and its policy: `statement "Sid" (index 0) of inline policy x`.
func (m Match) String() string {
	s := m.Statement.Label()
	if m.Policy != "" {
		s += " of " + m.Policy
	}
	if m.Level != "" {
		s += " (attached to " + m.Level + ")"
	}
	return s
}

// OrgLevel is one level of an organisation on the path from the root to an
// account (the root, each OU, the account itself) with the policies attached
// to it directly. AWS requires an allow at every level and honours a deny at
// any level (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html).
type OrgLevel struct {
	Target   string // "r-ab12", "ou-ab12-34567890", "111122223333", used in messages
	Policies []*Policy
}

// Org says what organisation policies do not restrict.
type Org struct {
	// ManagementAccount is the organisation's management account: SCPs do not
	// restrict its principals and RCPs do not restrict its resources.
	ManagementAccount string
	// AWSManagedKey says the resource is an AWS managed KMS key, which RCPs do not restrict.
	AWSManagedKey bool
}

// Set is the policies that take part in one evaluation.
type Set struct {
	Identity []*Policy // identity-based policies of the principal; unioned
	Boundary *Policy   // permissions boundary; nil for none
	Resource *Policy   // resource-based policy (trust, bucket, key policy); nil for none
	// ResourceAccount owns the resource; "" means the principal's own account.
	ResourceAccount string
	// ResourceRequired makes the resource-based policy mandatory, as KMS key
	// policies are: identity-based policies count only if the key policy
	// delegates to the principal's account.
	ResourceRequired bool
	// Session holds the session policies passed when the role was assumed;
	// nil for none. They limit identity-based grants and grants to the role's
	// ARN, not grants that name the session itself.
	Session []*Policy
	// SCPs are the service control policies that apply to the principal's
	// account, root first; nil when the account is in no organisation.
	SCPs []OrgLevel
	// RCPs are the resource control policies that apply to the resource's
	// account, root first; nil when the account is in no organisation. AWS
	// attaches RCPFullAWSAccess to every level and it cannot be detached, so
	// RCPs act only through their Deny statements.
	RCPs []OrgLevel
	// Endpoint is the policy of the VPC endpoint the request goes through; nil for none.
	Endpoint *Policy
	// Org says which principals and resources organisation policies do not restrict.
	Org Org
}

// Result is the outcome of Evaluate with the statements that decided it.
type Result struct {
	Decision Decision
	Gap      Gap
	Denies   []Match // Deny statements that applied
	Allows   []Match // Allow statements that applied, from every source
	Reason   string  // one sentence on how the decision was reached
	// Layer is the layer that decided: the layer of the first Deny for an
	// explicit deny, the layer that lacked an allow for an implicit deny, the
	// layer that granted for an allow.
	Layer Source
	// Level is, for a decision by SCPs or RCPs, the root, OU or account at which it was made.
	Level string
	// Exempt lists the organisation layers that did not apply, with why (e.g. "service control policies: the principal is a service-linked role").
	Exempt []string
}

// Allowed reports whether the request is allowed.
func (r Result) Allowed() bool { return r.Decision == Allowed }

// Assumed reports whether an allow depends on conditions over unknown keys.
func (r Result) Assumed() bool {
	if r.Decision != Allowed {
		return false
	}
	for _, m := range r.Allows {
		if !m.Assumed {
			return false
		}
	}
	return len(r.Allows) > 0
}

// AllowsFrom returns the Allow matches of one source.
func (r Result) AllowsFrom(src Source) []Match {
	var out []Match
	for _, m := range r.Allows {
		if m.Source == src {
			out = append(out, m)
		}
	}
	return out
}

// DeniesFrom returns the Deny matches of one source.
func (r Result) DeniesFrom(src Source) []Match {
	var out []Match
	for _, m := range r.Denies {
		if m.Source == src {
			out = append(out, m)
		}
	}
	return out
}

// Explain says in one sentence which layer decided the request and by which statement.
func (r Result) Explain() string {
	layer := r.Layer.String()
	if r.Level != "" {
		layer += " at " + r.Level
	}
	switch r.Decision {
	case ExplicitDeny:
		return "explicit deny in the " + layer + ": " + r.Denies[0].String()
	case Allowed:
		for _, m := range r.Allows {
			if m.Source == r.Layer {
				return "allowed by the " + layer + ": " + m.String()
			}
		}
		return "allowed by the " + layer
	}
	return "implicit deny at the " + layer + ": " + r.Reason
}

// Evaluate decides a request against a set of policies with the AWS policy
// evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
// an explicit deny in any policy wins; then every level of the SCPs must
// allow, then the VPC endpoint policy; a service or anonymous principal needs
// the resource-based policy; within an account either the resource-based
// policy (naming the principal) or the identity-based policies allow, the
// latter only within the permissions boundary and session policies; across
// accounts both sides must allow
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
func Evaluate(set Set, req Request) Result {
	var r Result
	var idAllow, bdAllow bool
	var resVia Via
	req.boundary = set.Boundary != nil
	for _, p := range set.Identity {
		if p != nil && p.collect(&req, SourceIdentity, "", &r) {
			idAllow = true
		}
	}
	if set.Boundary != nil {
		bdAllow = set.Boundary.collect(&req, SourceBoundary, "", &r)
	}
	if set.Resource != nil {
		set.Resource.collect(&req, SourceResource, "", &r)
		for _, m := range r.Allows {
			if m.Source == SourceResource && m.Via > resVia {
				resVia = m.Via
			}
		}
	}
	sessionAllow := set.Session == nil
	for _, p := range set.Session {
		if p != nil && p.collect(&req, SourceSession, "", &r) {
			sessionAllow = true
		}
	}
	scpGap := ""
	if why := scpExemption(set, req); why != "" {
		if set.SCPs != nil {
			r.Exempt = append(r.Exempt, "service control policies: "+why)
		}
	} else {
		scpGap = collectLevels(set.SCPs, &req, SourceSCP, &r)
	}
	if why := rcpExemption(set, req); why != "" {
		if set.RCPs != nil {
			r.Exempt = append(r.Exempt, "resource control policies: "+why)
		}
	} else {
		// RCPFullAWSAccess allows at every level; only denies count.
		collectLevels(set.RCPs, &req, SourceRCP, &r)
	}
	endpointAllow := set.Endpoint == nil || set.Endpoint.collect(&req, SourceEndpoint, "", &r)

	if len(r.Denies) > 0 {
		first := r.Denies[0]
		for _, m := range r.Denies {
			if m.Source >= SourceSCP {
				first = m // organisation guardrails and endpoints are named first: they are what a user cannot see in the account
				break
			}
		}
		r.Denies = append([]Match{first}, without(r.Denies, first)...)
		r.Decision, r.Layer, r.Level = ExplicitDeny, first.Source, first.Level
		r.Reason = "explicitly denied by " + first.String()
		return r
	}
	allow := func(layer Source, reason string) Result {
		r.Decision, r.Layer, r.Reason = Allowed, layer, reason
		return r
	}
	deny := func(g Gap, layer Source, reason string) Result {
		r.Decision, r.Gap, r.Layer, r.Reason = ImplicitDeny, g, layer, reason
		return r
	}
	if scpGap != "" {
		r.Level = scpGap
		return deny(GapSCP, SourceSCP, "no service control policy attached to "+scpGap+" allows "+req.Action)
	}
	if !endpointAllow {
		return deny(GapEndpoint, SourceEndpoint, "the VPC endpoint policy does not allow "+req.Action+" for this principal and resource")
	}

	// limited reports what stops a grant that boundary and session policies limit.
	limited := func() (Gap, Source, string) {
		switch {
		case set.Boundary != nil && !bdAllow:
			return GapBoundary, SourceBoundary, "the permissions boundary does not allow it"
		case !sessionAllow:
			return GapSession, SourceSession, "the session policy does not allow it"
		}
		return GapNone, 0, ""
	}
	gap, gapLayer, gapWhy := limited()
	inLimits := gap == GapNone

	resName := "the resource-based policy"
	if set.Resource != nil && set.Resource.Name != "" {
		resName = set.Resource.Name
	}
	service := req.Principal.Type != PrincipalAWS
	sameAccount := set.ResourceAccount == "" || set.ResourceAccount == req.Principal.Account
	// A cross-account IAM principal needs its own account's identity-based
	// policies to allow as well, whatever the resource-based policy says.
	crossAccount := !service && !sameAccount

	switch {
	case set.ResourceRequired:
		switch {
		case set.Resource == nil:
			return deny(GapResourcePolicy, SourceResource, "no resource-based policy is given, and only it can grant access here")
		case resVia == ViaNone:
			return deny(GapResourcePolicy, SourceResource, resName+" does not allow the principal, and only it can grant access here")
		case crossAccount && !idAllow:
			return deny(GapIdentityPolicy, SourceIdentity, "cross-account request: "+resName+" allows it, but no identity-based policy in the principal's account does")
		case crossAccount && !inLimits:
			return deny(gap, gapLayer, "cross-account request: "+gapWhy)
		case crossAccount:
			return allow(SourceResource, "cross-account request allowed by identity-based policies and "+resName)
		case resVia == ViaDirect:
			return allow(SourceResource, "allowed by "+resName)
		case resVia == ViaRole && inLimits:
			return allow(SourceResource, "allowed by "+resName)
		case resVia == ViaRole:
			return deny(gap, gapLayer, resName+" allows the role, but "+gapWhy)
		case idAllow && inLimits:
			return allow(SourceIdentity, resName+" delegates to the account and an identity-based policy allows")
		case idAllow:
			return deny(gap, gapLayer, "identity-based policies allow, but "+gapWhy)
		}
		return deny(GapIdentityPolicy, SourceIdentity, resName+" delegates to the account, but no identity-based policy allows")
	case service:
		if resVia != ViaNone {
			return allow(SourceResource, "allowed by "+resName)
		}
		if set.Resource == nil {
			return deny(GapResourcePolicy, SourceResource, "no resource-based policy grants access to the "+principalNoun(req.Principal))
		}
		return deny(GapResourcePolicy, SourceResource, resName+" does not allow the "+principalNoun(req.Principal))
	case sameAccount:
		switch {
		case resVia == ViaDirect:
			return allow(SourceResource, "allowed by "+resName)
		case resVia == ViaRole && inLimits:
			return allow(SourceResource, "allowed by "+resName)
		case idAllow && inLimits:
			return allow(SourceIdentity, "allowed by identity-based policies")
		case idAllow, resVia == ViaRole:
			return deny(gap, gapLayer, "allowed by policies, but "+gapWhy)
		case resVia == ViaAccount:
			return deny(GapIdentityPolicy, SourceIdentity, resName+" delegates to the account, but no identity-based policy allows")
		}
		return deny(GapNoAllow, SourceIdentity, "no statement allows it")
	}
	switch {
	case resVia == ViaNone:
		return deny(GapResourcePolicy, SourceResource, "cross-account request: "+resName+" does not allow the principal")
	case !idAllow:
		return deny(GapIdentityPolicy, SourceIdentity, "cross-account request: no identity-based policy allows it")
	case !inLimits:
		return deny(gap, gapLayer, "cross-account request: "+gapWhy)
	}
	return allow(SourceResource, "cross-account request allowed by identity-based policies and "+resName)
}

func without(ms []Match, drop Match) []Match {
	out := make([]Match, 0, len(ms))
	dropped := false
	for _, m := range ms {
		if !dropped && m.Statement == drop.Statement && m.Policy == drop.Policy && m.Source == drop.Source && m.Level == drop.Level {
			dropped = true
			continue
		}
		out = append(out, m)
	}
	return out
}

// collectLevels collects the matches of organisation policies level by level
// and returns the first level at which no policy allows the request ("" when
// every level allows).
func collectLevels(levels []OrgLevel, req *Request, src Source, r *Result) string {
	gap := ""
	for _, l := range levels {
		allowed := false
		for _, p := range l.Policies {
			if p != nil && p.collect(req, src, l.Target, r) {
				allowed = true
			}
		}
		if !allowed && gap == "" {
			gap = l.Target
		}
	}
	return gap
}

// scpExemption says why SCPs do not restrict the request's principal, or "".
// SCPs restrict only IAM users, roles and the root user of member accounts; not
// service principals, service-linked roles or the management account
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html#not-restricted-by-scp).
func scpExemption(set Set, req Request) string {
	pr := req.Principal
	switch {
	case pr.Type != PrincipalAWS:
		return "they do not restrict " + principalNoun(pr)
	case isServiceLinkedRole(pr.ID):
		return "they do not restrict service-linked roles"
	case set.Org.ManagementAccount != "" && pr.Account == set.Org.ManagementAccount:
		return "they do not restrict principals of the management account " + pr.Account
	}
	return ""
}

// rcpServices are the services whose resources RCPs restrict: the five AWS
// listed when RCPs were launched
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services).
// Services added to that list later are not modelled: an RCP on them is
// ignored rather than risk a finding AWS would not bear out.
var rcpServices = []string{"s3", "sts", "kms", "sqs", "secretsmanager"}

// rcpExemption says why RCPs do not restrict the request, or "": they restrict
// only resources of member accounts, of the supported services, and not calls
// by service-linked roles or on AWS managed KMS keys
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
func rcpExemption(set Set, req Request) string {
	svc, _, _ := strings.Cut(req.Action, ":")
	resAccount := set.ResourceAccount
	if resAccount == "" {
		resAccount = req.Principal.Account
	}
	switch {
	case !containsFold(rcpServices, svc):
		return "they do not apply to " + svc + " resources"
	case isServiceLinkedRole(req.Principal.ID):
		return "they do not restrict service-linked roles"
	case set.Org.AWSManagedKey:
		return "they do not apply to AWS managed KMS keys"
	case set.Org.ManagementAccount != "" && resAccount == set.Org.ManagementAccount:
		return "they do not restrict resources of the management account " + resAccount
	}
	return ""
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// isServiceLinkedRole recognises a service-linked role by its path
// (arn:aws:iam::A:role/aws-service-role/...) or, for a session whose ARN
// carries only the role name, by the AWSServiceRoleFor name prefix.
func isServiceLinkedRole(id string) bool {
	if strings.HasPrefix(id, "arn:") && arnField(id, 2) == "iam" && strings.HasPrefix(arnField(id, 5), "role/aws-service-role/") {
		return true
	}
	if name, ok := sessionRoleName(id); ok {
		return strings.HasPrefix(name, "AWSServiceRoleFor")
	}
	return false
}

func principalNoun(p Principal) string {
	switch p.Type {
	case PrincipalService:
		return "service " + strconv.Quote(p.ID)
	case "":
		return "anonymous principal"
	}
	return "principal " + strconv.Quote(p.ID)
}

// collect appends the matches of p to r and reports whether an Allow statement applied.
func (p *Policy) collect(req *Request, src Source, level string, r *Result) bool {
	allowed := false
	for i := range p.Statements {
		s := &p.Statements[i]
		t, via := p.applies(s, req)
		switch {
		case t == no:
			continue
		case s.Effect == Deny:
			// A deny on unknown values is not assumed: it may never apply.
			if t == yes {
				r.Denies = append(r.Denies, Match{Policy: p.Name, Source: src, Statement: s, Via: via, Level: level})
			}
		default:
			r.Allows = append(r.Allows, Match{Policy: p.Name, Source: src, Statement: s, Via: via, Assumed: t == maybe, Level: level})
			allowed = true
		}
	}
	return allowed
}

// Applies reports whether statement s of p applies to the request, ignoring its
// Effect; unknown keys count as applying. It is the per-statement test behind
// Evaluate.
func (p *Policy) Applies(s *Statement, req Request) bool {
	t, _ := p.applies(s, &req)
	return t != no
}

func (p *Policy) applies(s *Statement, req *Request) (tri, Via) {
	if !actionMatches(s, req.Action) {
		return no, ViaNone
	}
	via := ViaDirect
	if p.Kind != KindIdentity {
		if via = principalVia(s, req); via == ViaNone {
			return no, ViaNone
		}
	}
	subst := p.SubstitutesVariables()
	t := resourceMatches(s, req, subst)
	if t == no {
		return no, ViaNone
	}
	for i := range s.Conditions {
		if t = t.and(s.Conditions[i].eval(req, subst)); t == no {
			return no, ViaNone
		}
	}
	return t, via
}

func actionMatches(s *Statement, action string) bool {
	if s.NotAction != nil {
		for _, a := range s.NotAction {
			if glob(a, action, true, false) {
				return false
			}
		}
		return true
	}
	for _, a := range s.Action {
		if glob(a, action, true, false) {
			return true
		}
	}
	return false
}

func resourceMatches(s *Statement, req *Request, subst bool) tri {
	if req.Resource == "" || s.Resource == nil && s.NotResource == nil {
		return yes
	}
	list := s.Resource
	if s.NotResource != nil {
		list = s.NotResource
	}
	r, cannot := no, false
	for _, pat := range list {
		t, ok := resourceEntry(pat, req, subst)
		if !ok {
			cannot = true
			continue
		}
		if r = r.or(t); r == yes {
			break
		}
	}
	if s.NotResource != nil {
		// An entry whose policy variable does not resolve is not a match, and
		// NotResource does not turn it into one.
		if cannot && r != yes {
			return no
		}
		return r.not()
	}
	return r
}

// resourceEntry matches one Resource entry; ok is false when a policy variable in it does not resolve.
func resourceEntry(pat string, req *Request, subst bool) (t tri, ok bool) {
	if subst && strings.Contains(pat, "${") {
		alts, st := expandAll(pat, req, true)
		switch st {
		case maybe:
			return maybe, true
		case no:
			return no, false
		}
		for _, e := range alts {
			if resourceMatch(e, req.Resource, true) {
				return yes, true
			}
		}
		return no, true
	}
	return triOf(resourceMatch(pat, req.Resource, false)), true
}

// principalVia reports how the statement's Principal or NotPrincipal applies to pr.
func principalVia(s *Statement, req *Request) Via {
	pr := req.Principal
	switch {
	case s.Principal != nil:
		return s.Principal.match(pr)
	case s.NotPrincipal != nil:
		// A Deny with NotPrincipal always applies to an IAM user or role that
		// has a permissions boundary, whatever NotPrincipal lists
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
		if s.Effect == Deny && req.boundary && pr.Type == PrincipalAWS {
			return ViaDirect
		}
		if s.NotPrincipal.excludes(pr) {
			return ViaNone
		}
		return ViaDirect
	}
	return ViaNone
}

// match reports how the set matches pr; the strongest match wins.
func (ps *PrincipalSet) match(pr Principal) Via {
	if ps.Wildcard {
		return ViaDirect
	}
	best := ViaNone
	for _, v := range ps.AWS {
		if v == "*" {
			return ViaDirect
		}
		if pr.Type != PrincipalAWS {
			continue
		}
		if v == pr.ID {
			// A request is never made by a role itself but by one of its
			// sessions: naming the role matches them, within the role's
			// boundary and session policies; only naming the session ARN
			// grants past them
			// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html#policy-eval-basics).
			if isRoleARN(pr.ID) {
				best = ViaRole
				continue
			}
			return ViaDirect
		}
		if acct, ok := accountPrincipal(v); ok {
			if pr.ID == acct || pr.ID == rootARN(pr.ID, acct) {
				return ViaDirect
			}
			if acct == pr.Account && best < ViaAccount {
				best = ViaAccount
			}
			continue
		}
		if name, ok := sessionRoleName(pr.ID); ok && best < ViaRole && roleMatchesSession(v, pr.ID, name) {
			best = ViaRole
		}
	}
	if best != ViaNone {
		return best
	}
	var list []string
	switch pr.Type {
	case PrincipalService:
		list = ps.Service
	case PrincipalFederated:
		list = ps.Federated
	case PrincipalCanonicalUser:
		list = ps.CanonicalUser
	}
	for _, v := range list {
		if v == pr.ID {
			return ViaDirect
		}
	}
	return ViaNone
}

// excludes reports whether a NotPrincipal set names pr exactly. Naming an account
// or a role excludes only the account root or the role, not sessions or users in
// it, which is why AWS asks to list session ARNs in NotPrincipal too.
func (ps *PrincipalSet) excludes(pr Principal) bool {
	if ps.IsEveryone() {
		return true
	}
	for _, v := range ps.Values(pr.Type) {
		if v == pr.ID {
			return true
		}
		if pr.Type == PrincipalAWS {
			if acct, ok := accountPrincipal(v); ok && (pr.ID == acct || pr.ID == rootARN(pr.ID, acct)) {
				return true
			}
		}
	}
	return false
}

// accountPrincipal recognises "123456789012" and "arn:aws:iam::123456789012:root".
func accountPrincipal(v string) (string, bool) {
	if isAccountID(v) {
		return v, true
	}
	if strings.HasPrefix(v, "arn:") && strings.HasSuffix(v, ":root") && arnField(v, 2) == "iam" && arnField(v, 5) == "root" {
		acct := arnAccount(v)
		return acct, isAccountID(acct)
	}
	return "", false
}

func rootARN(like, acct string) string {
	part := arnPartition(like)
	if part == "" {
		part = "aws"
	}
	return "arn:" + part + ":iam::" + acct + ":root"
}

// isRoleARN reports whether id is an IAM role ARN (arn:aws:iam::A:role/NAME).
func isRoleARN(id string) bool {
	return strings.HasPrefix(id, "arn:") && arnField(id, 2) == "iam" && strings.HasPrefix(arnField(id, 5), "role/")
}

// roleMatchesSession reports whether role ARN v is the role behind session ARN id.
func roleMatchesSession(v, id, name string) bool {
	if arnField(v, 2) != "iam" || arnAccount(v) != arnAccount(id) {
		return false
	}
	res, ok := strings.CutPrefix(arnField(v, 5), "role/")
	if !ok {
		return false
	}
	if i := strings.LastIndexByte(res, '/'); i >= 0 {
		res = res[i+1:]
	}
	return res == name
}
