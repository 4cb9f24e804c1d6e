package policy

import (
	"strings"
	"unicode/utf8"
)

// tri is a three-valued truth: a comparison may depend on a context key whose value is not known yet.
type tri uint8

const (
	no tri = iota
	yes
	maybe
)

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

// and combines two results the way a conjunction does.
func (a tri) and(b tri) tri {
	switch {
	case a == no || b == no:
		return no
	case a == maybe || b == maybe:
		return maybe
	}
	return yes
}

// or combines two results the way a disjunction does.
func (a tri) or(b tri) tri {
	switch {
	case a == yes || b == yes:
		return yes
	case a == maybe || b == maybe:
		return maybe
	}
	return no
}

func (a tri) not() tri {
	switch a {
	case yes:
		return no
	case no:
		return yes
	}
	return maybe
}

// WildcardMatch reports whether s matches the IAM wildcard pattern p, in which *
// matches any run of characters (including none) and ? exactly one character.
// Matching is case-sensitive. It does not allocate.
func WildcardMatch(p, s string) bool { return glob(p, s, false, false) }

// ActionMatch reports whether an Action entry such as "logs:Put*" covers action; action names are case-insensitive.
func ActionMatch(p, action string) bool { return glob(p, action, true, false) }

// glob matches s against p. With esc set, a backslash in p makes the next byte
// literal; expanded policy variables use this to keep ${*} and substituted
// values from acting as wildcards.
func glob(p, s string, fold, esc bool) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0
	for sx < len(s) {
		if px < len(p) {
			switch c := p[px]; {
			case c == '*':
				starPx, starSx = px, sx
				px++
				continue
			case c == '?':
				_, n := utf8.DecodeRuneInString(s[sx:])
				px++
				sx += n
				continue
			default:
				w := 1
				if esc && c == '\\' && px+1 < len(p) {
					c = p[px+1]
					w = 2
				}
				if byteEq(c, s[sx], fold) {
					px += w
					sx++
					continue
				}
			}
		}
		if starPx >= 0 {
			// Let the last star absorb one more character and retry.
			_, n := utf8.DecodeRuneInString(s[starSx:])
			starSx += n
			sx = starSx
			px = starPx + 1
			continue
		}
		return false
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

func byteEq(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	if 'A' <= a && a <= 'Z' {
		a += 'a' - 'A'
	}
	if 'A' <= b && b <= 'Z' {
		b += 'a' - 'A'
	}
	return a == b
}

// hasWildcard reports whether s contains * or ?.
func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// ARNMatch reports whether arn matches pattern the way ArnLike and Resource
// matching do: each of the first five colon-separated components is matched on
// its own (a wildcard never spans a colon there) and the sixth component, the
// resource, is matched as a whole, colons included.
func ARNMatch(pattern, arn string) bool { return arnMatch(pattern, arn, false) }

func arnMatch(p, s string, esc bool) bool {
	for range 5 {
		pi := strings.IndexByte(p, ':')
		si := strings.IndexByte(s, ':')
		if pi < 0 || si < 0 {
			return false
		}
		if !glob(p[:pi], s[:si], false, esc) {
			return false
		}
		p, s = p[pi+1:], s[si+1:]
	}
	return glob(p, s, false, esc)
}

// isARNShaped reports whether s has at least the six components of an ARN.
func isARNShaped(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Count(s, ":") >= 5
}

// resourceMatch matches a Resource entry against the requested resource.
func resourceMatch(p, s string, esc bool) bool {
	if p == "*" {
		return true
	}
	if isARNShaped(p) && isARNShaped(s) {
		return arnMatch(p, s, esc)
	}
	return glob(p, s, false, esc)
}

// maxExpansions bounds how many alternatives the variables of one policy value
// may expand to (the product of their keys' value counts); beyond it the value
// counts as not comparable rather than costing unbounded time.
const maxExpansions = 64

// expand substitutes policy variables in s for the request and returns the
// first expansion; see expandAll.
func expand(s string, req *Request, forGlob bool) (string, tri) {
	alts, t := expandAll(s, req, forGlob)
	if t != yes {
		return "", t
	}
	return alts[0], yes
}

// expandAll substitutes policy variables in s for the request. With forGlob
// set the results are escaped for glob (esc mode) so that substituted text and
// the ${*}, ${?} and ${$} escapes are literal. A variable of a key with several
// values (aws:PrincipalOrgPaths, aws:TagKeys...) stands for each of them, so
// the result holds one alternative per combination. It returns no when a
// variable names a key that is absent from the request and has no default
// (then the entry cannot be compared), and maybe when the key is unknown.
func expandAll(s string, req *Request, forGlob bool) ([]string, tri) {
	if !strings.Contains(s, "${") {
		return []string{s}, yes
	}
	out := []string{""}
	appendAll := func(text string) {
		for i := range out {
			out[i] += text
		}
	}
	escape := func(text string, all bool) string {
		if !forGlob {
			return text
		}
		var b strings.Builder
		for i := 0; i < len(text); i++ {
			c := text[i]
			if c == '\\' || all && (c == '*' || c == '?') {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
		return b.String()
	}
	lit := func(text string) string { return escape(text, true) }
	raw := func(text string) string { return escape(text, false) }
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			appendAll(raw(s))
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			appendAll(raw(s))
			break
		}
		appendAll(raw(s[:i]))
		body := s[i+2 : i+j]
		s = s[i+j+1:]
		switch body {
		case "*", "?", "$":
			appendAll(lit(body))
			continue
		}
		key, def, hasDef := splitVariable(body)
		if req.isUnknown(key) {
			return nil, maybe
		}
		vals, ok := req.lookup(key)
		switch {
		case ok && len(vals) == 1:
			appendAll(lit(vals[0]))
		case ok && len(vals) > 1:
			if len(out)*len(vals) > maxExpansions {
				return nil, no
			}
			next := make([]string, 0, len(out)*len(vals))
			for _, prefix := range out {
				for _, v := range vals {
					next = append(next, prefix+lit(v))
				}
			}
			out = next
		case hasDef:
			appendAll(lit(def))
		default:
			return nil, no
		}
	}
	return out, yes
}

// splitVariable splits "key, 'default'" into its parts.
func splitVariable(body string) (key, def string, hasDef bool) {
	k, d, found := strings.Cut(body, ",")
	key = strings.TrimSpace(k)
	if !found {
		return key, "", false
	}
	d = strings.TrimSpace(d)
	if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
		return key, d[1 : len(d)-1], true
	}
	return key, d, true
}

// ResourceMatch reports whether a Resource entry (without policy variables) covers resource, as IAM matches them.
func ResourceMatch(pattern, resource string) bool { return resourceMatch(pattern, resource, false) }
