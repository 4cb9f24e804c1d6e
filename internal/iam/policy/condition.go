package policy

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

type family uint8

const (
	famString family = iota
	famStringFold
	famStringLike
	famARN
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famNull
)

type comparison uint8

const (
	cmpEq comparison = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// operator describes one base condition operator.
type operator struct {
	name    string
	family  family
	cmp     comparison
	negated bool
}

// variables reports whether values of the operator may hold policy variables.
func (o *operator) variables() bool {
	switch o.family {
	case famString, famStringFold, famStringLike, famARN:
		return true
	}
	return false
}

var operators = []operator{
	{name: "StringEquals", family: famString},
	{name: "StringNotEquals", family: famString, negated: true},
	{name: "StringEqualsIgnoreCase", family: famStringFold},
	{name: "StringNotEqualsIgnoreCase", family: famStringFold, negated: true},
	{name: "StringLike", family: famStringLike},
	{name: "StringNotLike", family: famStringLike, negated: true},
	{name: "NumericEquals", family: famNumeric},
	{name: "NumericNotEquals", family: famNumeric, negated: true},
	{name: "NumericLessThan", family: famNumeric, cmp: cmpLt},
	{name: "NumericLessThanEquals", family: famNumeric, cmp: cmpLe},
	{name: "NumericGreaterThan", family: famNumeric, cmp: cmpGt},
	{name: "NumericGreaterThanEquals", family: famNumeric, cmp: cmpGe},
	{name: "DateEquals", family: famDate},
	{name: "DateNotEquals", family: famDate, negated: true},
	{name: "DateLessThan", family: famDate, cmp: cmpLt},
	{name: "DateLessThanEquals", family: famDate, cmp: cmpLe},
	{name: "DateGreaterThan", family: famDate, cmp: cmpGt},
	{name: "DateGreaterThanEquals", family: famDate, cmp: cmpGe},
	{name: "Bool", family: famBool},
	{name: "BinaryEquals", family: famBinary},
	{name: "IpAddress", family: famIP},
	{name: "NotIpAddress", family: famIP, negated: true},
	{name: "ArnEquals", family: famARN},
	{name: "ArnLike", family: famARN},
	{name: "ArnNotEquals", family: famARN, negated: true},
	{name: "ArnNotLike", family: famARN, negated: true},
	{name: "Null", family: famNull},
}

var operatorsByLower = func() map[string]*operator {
	m := make(map[string]*operator, len(operators))
	for i := range operators {
		m[strings.ToLower(operators[i].name)] = &operators[i]
	}
	return m
}()

// Operators returns the names of the base condition operators, without qualifiers or IfExists.
func Operators() []string {
	out := make([]string, len(operators))
	for i := range operators {
		out[i] = operators[i].name
	}
	return out
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
func parseOperator(s string) (qualifier string, op *operator, ifExists bool) {
	rest := s
	if q, r, found := strings.Cut(s, ":"); found {
		switch {
		case strings.EqualFold(q, ForAnyValue):
			qualifier = ForAnyValue
		case strings.EqualFold(q, ForAllValues):
			qualifier = ForAllValues
		default:
			return "", nil, false
		}
		rest = r
	}
	const suffix = "ifexists"
	if len(rest) > len(suffix) && strings.EqualFold(rest[len(rest)-len(suffix):], suffix) {
		rest = rest[:len(rest)-len(suffix)]
		ifExists = true
	}
	op = operatorsByLower[strings.ToLower(rest)]
	return qualifier, op, ifExists
}

// suggestOperator returns the known operator closest to s, or "".
func suggestOperator(s string) string {
	_, base, _ := strings.Cut(s, ":")
	if base == "" {
		base = s
	}
	base = strings.TrimSuffix(base, "IfExists")
	best, bestD := "", 4
	for i := range operators {
		if d := editDistanceFold(base, operators[i].name); d < bestD {
			best, bestD = operators[i].name, d
		}
	}
	return best
}

// editDistanceFold is the Levenshtein distance between a and b, ignoring ASCII case.
func editDistanceFold(a, b string) int {
	a, b = strings.ToLower(a), strings.ToLower(b)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// EditDistance is the Levenshtein distance between a and b, ignoring ASCII case; callers use it to suggest near-miss names.
func EditDistance(a, b string) int { return editDistanceFold(a, b) }

// prepare checks the values of a condition against its operator and caches parsed forms.
func (c *Condition) prepare() (msg string, ok bool) {
	switch c.op.family {
	case famNumeric:
		c.nums = make([]float64, len(c.Values))
		for i, v := range c.Values {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return "value " + strconv.Quote(v) + " is not a number", false
			}
			c.nums[i] = f
		}
	case famDate:
		c.dates = make([]int64, len(c.Values))
		for i, v := range c.Values {
			t, ok := parseDate(v)
			if !ok {
				return "value " + strconv.Quote(v) + " is not a date (use ISO 8601 such as 2026-01-02T15:04:05Z, or epoch seconds)", false
			}
			c.dates[i] = t
		}
	case famBool, famNull:
		for _, v := range c.Values {
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return "value " + strconv.Quote(v) + " must be \"true\" or \"false\"", false
			}
		}
	case famIP:
		c.ips = make([]ipPrefix, len(c.Values))
		for i, v := range c.Values {
			p, ok := parseIPPrefix(v)
			if !ok {
				return "value " + strconv.Quote(v) + " is not an IP address or CIDR block", false
			}
			c.ips[i] = p
		}
	case famBinary:
		for _, v := range c.Values {
			if _, err := base64.StdEncoding.DecodeString(v); err != nil {
				return "value " + strconv.Quote(v) + " is not base64", false
			}
		}
	}
	return "", true
}

type ipPrefix = netip.Prefix

func parseIPPrefix(s string) (ipPrefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return ipPrefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ipPrefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z",
}

// parseDate reads an ISO 8601 date or epoch seconds into Unix nanoseconds, saturating far dates.
func parseDate(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eEinIN") {
		const limit = 9.2e9 // seconds that fit in int64 nanoseconds
		switch {
		case f > limit:
			f = limit
		case f < -limit:
			f = -limit
		}
		return int64(f * 1e9), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return unixNano(t), true
		}
	}
	return 0, false
}

func unixNano(t time.Time) int64 {
	const maxSec = 9_200_000_000
	switch sec := t.Unix(); {
	case sec > maxSec:
		return maxSec * 1e9
	case sec < -maxSec:
		return -maxSec * 1e9
	}
	return t.UnixNano()
}

// eval evaluates the condition against the request.
func (c *Condition) eval(req *Request, subst bool) tri {
	if req.isUnknown(c.Key) {
		return maybe
	}
	vals, present := req.lookup(c.Key)
	present = present && len(vals) > 0
	if c.op.family == famNull {
		for _, v := range c.Values {
			if strings.EqualFold(v, "true") != present {
				return yes
			}
		}
		return no
	}
	if !present {
		switch {
		case c.IfExists, c.Qualifier == ForAllValues:
			return yes
		case c.Qualifier == ForAnyValue:
			return no
		}
		return triOf(c.op.negated)
	}
	switch c.Qualifier {
	case ForAllValues:
		r := yes
		for _, v := range vals {
			if r = r.and(c.single(v, req, subst)); r == no {
				return no
			}
		}
		return r
	case ForAnyValue:
		r := no
		for _, v := range vals {
			if r = r.or(c.single(v, req, subst)); r == yes {
				return yes
			}
		}
		return r
	}
	if c.op.negated {
		// A negated operator holds when no request value matches any policy value.
		r := yes
		for _, v := range vals {
			if r = r.and(c.single(v, req, subst)); r == no {
				return no
			}
		}
		return r
	}
	r := no
	for _, v := range vals {
		if r = r.or(c.single(v, req, subst)); r == yes {
			return yes
		}
	}
	return r
}

// single evaluates one request value: for a positive operator whether any
// policy value matches it, for a negated one whether none does. A comparison
// that cannot be made (a request value of the wrong type, a policy variable
// that does not resolve) never matches, and it does not turn into a match when
// the operator is negated: AWS evaluates such a condition to false
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value).
func (c *Condition) single(v string, req *Request, subst bool) tri {
	r, cannot := no, false
	for i := range c.Values {
		t, ok := c.matchValue(i, v, req, subst)
		if !ok {
			cannot = true
			continue
		}
		if r = r.or(t); r == yes {
			break
		}
	}
	if c.op.negated {
		if cannot && r != yes {
			return no
		}
		return r.not()
	}
	return r
}

// matchValue compares the i-th policy value with a request value using the
// positive form of the operator; ok is false when the comparison cannot be
// made at all.
func (c *Condition) matchValue(i int, v string, req *Request, subst bool) (t tri, ok bool) {
	pv := c.Values[i]
	switch c.op.family {
	case famString, famStringFold, famStringLike, famARN:
		if c.op.family == famARN && !isARNShaped(v) {
			return no, false
		}
		if subst && strings.Contains(pv, "${") {
			glob := c.op.family == famStringLike || c.op.family == famARN
			alts, st := expandAll(pv, req, glob)
			switch st {
			case maybe:
				return maybe, true
			case no:
				return no, false
			}
			// A variable of a multivalued key stands for each of its values.
			r := no
			for _, e := range alts {
				if r = r.or(c.matchString(e, v, glob)); r == yes {
					break
				}
			}
			return r, true
		}
		return c.matchString(pv, v, false), true
	case famNumeric:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return no, false
		}
		return triOf(compare(f, c.nums[i], c.op.cmp)), true
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return no, false
		}
		return triOf(compareInt(t, c.dates[i], c.op.cmp)), true
	case famBool:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return no, false
		}
		return triOf(strings.EqualFold(pv, v)), true
	case famBinary:
		a, errA := base64.StdEncoding.DecodeString(pv)
		b, errB := base64.StdEncoding.DecodeString(v)
		if errA == nil && errB == nil {
			return triOf(bytes.Equal(a, b)), true
		}
		return triOf(pv == v), true
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return no, false
		}
		return triOf(c.ips[i].Contains(a.Unmap())), true
	}
	return no, false
}

// matchString compares a (possibly expanded) policy value with a request value.
func (c *Condition) matchString(pv, v string, esc bool) tri {
	switch c.op.family {
	case famString:
		return triOf(pv == v)
	case famStringFold:
		return triOf(strings.EqualFold(pv, v))
	case famStringLike:
		return triOf(glob(pv, v, false, esc))
	}
	return triOf(arnMatch(pv, v, esc))
}

func compare(a, b float64, op comparison) bool {
	switch op {
	case cmpLt:
		return a < b
	case cmpLe:
		return a <= b
	case cmpGt:
		return a > b
	case cmpGe:
		return a >= b
	}
	return a == b
}

func compareInt(a, b int64, op comparison) bool {
	switch op {
	case cmpLt:
		return a < b
	case cmpLe:
		return a <= b
	case cmpGt:
		return a > b
	case cmpGe:
		return a >= b
	}
	return a == b
}

// sortConditions orders conditions by operator, then key, so results do not depend on JSON object order.
func sortConditions(cs []Condition) {
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].Operator != cs[j].Operator {
			return cs[i].Operator < cs[j].Operator
		}
		return cs[i].Key < cs[j].Key
	})
}
