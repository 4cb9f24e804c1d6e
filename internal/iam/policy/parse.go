package policy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Options tell Parse how to read a document.
type Options struct {
	Name string // used in messages, e.g. "inline policy deliver-logs"
	Kind Kind
}

// Parse reads a policy document. On failure it returns ParseErrors listing every
// problem found, each with a JSON path; IAM would reject such a document (or, for
// unsupported condition values, never match it).
func Parse(doc string, opts Options) (*Policy, error) {
	root, err := decode(doc)
	if err != nil {
		return nil, ParseErrors{err}
	}
	p := &Policy{Name: opts.Name, Kind: opts.Kind}
	ps := parser{kind: opts.Kind}
	ps.policy(root, p)
	if len(ps.errs) > 0 {
		return nil, ps.errs
	}
	return p, nil
}

// MustParse is Parse for documents known to be valid, such as test fixtures; it panics on error.
func MustParse(doc string, opts Options) *Policy {
	p, err := Parse(doc, opts)
	if err != nil {
		panic(err)
	}
	return p
}

func decode(doc string) (any, *ParseError) {
	v, err := decodeJSON(doc)
	if err == nil {
		return v, nil
	}
	if strings.TrimSpace(doc) == "" {
		return nil, &ParseError{Kind: ErrSyntax, Message: "invalid JSON: the document is empty"}
	}
	line, col := position(doc, int64(err.off))
	return nil, &ParseError{Kind: ErrSyntax, Message: fmt.Sprintf("invalid JSON at line %d, column %d: %s", line, col, err.msg)}
}

// position converts a byte offset to 1-based line and column.
func position(doc string, off int64) (line, col int) {
	if off > int64(len(doc)) {
		off = int64(len(doc))
	}
	before := doc[:off]
	line = strings.Count(before, "\n") + 1
	col = int(off) - strings.LastIndexByte(before, '\n')
	return line, col
}

type parser struct {
	kind Kind
	errs ParseErrors
}

func (ps *parser) errorf(kind ErrorKind, path, format string, args ...any) {
	ps.errs = append(ps.errs, &ParseError{Kind: kind, Path: path, Message: fmt.Sprintf(format, args...)})
}

var (
	policyElements    = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)

// keysInOrder returns the known keys present in obj in element order, then the unknown ones sorted.
func keysInOrder(obj *object, known []string) (present, unknown []string) {
	for _, k := range known {
		if obj.has(k) {
			present = append(present, k)
		}
	}
	return present, unknownKeys(obj, known)
}

// unknownKeys returns the keys of obj not in known, sorted; nil when there are none.
func unknownKeys(obj *object, known []string) []string {
	var unknown []string
	for _, k := range obj.keys {
		if !contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	return sortedUnique(unknown)
}

// sortedKeys returns the distinct keys of obj, sorted.
func sortedKeys(obj *object) []string {
	return sortedUnique(append([]string(nil), obj.keys...))
}

// sortedUnique sorts list in place and drops repeats.
func sortedUnique(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	sort.Strings(list)
	out := list[:1]
	for _, k := range list[1:] {
		if k != out[len(out)-1] {
			out = append(out, k)
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

func (ps *parser) unknownElement(path, name string, known []string, where string) {
	for _, k := range known {
		if strings.EqualFold(k, name) {
			ps.errorf(ErrStructure, path, "unknown element %q: element names are case-sensitive, write %q", name, k)
			return
		}
	}
	ps.errorf(ErrStructure, path, "unknown element %q; %s has only %s", name, where, strings.Join(known, ", "))
}

func (ps *parser) policy(root any, p *Policy) {
	obj, ok := root.(*object)
	if !ok {
		ps.errorf(ErrStructure, "", "a policy document must be a JSON object, got %s", jsonType(root))
		return
	}
	for _, k := range unknownKeys(obj, policyElements) {
		ps.unknownElement(k, k, policyElements, "a policy document")
	}
	if v, ok := obj.get("Version"); ok {
		s, isStr := v.(string)
		switch {
		case !isStr:
			ps.errorf(ErrVersion, "Version", "must be a string, got %s", jsonType(v))
		case s != Version2012 && s != Version2008:
			ps.errorf(ErrVersion, "Version", "unsupported policy language version %q; use %q", s, Version2012)
		default:
			p.Version = s
		}
	}
	if v, ok := obj.get("Id"); ok {
		if s, isStr := v.(string); isStr {
			p.ID = s
		} else {
			ps.errorf(ErrStructure, "Id", "must be a string, got %s", jsonType(v))
		}
	}
	st, ok := obj.get("Statement")
	if !ok {
		ps.errorf(ErrStructure, "", "missing element \"Statement\"")
		return
	}
	switch v := st.(type) {
	case *object:
		p.Statements = make([]Statement, 1)
		ps.statement(v, "Statement", 0, &p.Statements[0])
	case []any:
		if len(v) == 0 {
			ps.errorf(ErrStructure, "Statement", "must contain at least one statement")
			return
		}
		p.Statements = make([]Statement, len(v))
		for i, e := range v {
			path := "Statement[" + strconv.Itoa(i) + "]"
			m, isObj := e.(*object)
			if !isObj {
				ps.errorf(ErrStructure, path, "a statement must be a JSON object, got %s", jsonType(e))
				continue
			}
			ps.statement(m, path, i, &p.Statements[i])
		}
	default:
		ps.errorf(ErrStructure, "Statement", "must be an object or a list of objects, got %s", jsonType(st))
		return
	}
	seen := make(map[string]int, len(p.Statements))
	for i := range p.Statements {
		sid := p.Statements[i].Sid
		if sid == "" {
			continue
		}
		if j, dup := seen[sid]; dup {
			ps.errorf(ErrDuplicateSid, statementPath(st, i)+".Sid", "duplicate Sid %q (also used by Statement[%d]); Sids must be unique within a policy", sid, j)
			continue
		}
		seen[sid] = i
	}
}

func statementPath(st any, i int) string {
	if _, isObj := st.(*object); isObj {
		return "Statement"
	}
	return "Statement[" + strconv.Itoa(i) + "]"
}

func (ps *parser) statement(obj *object, path string, index int, s *Statement) {
	s.Index = index
	for _, k := range unknownKeys(obj, statementElements) {
		ps.unknownElement(path+"."+k, k, statementElements, "a statement")
	}
	if v, ok := obj.get("Sid"); ok {
		if str, isStr := v.(string); isStr {
			s.Sid = str
		} else {
			ps.errorf(ErrStructure, path+".Sid", "must be a string, got %s", jsonType(v))
		}
	}
	ps.effect(obj, path, s)

	hasP, hasNP := obj.has("Principal"), obj.has("NotPrincipal")
	switch {
	case hasP && hasNP:
		ps.errorf(ErrStructure, path, "has both Principal and NotPrincipal; use only one")
	case ps.kind == KindIdentity && (hasP || hasNP):
		name := "Principal"
		if hasNP {
			name = "NotPrincipal"
		}
		ps.errorf(ErrStructure, path+"."+name, "%s is not allowed in an identity-based policy: the policy applies to the identity it is attached to", name)
	case ps.kind != KindIdentity && !hasP && !hasNP:
		ps.errorf(ErrStructure, path, "missing Principal: a %s must say whom each statement applies to", ps.kind)
	case hasP:
		s.Principal = ps.principal(must(obj.get("Principal")), path+".Principal")
	case hasNP:
		s.NotPrincipal = ps.principal(must(obj.get("NotPrincipal")), path+".NotPrincipal")
	}

	hasA, hasNA := obj.has("Action"), obj.has("NotAction")
	switch {
	case hasA && hasNA:
		ps.errorf(ErrStructure, path, "has both Action and NotAction; use only one")
	case !hasA && !hasNA:
		ps.errorf(ErrStructure, path, "missing Action: each statement needs Action or NotAction")
	case hasA:
		s.Action = ps.actions(must(obj.get("Action")), path+".Action")
	default:
		s.NotAction = ps.actions(must(obj.get("NotAction")), path+".NotAction")
	}

	hasR, hasNR := obj.has("Resource"), obj.has("NotResource")
	switch {
	case hasR && hasNR:
		ps.errorf(ErrStructure, path, "has both Resource and NotResource; use only one")
	case ps.kind == KindTrust && (hasR || hasNR):
		name := "Resource"
		if hasNR {
			name = "NotResource"
		}
		ps.errorf(ErrStructure, path+"."+name, "%s is not allowed in a trust policy: the resource is the role itself", name)
	case ps.kind == KindIdentity && !hasR && !hasNR:
		ps.errorf(ErrStructure, path, "missing Resource: an identity-based policy statement needs Resource or NotResource")
	case hasR:
		s.Resource = ps.resources(must(obj.get("Resource")), path+".Resource")
	case hasNR:
		s.NotResource = ps.resources(must(obj.get("NotResource")), path+".NotResource")
	}

	if v, ok := obj.get("Condition"); ok {
		s.Conditions = ps.conditions(v, path+".Condition")
	}
}

func (ps *parser) effect(obj *object, path string, s *Statement) {
	v, ok := obj.get("Effect")
	if !ok {
		ps.errorf(ErrEffect, path, "missing Effect: each statement needs \"Effect\": \"Allow\" or \"Deny\"")
		return
	}
	str, isStr := v.(string)
	switch {
	case !isStr:
		ps.errorf(ErrEffect, path+".Effect", "must be the string \"Allow\" or \"Deny\", got %s", jsonType(v))
	case str == string(Allow) || str == string(Deny):
		s.Effect = Effect(str)
	case strings.EqualFold(str, string(Allow)):
		ps.errorf(ErrEffect, path+".Effect", "%q is not a valid Effect: it is case-sensitive, write \"Allow\"", str)
	case strings.EqualFold(str, string(Deny)):
		ps.errorf(ErrEffect, path+".Effect", "%q is not a valid Effect: it is case-sensitive, write \"Deny\"", str)
	default:
		ps.errorf(ErrEffect, path+".Effect", "%q is not a valid Effect; use \"Allow\" or \"Deny\"", str)
	}
}

// stringList reads a string or a non-empty list of strings.
func (ps *parser) stringList(v any, path string, kind ErrorKind) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		if len(t) == 0 {
			ps.errorf(kind, path, "must not be an empty list")
			return nil
		}
		out := make([]string, 0, len(t))
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				ps.errorf(kind, path+"["+strconv.Itoa(i)+"]", "must be a string, got %s", jsonType(e))
				continue
			}
			out = append(out, s)
		}
		return out
	}
	ps.errorf(kind, path, "must be a string or a list of strings, got %s", jsonType(v))
	return nil
}

func (ps *parser) actions(v any, path string) []string {
	list := ps.stringList(v, path, ErrAction)
	for i, a := range list {
		if msg := checkAction(a); msg != "" {
			p := path
			if _, isList := v.([]any); isList {
				p += "[" + strconv.Itoa(i) + "]"
			}
			ps.errorf(ErrAction, p, "%s", msg)
		}
	}
	return list
}

// checkAction returns why a is not a valid action, or "".
func checkAction(a string) string {
	if a == "*" {
		return ""
	}
	svc, name, found := strings.Cut(a, ":")
	bad := func(why string) string {
		return fmt.Sprintf("invalid action %q: %s; write \"service:Action\", e.g. \"logs:PutLogEvents\"", a, why)
	}
	switch {
	case !found:
		return bad("missing the service prefix and colon")
	case svc == "":
		return bad("empty service prefix")
	case name == "":
		return bad("empty action name")
	case strings.Contains(name, ":"):
		return bad("more than one colon")
	}
	for _, r := range svc {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '*' || r == '?') {
			return bad(fmt.Sprintf("character %q is not allowed in a service prefix", r))
		}
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '*' || r == '?') {
			return bad(fmt.Sprintf("character %q is not allowed in an action name", r))
		}
	}
	return ""
}

func (ps *parser) resources(v any, path string) []string {
	list := ps.stringList(v, path, ErrResource)
	for i, r := range list {
		if r == "*" || isARNShaped(r) || strings.HasPrefix(r, "arn:") && strings.Contains(r, "${") {
			continue
		}
		p := path
		if _, isList := v.([]any); isList {
			p += "[" + strconv.Itoa(i) + "]"
		}
		ps.errorf(ErrResource, p, "resource %q must be \"*\" or an ARN (arn:partition:service:region:account:resource)", r)
	}
	return list
}

var principalTypes = []string{PrincipalAWS, PrincipalService, PrincipalFederated, PrincipalCanonicalUser}

func (ps *parser) principal(v any, path string) *PrincipalSet {
	set := &PrincipalSet{}
	switch t := v.(type) {
	case string:
		if t != "*" {
			ps.errorf(ErrPrincipal, path, "%q is not a valid principal: use \"*\" or an object such as {\"Service\": \"vpc-flow-logs.amazonaws.com\"}", t)
			return nil
		}
		set.Wildcard = true
		return set
	case *object:
		if len(t.keys) == 0 {
			ps.errorf(ErrPrincipal, path, "must name at least one principal")
			return nil
		}
		present, unknown := keysInOrder(t, principalTypes)
		for _, k := range unknown {
			hint := ""
			for _, known := range principalTypes {
				if strings.EqualFold(known, k) {
					hint = fmt.Sprintf(" (principal types are case-sensitive: write %q)", known)
				}
			}
			ps.errorf(ErrPrincipal, path+"."+k, "unknown principal type %q; use AWS, Service, Federated or CanonicalUser%s", k, hint)
		}
		for _, k := range present {
			raw := must(t.get(k))
			vals := ps.principalValues(raw, path+"."+k)
			switch k {
			case PrincipalAWS:
				for i, a := range vals {
					if !validAWSPrincipal(a) {
						ps.errorf(ErrPrincipal, indexPath(path+"."+k, raw, i), "invalid AWS principal %q: use \"*\", a 12-digit account ID or an IAM ARN", a)
					}
				}
				set.AWS = vals
			case PrincipalService:
				for i, a := range vals {
					if a == "" || strings.ContainsAny(a, " \t/:") {
						ps.errorf(ErrPrincipal, indexPath(path+"."+k, raw, i), "invalid service principal %q: use a service name such as \"vpc-flow-logs.amazonaws.com\"", a)
					}
				}
				set.Service = vals
			case PrincipalFederated:
				set.Federated = vals
			case PrincipalCanonicalUser:
				set.CanonicalUser = vals
			}
		}
		return set
	}
	ps.errorf(ErrPrincipal, path, "must be \"*\" or an object mapping principal types to names, got %s", jsonType(v))
	return nil
}

// principalValues reads a string or list of strings; account IDs written as JSON numbers are accepted as text.
func (ps *parser) principalValues(v any, path string) []string {
	if n, ok := v.(json.Number); ok {
		return []string{n.String()}
	}
	if list, ok := v.([]any); ok {
		conv := make([]any, len(list))
		for i, e := range list {
			if n, isNum := e.(json.Number); isNum {
				conv[i] = n.String()
			} else {
				conv[i] = e
			}
		}
		v = conv
	}
	return ps.stringList(v, path, ErrPrincipal)
}

func indexPath(path string, v any, i int) string {
	if _, isList := v.([]any); isList {
		return path + "[" + strconv.Itoa(i) + "]"
	}
	return path
}

func validAWSPrincipal(a string) bool {
	switch {
	case a == "*", isAccountID(a), strings.HasPrefix(a, "arn:"):
		return true
	}
	// IAM shows the unique ID (AIDA..., AROA...) of a deleted user or role.
	if len(a) >= 16 && a[0] == 'A' {
		for _, r := range a {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
		return true
	}
	return false
}

// isAccountID reports whether s is a 12-digit AWS account ID.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (ps *parser) conditions(v any, path string) []Condition {
	block, ok := v.(*object)
	if !ok {
		ps.errorf(ErrStructure, path, "must be an object mapping condition operators to {key: value} objects, got %s", jsonType(v))
		return nil
	}
	ops := sortedKeys(block)
	var out []Condition
	for _, opName := range ops {
		opPath := path + "." + opName
		qual, op, ifExists := parseOperator(opName)
		if op == nil {
			if s := suggestOperator(opName); s != "" {
				ps.errorf(ErrConditionOperator, opPath, "unknown condition operator %q (did you mean %q?)", opName, s)
			} else {
				ps.errorf(ErrConditionOperator, opPath, "unknown condition operator %q", opName)
			}
			continue
		}
		raw := must(block.get(opName))
		keys, isObj := raw.(*object)
		if !isObj {
			ps.errorf(ErrStructure, opPath, "must be an object mapping condition keys to values, got %s", jsonType(raw))
			continue
		}
		if len(keys.keys) == 0 {
			ps.errorf(ErrStructure, opPath, "must name at least one condition key")
			continue
		}
		for _, key := range sortedKeys(keys) {
			keyPath := opPath + "." + key
			vals := ps.conditionValues(must(keys.get(key)), keyPath)
			if vals == nil {
				continue
			}
			c := Condition{Operator: opName, Qualifier: qual, Base: op.name, IfExists: ifExists, Key: key, Values: vals, op: op}
			if msg, ok := c.prepare(); !ok {
				ps.errorf(ErrConditionValue, keyPath, "%s: %s", op.name, msg)
				continue
			}
			out = append(out, c)
		}
	}
	sortConditions(out)
	return out
}

// conditionValues reads a scalar or non-empty list of scalars, keeping numbers and Booleans as text.
func (ps *parser) conditionValues(v any, path string) []string {
	scalar := func(e any) (string, bool) {
		switch t := e.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			return strconv.FormatBool(t), true
		}
		return "", false
	}
	if list, ok := v.([]any); ok {
		if len(list) == 0 {
			ps.errorf(ErrConditionValue, path, "must not be an empty list")
			return nil
		}
		out := make([]string, 0, len(list))
		for i, e := range list {
			s, ok := scalar(e)
			if !ok {
				ps.errorf(ErrConditionValue, path+"["+strconv.Itoa(i)+"]", "must be a string, number or Boolean, got %s", jsonType(e))
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	s, ok := scalar(v)
	if !ok {
		ps.errorf(ErrConditionValue, path, "must be a string, number, Boolean or a list of them, got %s", jsonType(v))
		return nil
	}
	return []string{s}
}

// must drops the found flag of a lookup whose key is known to exist.
func must(v any, _ bool) any { return v }

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a Boolean"
	case []any:
		return "a list"
	case *object:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
