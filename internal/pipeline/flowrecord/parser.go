package flowrecord

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
	"unsafe"
)

// Reasons a line is rejected; a *ParseError wraps one of them.
var (
	ErrTooFewFields  = errors.New("too few fields")
	ErrTooManyFields = errors.New("too many fields")
	ErrEmptyValue    = errors.New("empty value")
	ErrNotNumber     = errors.New("not a decimal number")
	ErrOutOfRange    = errors.New("number out of range")
	ErrBadAddr       = errors.New("not an IP address")
	ErrBadValue      = errors.New("not a documented value")
	ErrControlChar   = errors.New("control character in value")
	ErrNoFields      = errors.New("the format has no fields")
	// ErrEndBeforeStart rejects a record whose end is earlier than its
	// start; the *ParseError points at the end field.
	ErrEndBeforeStart = errors.New("end before start")
)

// ParseError says why a line does not match the format.
type ParseError struct {
	Field  FieldID // field being read
	Column int     // 1-based position of Field in the format
	Offset int     // byte offset in the line where the value starts
	Value  string  // the offending value, shortened when long
	Err    error   // one of the Err* reasons above
}

func (e *ParseError) Error() string {
	if e.Column == 0 {
		return e.Err.Error()
	}
	var b strings.Builder
	b.WriteString("field ")
	b.WriteString(strconv.Itoa(e.Column))
	b.WriteString(" (")
	b.WriteString(e.Field.String())
	b.WriteString(") at byte ")
	b.WriteString(strconv.Itoa(e.Offset))
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	switch {
	case e.Err == ErrTooFewFields:
		b.WriteString(": the line ends before this field")
	case e.Err == ErrTooManyFields:
		b.WriteString(": text follows the last field: ")
		b.WriteString(strconv.Quote(e.Value))
	case e.Err == ErrOutOfRange && e.Field.Info().Kind == KindTime:
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Value))
		b.WriteString(" is after ")
		b.WriteString(strconv.FormatUint(MaxTime, 10))
		b.WriteString(" (2262-04-11T23:47:16Z), the latest time rows can carry")
	case e.Err == ErrOutOfRange && e.Field.Info().Max() > 0:
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Value))
		b.WriteString(" is above ")
		b.WriteString(strconv.FormatUint(e.Field.Info().Max(), 10))
	case e.Err == ErrEndBeforeStart:
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Value))
		b.WriteString(" is earlier than the record's start")
	case e.Err == ErrBadValue:
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Value))
		b.WriteString(" is not one of ")
		b.WriteString(strings.Join(table[e.Field].Values, ", "))
	case e.Value != "":
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Value))
	}
	return b.String()
}

// Unwrap returns the reason.
func (e *ParseError) Unwrap() error { return e.Err }

type op uint8

const (
	opString op = iota
	opUint
	opAddr
	opAction
	opLogStatus
)

type column struct {
	id   FieldID
	op   op
	slot uint8
	max  uint64
}

// Parser parses the lines of one format. It is safe for concurrent use.
type Parser struct {
	format Format
	cols   []column
	endCol int // index of the end field in cols, or -1
}

// NewParser returns a parser for lines in format f.
func NewParser(f Format) *Parser {
	p := &Parser{format: f, cols: make([]column, len(f.fields)), endCol: f.Index(FieldEnd)}
	for i, id := range f.fields {
		info := table[id]
		c := column{id: id, slot: addrSlot[id]}
		switch {
		case id == FieldAction:
			c.op = opAction
		case id == FieldLogStatus:
			c.op = opLogStatus
		case info.Kind == KindAddr:
			c.op = opAddr
		case info.Kind == KindUint || info.Kind == KindTime:
			c.op = opUint
			c.max = info.Max()
		}
		p.cols[i] = c
	}
	return p
}

// Format returns the parser's format.
func (p *Parser) Format() Format { return p.format }

// Parse parses one line (a trailing "\n" or "\r\n" is ignored) into r. Fields
// are separated by single spaces. Values outside the limits in the package
// documentation are rejected. On error r has no fields and the error is a
// *ParseError.
func (p *Parser) Parse(line []byte, r *Record) error {
	line = trimEOL(line)
	n := len(line)
	if uint64(n) > 1<<31 {
		return &ParseError{Err: ErrLineTooLong}
	}
	if len(p.cols) == 0 {
		return &ParseError{Err: ErrNoFields}
	}
	r.line = line
	r.fields = p.format.fields
	r.present = 0 // a failed Parse leaves no fields behind
	var present uint64
	pos := 0
	cols := p.cols
	for ci := range cols {
		c := &cols[ci]
		if pos >= n {
			if pos == n && ci > 0 {
				// The previous field ended with a space: an empty last value.
				return p.fail(line, ci, pos, pos, ErrEmptyValue)
			}
			return p.fail(line, ci, min(pos, n), min(pos, n), ErrTooFewFields)
		}
		start := pos
		i := pos
		if line[i] == '-' && (i+1 == n || line[i+1] == ' ') {
			// "-": the value does not apply to this record.
			i++
		} else {
			switch c.op {
			case opUint:
				// Up to 15 digits eight at a time; the loop below
				// handles anything else, and says what is wrong.
				if v, end, ok := digits16(line, i); ok && v <= c.max {
					r.nums[c.id] = v
					i = end
					break
				}
				const cutoff = (1<<64 - 1) / 10
				var v uint64
				for ; i < n; i++ {
					d := uint64(line[i] - '0')
					if d > 9 {
						break
					}
					if v >= cutoff && (v > cutoff || d > 5) {
						return p.fail(line, ci, start, nextSpace(line, i), ErrOutOfRange)
					}
					v = v*10 + d
				}
				if i == start || (i < n && line[i] != ' ') {
					if i == start && line[i] == ' ' {
						return p.fail(line, ci, start, start, ErrEmptyValue)
					}
					return p.fail(line, ci, start, nextSpace(line, i), ErrNotNumber)
				}
				if v > c.max {
					return p.fail(line, ci, start, i, ErrOutOfRange)
				}
				r.nums[c.id] = v
			case opAddr:
				a, end, ok := parseAddrAt(line, i)
				i = end
				if i == start {
					return p.failEmpty(line, ci, start)
				}
				if !ok {
					return p.fail(line, ci, start, i, ErrBadAddr)
				}
				r.addrs[c.slot] = a
			case opAction:
				i = scanEnd(line, i)
				if i == start {
					return p.failEmpty(line, ci, start)
				}
				var v Action
				switch string(line[start:i]) {
				case "ACCEPT":
					v = ActionAccept
				case "REJECT":
					v = ActionReject
				default:
					return p.fail(line, ci, start, i, ErrBadValue)
				}
				r.nums[c.id] = uint64(v)
			case opLogStatus:
				i = scanEnd(line, i)
				if i == start {
					return p.failEmpty(line, ci, start)
				}
				var v LogStatus
				switch string(line[start:i]) {
				case "OK":
					v = LogStatusOK
				case "NODATA":
					v = LogStatusNoData
				case "SKIPDATA":
					v = LogStatusSkipData
				default:
					return p.fail(line, ci, start, i, ErrBadValue)
				}
				r.nums[c.id] = uint64(v)
			default:
				i = scanEnd(line, i)
				if i == start {
					return p.failEmpty(line, ci, start)
				}
			}
			if i < n && line[i] != ' ' {
				return p.fail(line, ci, start, nextSpace(line, i), ErrControlChar)
			}
			present |= 1 << c.id
		}
		r.spans[c.id] = span{uint32(start), uint32(i)}
		if i < n && ci == len(cols)-1 {
			return p.fail(line, ci, i+1, n, ErrTooManyFields)
		}
		pos = i + 1
	}
	const startEnd = 1<<FieldStart | 1<<FieldEnd
	if present&startEnd == startEnd && r.nums[FieldStart] > r.nums[FieldEnd] {
		s := r.spans[FieldEnd]
		return p.fail(line, p.endCol, int(s.start), int(s.end), ErrEndBeforeStart)
	}
	r.present = present
	return nil
}

// digits16 parses the decimal number of 1 to 15 digits at line[i], which a
// space follows, eight bytes at a time. ok is false when it cannot: too few
// bytes left to load, no digit, more digits, or anything but a space after
// them.
func digits16(line []byte, i int) (v uint64, end int, ok bool) {
	if i+8 > len(line) {
		return 0, 0, false
	}
	d, n := digits8(binary.LittleEndian.Uint64(line[i:]))
	if n == 0 {
		return 0, 0, false
	}
	if n == 8 {
		if i+16 > len(line) {
			return 0, 0, false
		}
		var m int
		w := binary.LittleEndian.Uint64(line[i+8:])
		var lo uint64
		if lo, m = digits8(w); m == 8 {
			return 0, 0, false
		}
		for range m {
			d *= 10
		}
		d += lo
		n += m
	}
	if line[i+n] != ' ' {
		return 0, 0, false
	}
	return d, i + n, true
}

// digits8 returns the value and number of the decimal digits at the start
// of the 8 bytes of w, first byte lowest.
func digits8(w uint64) (v uint64, n int) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := w - ones*'0'
	// Digits become 0-9, anything else 10 or more, or wraps around; the
	// lowest flagged byte is the first that is not a digit.
	n = bits.TrailingZeros64((x+ones*(0x80-10)|x)&highs) >> 3
	if n == 0 {
		return 0, 0
	}
	// The digits to the top, below them zeros: leading zeros.
	x <<= (8 - n) * 8 & 63
	x = (x & 0x0f0f0f0f0f0f0f0f) * (10<<8 + 1) >> 8
	x = (x & 0x00ff00ff00ff00ff) * (100<<16 + 1) >> 16
	x = (x & 0x0000ffff0000ffff) * (10000<<32 + 1) >> 32
	return x, n
}

// scanEnd returns the index of the first space or control character at or
// after i, or len(line).
func scanEnd(line []byte, i int) int {
	for i < len(line) && line[i] > ' ' {
		i++
	}
	return i
}

// nextSpace returns the index of the first space at or after i, or len(line).
func nextSpace(line []byte, i int) int {
	for i < len(line) && line[i] != ' ' {
		i++
	}
	return i
}

// failEmpty reports a value that is empty or starts with a control character.
func (p *Parser) failEmpty(line []byte, ci, start int) error {
	if line[start] == ' ' {
		return p.fail(line, ci, start, start, ErrEmptyValue)
	}
	return p.fail(line, ci, start, nextSpace(line, start), ErrControlChar)
}

func (p *Parser) fail(line []byte, ci, start, end int, err error) error {
	e := &ParseError{Field: p.cols[ci].id, Column: ci + 1, Offset: start, Err: err}
	v := line[start:end]
	if len(v) > 64 {
		e.Value = string(v[:61]) + "..."
	} else {
		e.Value = string(v)
	}
	return e
}

// parseAddrAt parses the address that starts at line[i] and ends before the
// next space or control character, which it returns as end.
func parseAddrAt(line []byte, i int) (a netip.Addr, end int, ok bool) {
	var ip [4]byte
	octet, val, digits := 0, 0, 0
	start := i
	for ; i < len(line); i++ {
		c := line[i]
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 && val == 0 || val > 25 {
				goto slow // leading zero, or certainly above 255
			}
			val = val*10 + int(c-'0')
			digits++
		case c == '.':
			if digits == 0 || octet == 3 || val > 255 {
				goto slow
			}
			ip[octet] = byte(val)
			octet++
			val, digits = 0, 0
		case c <= ' ':
			if octet != 3 || digits == 0 || val > 255 {
				return netip.Addr{}, i, false
			}
			ip[3] = byte(val)
			return netip.AddrFrom4(ip), i, true
		default:
			goto slow
		}
	}
	if octet == 3 && digits > 0 && val <= 255 {
		ip[3] = byte(val)
		return netip.AddrFrom4(ip), i, true
	}
slow:
	// Not a dotted quad: valid only as IPv6.
	end = scanEnd(line, i)
	a, ok = parseIPv6(line[start:end])
	return a, end, ok
}

// parseIPv6Hex parses an IPv6 address of hexadecimal groups and colons
// only, as netip.ParseAddr does. ok is false for anything else, valid (an
// embedded IPv4 address) or not, which netip.ParseAddr then reads.
func parseIPv6Hex(b []byte) (a netip.Addr, ok bool) {
	var ip [16]byte
	ellipsis := -1 // where "::" stands in ip
	p := 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis, p = 0, 2
		if p == len(b) {
			return netip.IPv6Unspecified(), true
		}
	}
	i := 0
	for i < 16 {
		var acc uint32
		off := 0
		for ; p+off < len(b) && off < 5; off++ {
			c := b[p+off]
			switch {
			case c >= '0' && c <= '9':
				c -= '0'
			case c >= 'a' && c <= 'f':
				c -= 'a' - 10
			case c >= 'A' && c <= 'F':
				c -= 'A' - 10
			default:
				goto done
			}
			acc = acc<<4 | uint32(c)
		}
	done:
		if off == 0 || off > 4 {
			return netip.Addr{}, false
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		p += off
		if p == len(b) {
			break
		}
		if b[p] != ':' || p+1 == len(b) {
			return netip.Addr{}, false
		}
		p++
		if b[p] == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis = i
			p++
			if p == len(b) {
				break
			}
		}
	}
	if p != len(b) {
		return netip.Addr{}, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return netip.Addr{}, false
		}
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16(ip), true
}

// parseAddr parses an IPv4 address in dotted decimal or an IPv6 address
// without a zone, with the same rules as netip.ParseAddr.
func parseAddr(b []byte) (netip.Addr, bool) {
	var ip [4]byte
	octet, val, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 && val == 0 {
				return parseIPv6(b) // leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return parseIPv6(b)
			}
		case c == '.':
			if digits == 0 || octet == 3 {
				return parseIPv6(b)
			}
			ip[octet] = byte(val)
			octet++
			val, digits = 0, 0
		default:
			return parseIPv6(b)
		}
	}
	if octet != 3 || digits == 0 {
		return netip.Addr{}, false
	}
	ip[3] = byte(val)
	return netip.AddrFrom4(ip), true
}

func parseIPv6(b []byte) (netip.Addr, bool) {
	// Flow logs carry no zones, and an address with a zone would keep a
	// reference to the line.
	if bytes.IndexByte(b, ':') < 0 || bytes.IndexByte(b, '%') >= 0 {
		return netip.Addr{}, false
	}
	if a, ok := parseIPv6Hex(b); ok {
		return a, true
	}
	// netip.ParseAddr does not retain its argument when there is no zone or
	// error, so a view of the line avoids copying it to a string.
	a, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
	if err != nil || !a.Is6() {
		return netip.Addr{}, false
	}
	return a, true
}
