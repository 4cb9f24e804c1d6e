package flowrecord

import (
	"errors"
	"strconv"
	"strings"
)

// Format is an ordered list of fields: the log_format of a flow log or the
// header line of a flow log file delivered to S3.
type Format struct {
	fields  []FieldID
	offsets []int // byte offset of each field in the parsed string
	braced  bool  // written as ${field} references
	scope   Scope
}

// DefaultFormat is the format of flow logs created without a log_format: the
// 14 version 2 fields.
var DefaultFormat = mustFormat("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")

// DefaultTGWFormat is the format of transit gateway flow logs created without
// a log_format: every transit gateway field, in the documented order.
var DefaultTGWFormat = mustFormat("version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id " +
	"tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id " +
	"tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type " +
	"packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region " +
	"flow-direction pkt-src-aws-service pkt-dst-aws-service")

func mustFormat(s string) Format {
	f, err := ParseFormat(s)
	if err != nil {
		panic(err)
	}
	return f
}

// NewFormat builds a format from field IDs, with the same checks as ParseFormat.
func NewFormat(ids ...FieldID) (Format, error) {
	names := make([]string, len(ids))
	for i, id := range ids {
		if int(id) >= NumFields {
			return Format{}, &FormatError{Position: i + 1, Token: id.String(), Reason: "unknown field"}
		}
		names[i] = table[id].Name
	}
	return ParseFormat(strings.Join(names, " "))
}

// Len returns the number of fields.
func (f Format) Len() int { return len(f.fields) }

// Field returns the i-th field (0-based).
func (f Format) Field(i int) FieldID { return f.fields[i] }

// Fields returns a copy of the fields in order.
func (f Format) Fields() []FieldID { return append([]FieldID(nil), f.fields...) }

// Index returns the 0-based position of id in the format, or -1.
func (f Format) Index(id FieldID) int {
	for i, x := range f.fields {
		if x == id {
			return i
		}
	}
	return -1
}

// Has reports whether the format contains id.
func (f Format) Has(id FieldID) bool { return f.Index(id) >= 0 }

// Scope returns the kinds of flow log that can use this format.
func (f Format) Scope() Scope { return f.scope }

// Version returns the record version AWS writes for this format: the highest
// version among its fields, or TGWVersion for a transit gateway format.
func (f Format) Version() int {
	if f.scope == ScopeTGW {
		return TGWVersion
	}
	v := 0
	for _, id := range f.fields {
		v = max(v, table[id].Version)
	}
	return v
}

// Equal reports whether both formats list the same fields in the same order.
func (f Format) Equal(g Format) bool {
	if len(f.fields) != len(g.fields) {
		return false
	}
	for i := range f.fields {
		if f.fields[i] != g.fields[i] {
			return false
		}
	}
	return true
}

// String returns the format as a log_format value: "${version} ${account-id} ...".
func (f Format) String() string {
	var b strings.Builder
	for i, id := range f.fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("${")
		b.WriteString(table[id].Name)
		b.WriteByte('}')
	}
	return b.String()
}

// Header returns the format as an S3 header line: "version account-id ...".
func (f Format) Header() string {
	var b strings.Builder
	for i, id := range f.fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(table[id].Name)
	}
	return b.String()
}

// FormatError describes a log format that cannot be used.
type FormatError struct {
	Position   int    // 1-based position of the offending token; 0 for the format as a whole
	Offset     int    // byte offset of the token in the format string
	Token      string // the token as written
	Reason     string
	Suggestion string // closest known field name, when the token names an unknown field
}

func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString("log format")
	if e.Position > 0 {
		b.WriteString(": field ")
		b.WriteString(strconv.Itoa(e.Position))
		b.WriteString(" ")
		b.WriteString(strconv.Quote(e.Token))
		b.WriteString(" at byte ")
		b.WriteString(strconv.Itoa(e.Offset))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Suggestion != "" {
		b.WriteString("; did you mean ")
		b.WriteString(strconv.Quote(e.Suggestion))
		b.WriteString("?")
	}
	return b.String()
}

// ParseFormat parses a log_format value ("${version} ${srcaddr} ...") or an S3
// header line ("version srcaddr ..."). Fields are separated by whitespace, are
// all written in the same form, appear at most once, and must all be
// available to one kind of flow log (VPC or transit gateway).
func ParseFormat(format string) (Format, error) {
	var (
		fields  []FieldID
		offsets []int
		braced  bool
		seen    [NumFields]int // 1-based position of each field seen
		scope   = ScopeVPC | ScopeTGW
		narrow  [2]int // position of the first VPC-only and TGW-only field
	)
	for pos, i := 0, 0; ; {
		for i < len(format) && isSpace(format[i]) {
			i++
		}
		if i == len(format) {
			break
		}
		start := i
		for i < len(format) && !isSpace(format[i]) {
			i++
		}
		tok := format[start:i]
		pos++
		fail := func(reason, suggestion string) (Format, error) {
			return Format{}, &FormatError{Position: pos, Offset: start, Token: tok, Reason: reason, Suggestion: suggestion}
		}
		name, isBraced, ok := unwrapToken(tok)
		if !ok {
			if strings.Contains(tok, "}${") {
				return fail("fields must be separated by spaces", "")
			}
			return fail("malformed field reference: want ${field-name}", "")
		}
		if pos == 1 {
			braced = isBraced
		} else if isBraced != braced {
			if braced {
				return fail("bare field name among ${...} references: write ${"+name+"}", "")
			}
			return fail("${...} reference among bare field names: write "+name, "")
		}
		id, known := byName[name]
		if !known {
			return fail("unknown field "+strconv.Quote(name), Suggest(name))
		}
		if p := seen[id]; p != 0 {
			return fail("duplicate field: "+name+" is already field "+strconv.Itoa(p), "")
		}
		seen[id] = pos
		fs := table[id].Scope
		if fs == ScopeVPC && narrow[0] == 0 {
			narrow[0] = pos
		}
		if fs == ScopeTGW && narrow[1] == 0 {
			narrow[1] = pos
		}
		if scope&fs == 0 {
			if fs == ScopeVPC {
				other := fields[narrow[1]-1]
				return fail("VPC-only field "+name+" cannot be combined with transit gateway field "+
					other.String()+" (field "+strconv.Itoa(narrow[1])+")", "")
			}
			other := fields[narrow[0]-1]
			return fail("transit gateway field "+name+" cannot be combined with VPC-only field "+
				other.String()+" (field "+strconv.Itoa(narrow[0])+")", "")
		}
		scope &= fs
		fields = append(fields, id)
		offsets = append(offsets, start)
	}
	if len(fields) == 0 {
		return Format{}, &FormatError{Reason: "no fields"}
	}
	return Format{fields: fields, offsets: offsets, braced: braced, scope: scope}, nil
}

// CheckScope returns a *FormatError for the first field that flow logs of
// scope s (ScopeVPC or ScopeTGW) cannot carry, or nil.
func (f Format) CheckScope(s Scope) error {
	for i, id := range f.fields {
		if table[id].Scope&s != 0 {
			continue
		}
		tok := table[id].Name
		if f.braced {
			tok = "${" + tok + "}"
		}
		kind := "VPC"
		if s == ScopeTGW {
			kind = "transit gateway"
		}
		return &FormatError{Position: i + 1, Offset: f.offsets[i], Token: tok,
			Reason: kind + " flow logs do not have the field " + table[id].Name}
	}
	return nil
}

// unwrapToken returns the field name of "${name}" or "name".
func unwrapToken(tok string) (name string, braced, ok bool) {
	if strings.HasPrefix(tok, "${") {
		if len(tok) < 4 || tok[len(tok)-1] != '}' {
			return "", true, false
		}
		name = tok[2 : len(tok)-1]
		braced = true
	} else {
		name = tok
	}
	if strings.ContainsAny(name, "${}") {
		return "", braced, false
	}
	return name, braced, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// ErrNoHeader is returned by DetectFormat for a line that is not a header.
var ErrNoHeader = errors.New("not a flow log header line")

// DetectFormat reads the format from the header line that starts every flow
// log file delivered to S3. It returns ErrNoHeader when line is a record, and
// a *FormatError when it is a header that names an unusable field list.
func DetectFormat(line []byte) (Format, error) {
	line = trimEOL(line)
	first := line
	for i, c := range line {
		if c == ' ' {
			first = line[:i]
			break
		}
	}
	// A record never starts with a field name: versions are numbers and
	// every other value is an ID, an address or an upper-case keyword.
	if _, ok := byName[string(first)]; !ok {
		return Format{}, ErrNoHeader
	}
	return ParseFormat(string(line))
}

func trimEOL(line []byte) []byte {
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return line[:n]
}

// Suggest returns the known field name closest to name by edit distance
// (after lower-casing it and reading '_' as '-', as in Athena column names),
// or "" when no field is close.
func Suggest(name string) string {
	name = strings.TrimSuffix(strings.TrimPrefix(name, "${"), "}")
	norm := strings.ReplaceAll(strings.ToLower(name), "_", "-")
	if _, ok := byName[norm]; ok {
		return norm
	}
	best, bestDist := "", max(2, len(norm)/3)+1
	for i := range table {
		if d := editDistance(norm, table[i].Name, bestDist); d < bestDist {
			best, bestDist = table[i].Name, d
		}
	}
	return best
}

// editDistance returns the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and adjacent transpositions), or
// limit when it is at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	if len(b) > 64 {
		return limit
	}
	var rows [3][65]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit)
}
