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

// Source says which part of a Set a policy came from.
type Source int

const (
	// SourceIdentity is an identity-based policy of the principal.
	SourceIdentity Source = iota
	// SourceBoundary is the principal's permissions boundary.
	SourceBoundary
	// SourceResource is the resource-based policy (trust, bucket or key policy).
	SourceResource
)

// String names the source for messages.
func (s Source) String() string {
	switch s {
	case SourceBoundary:
		return "permissions boundary"
	case SourceResource:
		return "resource-based policy"
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
)

// Match is a statement that applied to a request.
type Match struct {
	Policy    string // Policy.Name
	Source    Source
	Statement *Statement
	Via       Via  // for resource-based policies
	Assumed   bool // applied only by assuming that conditions on Request.Unknown keys hold
}

// String names the statement and its policy: `statement "Sid" (index 0) of inline policy x`.
func (m Match) String() string {
	s := m.Statement.Label()
	if m.Policy != "" {
		s += " of " + m.Policy
	}
	return s
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
}

// Result is the outcome of Evaluate with the statements that decided it.
type Result struct {
	Decision Decision
	Gap      Gap
	Denies   []Match // Deny statements that applied
	Allows   []Match // Allow statements that applied, from every source
	Reason   string  // one sentence on how the decision was reached
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

// Evaluate decides a request against a set of policies with the AWS evaluation
// logic for a single account or a cross-account call: an explicit deny in any
// policy wins; otherwise a service or anonymous principal needs the
// resource-based policy; within an account either the resource-based policy
// (naming the principal) or the identity-based policies allow, the latter only
// within the permissions boundary; across accounts both sides must allow.
func Evaluate(set Set, req Request) Result {
	var r Result
	var idAllow, bdAllow bool
	var resVia Via
	for _, p := range set.Identity {
		if p != nil && p.collect(&req, SourceIdentity, &r) {
			idAllow = true
		}
	}
	if set.Boundary != nil {
		bdAllow = set.Boundary.collect(&req, SourceBoundary, &r)
	}
	if set.Resource != nil {
		set.Resource.collect(&req, SourceResource, &r)
		for _, m := range r.Allows {
			if m.Source == SourceResource && m.Via > resVia {
				resVia = m.Via
			}
		}
	}
	if len(r.Denies) > 0 {
		r.Decision = ExplicitDeny
		r.Reason = "explicitly denied by " + r.Denies[0].String()
		return r
	}
	inBoundary := set.Boundary == nil || bdAllow
	allow := func(reason string) Result {
		r.Decision, r.Reason = Allowed, reason
		return r
	}
	deny := func(g Gap, reason string) Result {
		r.Decision, r.Gap, r.Reason = ImplicitDeny, g, reason
		return r
	}
	resName := "the resource-based policy"
	if set.Resource != nil && set.Resource.Name != "" {
		resName = set.Resource.Name
	}
	service := req.Principal.Type != PrincipalAWS
	sameAccount := set.ResourceAccount == "" || set.ResourceAccount == req.Principal.Account

	switch {
	case set.ResourceRequired:
		switch {
		case set.Resource == nil:
			return deny(GapResourcePolicy, "no resource-based policy is given, and only it can grant access here")
		case resVia == ViaDirect, resVia == ViaRole && inBoundary:
			return allow("allowed by " + resName)
		case resVia == ViaRole:
			return deny(GapBoundary, resName+" allows the role, but the permissions boundary does not")
		case resVia == ViaAccount && idAllow && inBoundary:
			return allow(resName + " delegates to the account and an identity-based policy allows")
		case resVia == ViaAccount && idAllow:
			return deny(GapBoundary, "identity-based policies allow, but the permissions boundary does not")
		case resVia == ViaAccount:
			return deny(GapIdentityPolicy, resName+" delegates to the account, but no identity-based policy allows")
		}
		return deny(GapResourcePolicy, resName+" does not allow the principal, and only it can grant access here")
	case service:
		if resVia != ViaNone {
			return allow("allowed by " + resName)
		}
		if set.Resource == nil {
			return deny(GapResourcePolicy, "no resource-based policy grants access to the "+principalNoun(req.Principal))
		}
		return deny(GapResourcePolicy, resName+" does not allow the "+principalNoun(req.Principal))
	case sameAccount:
		switch {
		case resVia == ViaDirect:
			return allow("allowed by " + resName)
		case resVia == ViaRole && inBoundary:
			return allow("allowed by " + resName)
		case idAllow && inBoundary:
			return allow("allowed by identity-based policies")
		case idAllow, resVia == ViaRole:
			return deny(GapBoundary, "allowed by policies, but the permissions boundary does not allow it")
		case resVia == ViaAccount:
			return deny(GapIdentityPolicy, resName+" delegates to the account, but no identity-based policy allows")
		}
		return deny(GapNoAllow, "no statement allows it")
	}
	switch {
	case resVia == ViaNone:
		return deny(GapResourcePolicy, "cross-account request: "+resName+" does not allow the principal")
	case !idAllow:
		return deny(GapIdentityPolicy, "cross-account request: no identity-based policy allows it")
	case !inBoundary:
		return deny(GapBoundary, "cross-account request: the permissions boundary does not allow it")
	}
	return allow("cross-account request allowed by identity-based policies and " + resName)
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
func (p *Policy) collect(req *Request, src Source, r *Result) bool {
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
				r.Denies = append(r.Denies, Match{Policy: p.Name, Source: src, Statement: s, Via: via})
			}
		default:
			r.Allows = append(r.Allows, Match{Policy: p.Name, Source: src, Statement: s, Via: via, Assumed: t == maybe})
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
		if via = principalVia(s, req.Principal); via == ViaNone {
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
	r := no
	for _, pat := range list {
		if r = r.or(resourceEntry(pat, req, subst)); r == yes {
			break
		}
	}
	if s.NotResource != nil {
		return r.not()
	}
	return r
}

func resourceEntry(pat string, req *Request, subst bool) tri {
	esc := false
	if subst && strings.Contains(pat, "${") {
		e, t := expand(pat, req, true)
		if t != yes {
			return t
		}
		pat, esc = e, true
	}
	return triOf(resourceMatch(pat, req.Resource, esc))
}

// principalVia reports how the statement's Principal or NotPrincipal applies to pr.
func principalVia(s *Statement, pr Principal) Via {
	switch {
	case s.Principal != nil:
		return s.Principal.match(pr)
	case s.NotPrincipal != nil:
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
