package policy

import (
	"strconv"
	"strings"
)

// ReasonKind classifies why a statement did not apply.
type ReasonKind int

const (
	// ReasonAction means Action (or NotAction) does not cover the requested action.
	ReasonAction ReasonKind = iota
	// ReasonResource means Resource (or NotResource) does not cover the requested resource.
	ReasonResource
	// ReasonPrincipal means Principal (or NotPrincipal) does not cover the requester.
	ReasonPrincipal
	// ReasonCondition means a condition does not hold.
	ReasonCondition
)

// String names the kind: "action", "resource", "principal" or "condition".
func (k ReasonKind) String() string {
	switch k {
	case ReasonResource:
		return "resource"
	case ReasonPrincipal:
		return "principal"
	case ReasonCondition:
		return "condition"
	}
	return "action"
}

// Reason is one cause of a statement not applying.
type Reason struct {
	Kind      ReasonKind
	Message   string     // e.g. `condition StringEquals aws:SourceAccount expects "111122223333" but the request has "444455556666"`
	Condition *Condition // the failing condition, for ReasonCondition
	Values    []string   // the request's values of the condition key
	Present   bool       // whether the request has the condition key
	// LiteralWildcard is set when a failing StringEquals-family or Null value
	// contains * or ?, which those operators compare literally.
	LiteralWildcard bool
}

// StatementReport says whether one statement applies to a request and, if not, why.
type StatementReport struct {
	Policy    string
	Statement *Statement
	Applies   bool
	Assumed   bool // applies only by assuming conditions on unknown keys hold
	Via       Via
	Reasons   []Reason
}

// String names the statement and its policy.
func (r StatementReport) String() string {
	return Match{Policy: r.Policy, Statement: r.Statement}.String()
}

// Only reports whether every reason is of the given kinds; a statement that
// fails only on its resource, say, is a near miss worth naming.
func (r StatementReport) Only(kinds ...ReasonKind) bool {
	if len(r.Reasons) == 0 {
		return false
	}
	for _, reason := range r.Reasons {
		found := false
		for _, k := range kinds {
			if reason.Kind == k {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Has reports whether a reason of kind k is present.
func (r StatementReport) Has(k ReasonKind) bool {
	for _, reason := range r.Reasons {
		if reason.Kind == k {
			return true
		}
	}
	return false
}

// ExplainMiss checks every statement of p against the request and reports, for
// each, every reason it does not apply (not only the first), so callers can find
// the statement that would have allowed if only a resource or a condition matched.
func ExplainMiss(p *Policy, req Request) []StatementReport {
	out := make([]StatementReport, len(p.Statements))
	subst := p.SubstitutesVariables()
	for i := range p.Statements {
		s := &p.Statements[i]
		rep := StatementReport{Policy: p.Name, Statement: s}
		if !actionMatches(s, req.Action) {
			rep.Reasons = append(rep.Reasons, Reason{Kind: ReasonAction, Message: actionMessage(s, req.Action)})
		}
		rep.Via = ViaDirect
		if p.Kind != KindIdentity {
			if rep.Via = principalVia(s, &req); rep.Via == ViaNone {
				rep.Reasons = append(rep.Reasons, Reason{Kind: ReasonPrincipal, Message: principalMessage(s, req.Principal)})
			}
		}
		t := resourceMatches(s, &req, subst)
		if t == no {
			rep.Reasons = append(rep.Reasons, Reason{Kind: ReasonResource, Message: resourceMessage(s, &req, subst)})
		}
		for j := range s.Conditions {
			c := &s.Conditions[j]
			ct := c.eval(&req, subst)
			t = t.and(ct)
			if ct == no {
				rep.Reasons = append(rep.Reasons, conditionReason(c, &req, subst))
			}
		}
		rep.Applies = len(rep.Reasons) == 0
		rep.Assumed = rep.Applies && t == maybe
		out[i] = rep
	}
	return out
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func actionMessage(s *Statement, action string) string {
	if s.NotAction != nil {
		for _, a := range s.NotAction {
			if glob(a, action, true, false) {
				return "NotAction excludes " + strconv.Quote(action) + " (by " + strconv.Quote(a) + ")"
			}
		}
	}
	return "Action does not include " + strconv.Quote(action) + " (it lists " + quoteList(s.Action) + ")"
}

func principalMessage(s *Statement, pr Principal) string {
	who := principalNoun(pr)
	if s.NotPrincipal != nil {
		return "NotPrincipal excludes the " + who
	}
	if s.Principal == nil {
		return "the statement has no Principal"
	}
	return "Principal does not include the " + who + " (it lists " + describePrincipals(s.Principal) + ")"
}

func describePrincipals(ps *PrincipalSet) string {
	if ps.Wildcard {
		return `"*"`
	}
	var parts []string
	for _, typ := range principalTypes {
		for _, v := range ps.Values(typ) {
			parts = append(parts, typ+" "+strconv.Quote(v))
		}
	}
	return strings.Join(parts, ", ")
}

func resourceMessage(s *Statement, req *Request, subst bool) string {
	if s.NotResource != nil {
		return "NotResource excludes " + strconv.Quote(req.Resource)
	}
	var absent []string
	if subst {
		for _, r := range s.Resource {
			if _, t := expand(r, req, true); t == no {
				absent = append(absent, r)
			}
		}
	}
	msg := "Resource does not match " + strconv.Quote(req.Resource) + " (it lists " + quoteList(s.Resource) + ")"
	if len(absent) > 0 {
		msg += "; " + quoteList(absent) + " use a policy variable the request does not have"
	}
	return msg
}

func conditionReason(c *Condition, req *Request, subst bool) Reason {
	vals, present := req.lookup(c.Key)
	present = present && len(vals) > 0
	r := Reason{Kind: ReasonCondition, Condition: c, Values: vals, Present: present}
	head := "condition " + c.Operator + " " + strconv.Quote(c.Key)
	switch {
	case c.op.family == famNull:
		if present {
			r.Message = head + " requires the key to be absent, but the request has " + quoteList(vals)
		} else {
			r.Message = head + " requires the key to be present, but the request does not have it"
		}
	case !present && c.Qualifier == ForAnyValue:
		r.Message = head + " needs at least one value, but the request does not have the key"
	case !present:
		r.Message = head + " expects " + quoteList(c.Values) + ", but the request does not have the key"
	case c.op.negated:
		r.Message = head + " forbids " + quoteList(c.Values) + ", and the request has " + quoteList(vals)
	default:
		r.Message = head + " expects " + quoteList(c.Values) + ", but the request has " + quoteList(vals)
	}
	if present && c.op.family != famNull {
		if v, ok := c.incomparable(vals, req, subst); ok {
			r.Message += "; " + strconv.Quote(v) + " cannot be compared by " + c.Base +
				" (a value of another type, or a policy variable the request does not have), and such a comparison is false even for a negated operator"
		}
	}
	if c.op.family == famString || c.op.family == famStringFold {
		for _, v := range c.Values {
			if hasWildcard(v) {
				r.LiteralWildcard = true
				r.Message += "; " + c.Base + " compares literally, so " + strconv.Quote(v) + " is not a wildcard (use StringLike or ArnLike)"
				break
			}
		}
	}
	if subst && c.op.variables() {
		for _, v := range c.Values {
			if _, t := expand(v, req, false); t == no {
				r.Message += "; " + strconv.Quote(v) + " uses a policy variable the request does not have"
				break
			}
		}
	} else if !subst && c.op.variables() {
		for _, v := range c.Values {
			if strings.Contains(v, "${") {
				r.Message += "; policy variables such as " + strconv.Quote(v) + " are only replaced when Version is \"2012-10-17\""
				break
			}
		}
	}
	return r
}

// incomparable returns a request value that the condition cannot compare with one of its values.
func (c *Condition) incomparable(vals []string, req *Request, subst bool) (string, bool) {
	for _, v := range vals {
		for i := range c.Values {
			if _, ok := c.matchValue(i, v, req, subst); !ok {
				return v, true
			}
		}
	}
	return "", false
}
