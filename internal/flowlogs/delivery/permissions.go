package delivery

import (
	"sort"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// permSpec is a role's identity-based side checked for the calls a service makes with it.
type permSpec struct {
	roleLabel   string // "role arn:aws:iam::111122223333:role/flow"
	principal   policy.Principal
	perms       []*policy.Policy
	permNames   []string
	boundary    *policy.Policy
	needs       []Need
	caller      string // "VPC Flow Logs"
	target      string // who rejects the calls, e.g. "CloudWatch Logs"
	consequence string
}

// permIssue is one problem with one need, before issues sharing a cause are merged.
type permIssue struct {
	code, severity, attr string
	where                string // statement and policy, "" for role-wide issues
	detail               string // cause, the same for every need it is merged across
	why                  string // what failing means, for optional needs
	fix                  string
	actions, resources   []string
	fixResources         []string
}

func (p *permSpec) request(n Need) policy.Request {
	return policy.Request{Principal: p.principal, Action: n.Action, Resource: n.Resource, Context: n.Context, Unknown: n.Unknown}
}

// checkPermissions evaluates every need against the identity policies within the boundary.
func checkPermissions(p permSpec) []Finding {
	if len(p.perms) == 0 && len(p.permNames) == 0 {
		var actions []string
		for _, n := range p.needs {
			if !n.Optional {
				actions = append(actions, n.Action)
			}
		}
		return []Finding{{
			Code: "PERMISSION_NO_POLICIES", Severity: SeverityError, Attribute: AttrPermissionPolicies,
			Message: p.roleLabel + " has no permission policies, so it may call nothing; " + p.caller + " assumes the role but " + p.target +
				" rejects " + joinAnd(actions) + ", and " + p.consequence + ".",
			Fix: "Attach a policy with " + p.fixStatement(p.needs),
		}}
	}
	set := policy.Set{Identity: p.perms, Boundary: p.boundary}
	var issues []*permIssue
	for _, n := range p.needs {
		req := p.request(n)
		res := policy.Evaluate(set, req)
		var found []*permIssue
		switch {
		case res.Decision == policy.Allowed:
			continue
		case res.Decision == policy.ExplicitDeny:
			m := res.Denies[0]
			attr := AttrPermissionPolicies
			if m.Source == policy.SourceBoundary {
				attr = AttrPermissionsBoundary
			}
			found = []*permIssue{{
				code: "PERMISSION_EXPLICIT_DENY", severity: n.severity(SeverityError), attr: attr, where: m.String(),
				detail: "denies", fix: "Narrow the Deny in " + m.String() + " so it does not cover the delivery actions (e.g. exclude them with NotAction), or remove it.",
			}}
		case res.Gap == policy.GapBoundary:
			found = []*permIssue{p.boundaryIssue(req, n)}
		default:
			found = p.identityIssues(req, n)
		}
		for _, is := range found {
			if n.Optional {
				is.why = n.Why
			}
			is.actions = []string{n.Action}
			is.resources = []string{n.Resource}
			is.fixResources = []string{n.fixResource()}
		}
		issues = append(issues, found...)
	}
	return p.merge(issues)
}

// boundaryIssue explains a need the identity policies allow but the boundary does not.
func (p *permSpec) boundaryIssue(req policy.Request, n Need) *permIssue {
	detail := "does not allow"
	for _, rep := range policy.ExplainMiss(p.boundary, req) {
		if rep.Statement.Effect == policy.Allow && !rep.Has(policy.ReasonAction) && rep.Only(policy.ReasonResource) {
			detail = "allows the action only on " + quoteList(rep.Statement.Resource) + " (" + rep.Statement.Label() + "), not on"
			if hint := missingWildcard(rep.Statement.Resource, n.Resource); hint != "" {
				detail = "allows the action only on " + quote(hint) + " (" + rep.Statement.Label() + "), which names the log group without \":*\" and so does not cover"
			}
			break
		}
	}
	return &permIssue{
		code: "PERMISSION_BOUNDARY_BLOCKS", severity: n.severity(SeverityError), attr: AttrPermissionsBoundary,
		where: p.boundary.Name, detail: detail,
	}
}

// identityIssues explains a need no identity policy allows, naming near misses.
func (p *permSpec) identityIssues(req policy.Request, n Need) []*permIssue {
	var out []*permIssue
	for _, doc := range p.perms {
		for _, rep := range policy.ExplainMiss(doc, req) {
			s := rep.Statement
			if s.Effect != policy.Allow || rep.Has(policy.ReasonAction) {
				continue
			}
			where := rep.String()
			switch {
			case rep.Has(policy.ReasonResource) && !rep.Has(policy.ReasonCondition):
				if bare := missingWildcard(s.Resource, n.Resource); bare != "" {
					out = append(out, &permIssue{
						code: "PERMISSION_LOG_GROUP_MISSING_WILDCARD", severity: n.severity(SeverityError), attr: AttrPermissionPolicies, where: where,
						detail: "bare:" + bare,
						fix:    `"Resource": ` + quote(bare+":*") + ` in ` + where + ` (add ":*"; keep the bare ARN too if other tools need it)`,
					})
					continue
				}
				sev := n.severity(SeverityError)
				if n.LenientResource {
					sev = SeverityWarning
				}
				out = append(out, &permIssue{
					code: "PERMISSION_RESOURCE_MISMATCH", severity: sev, attr: AttrPermissionPolicies, where: where,
					detail: "only:" + strings.Join(s.Resource, "\x00") + notResourceNote(s),
				})
			case rep.Only(policy.ReasonCondition, policy.ReasonResource):
				var reasons []string
				for _, r := range rep.Reasons {
					if r.Kind == policy.ReasonCondition {
						reasons = append(reasons, r.Message)
					}
				}
				out = append(out, &permIssue{
					code: "PERMISSION_CONDITION_NOT_MET", severity: n.severity(SeverityError), attr: AttrPermissionPolicies, where: where,
					detail: "cond:" + strings.Join(reasons, "; "),
					fix:    "Remove or correct the condition in " + where + ": " + p.caller + " calls with the role's session and sends no extra condition keys.",
				})
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	detail := "missing"
	if hint := p.typoHint(n.Action); hint != "" {
		detail += ":" + hint
	}
	return []*permIssue{{code: "PERMISSION_ACTION_MISSING", severity: n.severity(SeverityError), attr: AttrPermissionPolicies, detail: detail}}
}

func notResourceNote(s *policy.Statement) string {
	if s.NotResource != nil {
		return "\x01" + strings.Join(s.NotResource, "\x00")
	}
	return ""
}

// missingWildcard returns the entry of list that would cover resource if only it ended in ":*".
func missingWildcard(list []string, resource string) string {
	for _, r := range list {
		if !strings.HasSuffix(r, ":*") && strings.Contains(r, ":log-group:") && policy.ResourceMatch(r+":*", resource) {
			return r
		}
	}
	return ""
}

// typoHint finds an action entry that looks like a misspelling of action.
func (p *permSpec) typoHint(action string) string {
	svc, name, _ := strings.Cut(action, ":")
	var hints []string
	for _, doc := range p.perms {
		for i := range doc.Statements {
			s := &doc.Statements[i]
			if s.Effect != policy.Allow {
				continue
			}
			for _, a := range s.Action {
				asvc, aname, _ := strings.Cut(a, ":")
				d := policy.EditDistance(a, action)
				switch {
				case d > 0 && d <= 2 && !strings.ContainsAny(a, "*?"):
				case strings.EqualFold(aname, name) && !strings.EqualFold(asvc, svc):
				default:
					continue
				}
				hints = appendUnique(hints, s.Label()+" of "+doc.Name+" lists "+quote(a)+", which is not "+quote(action))
			}
		}
	}
	return strings.Join(hints, "; ")
}

// merge joins issues that share a cause into one finding each.
func (p *permSpec) merge(issues []*permIssue) []Finding {
	type key struct{ code, attr, where, detail, why string }
	var order []key
	merged := map[key]*permIssue{}
	for _, is := range issues {
		k := key{is.code, is.attr, is.where, is.detail, is.why}
		if m, ok := merged[k]; ok {
			m.actions = appendUnique(m.actions, is.actions...)
			m.resources = appendUnique(m.resources, is.resources...)
			m.fixResources = appendUnique(m.fixResources, is.fixResources...)
			if is.severity == SeverityError {
				m.severity = SeverityError
			}
			continue
		}
		order = append(order, k)
		merged[k] = is
	}
	out := make([]Finding, 0, len(order))
	for _, k := range order {
		out = append(out, p.finding(merged[k]))
	}
	return out
}

func (p *permSpec) finding(is *permIssue) Finding {
	actions := joinAnd(is.actions)
	on := " on " + joinAnd(quoted(is.resources))
	tail := "; " + p.caller + " assumes the role but " + p.target + " rejects the calls, so " + p.consequence + "."
	if is.why != "" {
		tail = "; " + is.why + "."
	}
	f := Finding{Code: is.code, Severity: is.severity, Attribute: is.attr, Fix: is.fix}
	switch is.code {
	case "PERMISSION_EXPLICIT_DENY":
		f.Message = is.where + " denies " + actions + on + "; an explicit deny overrides every allow" + tail
	case "PERMISSION_BOUNDARY_BLOCKS":
		f.Message = "permissions boundary " + strings.TrimPrefix(is.where, "permissions boundary ") + " of " + p.roleLabel + " " + is.detail + " " + actions + on +
			", which the permission policies allow; a permissions boundary caps what the role may do" + tail
		f.Fix = "Add to the permissions boundary " + p.fixStatementFor(is.actions, is.fixResources)
	case "PERMISSION_LOG_GROUP_MISSING_WILDCARD":
		bare := strings.TrimPrefix(is.detail, "bare:")
		f.Message = is.where + " allows " + actions + " on " + quote(bare) + ", which names the log group without \":*\"; CloudWatch Logs authorizes these calls against " +
			joinAnd(quoted(is.resources)) + ", so the statement never matches (add \":*\")" + tail
	case "PERMISSION_RESOURCE_MISMATCH":
		only, not, _ := strings.Cut(strings.TrimPrefix(is.detail, "only:"), "\x01")
		granted := "only on " + quoteList(strings.Split(only, "\x00"))
		if not != "" {
			granted = "on every resource except " + quoteList(strings.Split(not, "\x00"))
		}
		f.Message = is.where + " allows " + actions + " " + granted + ", but " + p.target + " authorizes " + pluralIt(is.actions) + " against " + joinAnd(quoted(is.resources))
		if is.severity == SeverityWarning {
			f.Message += "; AWS documents this resource for delivery, though delivery may work without it."
		} else {
			f.Message += tail
		}
		f.Fix = `"Resource": ` + jsonValue(is.fixResources) + " for " + actions + " in " + is.where
	case "PERMISSION_CONDITION_NOT_MET":
		f.Message = is.where + " allows " + actions + on + ", but its " + strings.TrimPrefix(is.detail, "cond:") + tail
	case "PERMISSION_ACTION_MISSING":
		f.Message = "no permission policy of " + p.roleLabel + " (" + strings.Join(p.permNames, ", ") + ") allows " + actions + on
		if hint, ok := strings.CutPrefix(is.detail, "missing:"); ok {
			f.Message += " (" + hint + ")"
		}
		f.Message += tail
		f.Fix = "Add " + p.fixStatementFor(is.actions, is.fixResources)
	}
	return f
}

func pluralIt(list []string) string {
	if len(list) > 1 {
		return "them"
	}
	return "it"
}

func quoted(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = quote(s)
	}
	return out
}

func (p *permSpec) fixStatement(needs []Need) string {
	var actions, resources []string
	for _, n := range needs {
		actions = appendUnique(actions, n.Action)
		resources = appendUnique(resources, n.fixResource())
	}
	return p.fixStatementFor(actions, resources)
}

func (p *permSpec) fixStatementFor(actions, resources []string) string {
	a := append([]string(nil), actions...)
	r := append([]string(nil), resources...)
	sort.Strings(a)
	sort.Strings(r)
	return stmtJSON{actions: a, resources: r}.String()
}
