package delivery

import (
	"strconv"
	"strings"
)

func quote(s string) string { return strconv.Quote(s) }

// quoteList renders ["a", "b"] as `"a", "b"`.
func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// jsonValue renders one string or a list as JSON.
func jsonValue(list []string) string {
	if len(list) == 1 {
		return strconv.Quote(list[0])
	}
	return "[" + quoteList(list) + "]"
}

// jsonCondition renders a condition block with operators and keys in the given order.
type condEntry struct{ op, key string }

func jsonCondition(entries []condEntry, values map[condEntry][]string) string {
	var b strings.Builder
	b.WriteString(`{`)
	var lastOp string
	for i, e := range entries {
		if e.op != lastOp {
			if i > 0 {
				b.WriteString(`}, `)
			}
			b.WriteString(strconv.Quote(e.op) + `: {`)
			lastOp = e.op
		} else {
			b.WriteString(`, `)
		}
		b.WriteString(strconv.Quote(e.key) + `: ` + jsonValue(values[e]))
	}
	if len(entries) > 0 {
		b.WriteString(`}`)
	}
	b.WriteString(`}`)
	return b.String()
}

// stmtJSON renders a statement; empty parts are left out.
type stmtJSON struct {
	sid       string
	principal string // service name
	actions   []string
	resources []string
	condition string // rendered condition block
}

// String renders the statement as JSON.
func (s stmtJSON) String() string {
	parts := []string{}
	if s.sid != "" {
		parts = append(parts, `"Sid": `+strconv.Quote(s.sid))
	}
	parts = append(parts, `"Effect": "Allow"`)
	if s.principal != "" {
		parts = append(parts, `"Principal": {"Service": `+strconv.Quote(s.principal)+`}`)
	}
	parts = append(parts, `"Action": `+jsonValue(s.actions))
	if len(s.resources) > 0 {
		parts = append(parts, `"Resource": `+jsonValue(s.resources))
	}
	if s.condition != "" {
		parts = append(parts, `"Condition": `+s.condition)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// joinAnd renders a, b and c.
func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	case 2:
		return list[0] + " and " + list[1]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

// appendUnique appends s unless present.
func appendUnique(list []string, s ...string) []string {
	for _, v := range s {
		found := false
		for _, w := range list {
			if w == v {
				found = true
				break
			}
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}
