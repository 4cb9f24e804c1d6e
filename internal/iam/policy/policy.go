package policy

import (
	"strconv"
	"strings"
)

// Kind says which sort of policy a document is; it decides which elements the document may and must have.
type Kind int

const (
	// KindIdentity is a policy attached to a user, group or role, or used as a permissions boundary: no Principal, Resource required.
	KindIdentity Kind = iota
	// KindResource is a resource-based policy such as a bucket policy or a key policy: Principal required, Resource optional.
	KindResource
	// KindTrust is a role trust policy: Principal required, Resource prohibited.
	KindTrust
)

// String names the kind as it appears in messages.
func (k Kind) String() string {
	switch k {
	case KindIdentity:
		return "identity-based policy"
	case KindResource:
		return "resource-based policy"
	case KindTrust:
		return "trust policy"
	}
	return "policy"
}

// Policy language versions.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect is the Effect of a statement.
type Effect string

// Statement effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Principal type names used in the Principal element and in Request.Principal.Type.
const (
	PrincipalAWS           = "AWS"
	PrincipalService       = "Service"
	PrincipalFederated     = "Federated"
	PrincipalCanonicalUser = "CanonicalUser"
)

// Policy is a parsed policy document.
type Policy struct {
	Name       string // used in messages; set from Options.Name
	Kind       Kind
	Version    string // as written; "" when the element is absent (IAM then assumes 2008-10-17)
	ID         string
	Statements []Statement
}

// SubstitutesVariables reports whether policy variables are replaced in this document; IAM only does so for Version 2012-10-17.
func (p *Policy) SubstitutesVariables() bool { return p.Version == Version2012 }

// Statement is one parsed statement. Action and NotAction (and the Resource and
// Principal pairs) are never both set; nil means the element is absent.
type Statement struct {
	Index        int // position in the Statement list, 0 for a lone statement object
	Sid          string
	Effect       Effect
	Principal    *PrincipalSet
	NotPrincipal *PrincipalSet
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Conditions   []Condition // sorted by operator, then key
}

// Label names the statement for messages: `statement "Sid" (index 2)` or `statement index 2`.
func (s *Statement) Label() string {
	if s.Sid != "" {
		return "statement " + strconv.Quote(s.Sid) + " (index " + strconv.Itoa(s.Index) + ")"
	}
	return "statement index " + strconv.Itoa(s.Index)
}

// ConditionsOn returns the statement's conditions on key (case-insensitively), in order.
func (s *Statement) ConditionsOn(key string) []*Condition {
	var out []*Condition
	for i := range s.Conditions {
		if strings.EqualFold(s.Conditions[i].Key, key) {
			out = append(out, &s.Conditions[i])
		}
	}
	return out
}

// PrincipalSet is the value of a Principal or NotPrincipal element.
type PrincipalSet struct {
	Wildcard      bool // "Principal": "*"
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// IsEveryone reports whether the set names every principal: "*" or {"AWS": "*"}, which IAM treats alike.
func (ps *PrincipalSet) IsEveryone() bool {
	if ps == nil {
		return false
	}
	if ps.Wildcard {
		return true
	}
	for _, v := range ps.AWS {
		if v == "*" {
			return true
		}
	}
	return false
}

// Values returns the entries of one principal type.
func (ps *PrincipalSet) Values(typ string) []string {
	if ps == nil {
		return nil
	}
	switch typ {
	case PrincipalAWS:
		return ps.AWS
	case PrincipalService:
		return ps.Service
	case PrincipalFederated:
		return ps.Federated
	case PrincipalCanonicalUser:
		return ps.CanonicalUser
	}
	return nil
}

// Set qualifiers of condition operators.
const (
	ForAnyValue  = "ForAnyValue"
	ForAllValues = "ForAllValues"
)

// Condition is one operator/key pair of a Condition block with its values.
type Condition struct {
	Operator  string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Qualifier string // "", ForAnyValue or ForAllValues
	Base      string // canonical operator without qualifier or IfExists, e.g. "StringLike"
	IfExists  bool
	Key       string
	Values    []string // JSON numbers and Booleans are kept as their text

	op    *operator
	nums  []float64
	ips   []ipPrefix
	dates []int64 // Unix nanoseconds
}

// Negated reports whether the base operator is a negated one (StringNotEquals, NotIpAddress...), which is true when the key is absent.
func (c *Condition) Negated() bool { return c.op != nil && c.op.negated }
