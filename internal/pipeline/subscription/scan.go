package subscription

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is encoding/json's nesting limit, so that both accept the same
// documents.
const maxDepth = 10000

// SyntaxError describes a payload that is not valid JSON, or whose values
// have the wrong JSON type for a subscription message.
type SyntaxError struct {
	Offset int // byte offset in the decompressed JSON
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "subscription payload: " + e.Msg + " at byte " + strconv.Itoa(e.Offset)
}

// ref locates a decoded string: in the document, or in the scanner's arena
// when it had to be unescaped.
type ref struct {
	off, end uint32
	arena    bool
}

type eventRef struct {
	id, msg ref
	ts      int64
}

// scanner decodes one subscription message. It mirrors encoding/json
// decoding into events.CloudwatchLogsData: keys match case-insensitively,
// the last of duplicate keys wins, null leaves a value unchanged, and a
// repeated array decodes over the elements of the previous one.
type scanner struct {
	b      []byte
	arena  []byte
	events []eventRef // every element decoded since the array was last emptied
	count  int        // elements of the last logEvents array
	stack  []byte
	keyBuf []byte

	filters      []string
	filtersCount int
	filtersNil   bool
}

func (sc *scanner) reset(b []byte) {
	sc.b = b
	sc.arena = sc.arena[:0]
	sc.events = sc.events[:0]
	sc.count = 0
	sc.filters = nil
	sc.filtersCount = 0
	sc.filtersNil = true
}

func (sc *scanner) view(r ref) []byte {
	if r.arena {
		return sc.arena[r.off:r.end:r.end]
	}
	return sc.b[r.off:r.end:r.end]
}

func (sc *scanner) fail(off int, msg string) error {
	return &SyntaxError{Offset: off, Msg: msg}
}

func (sc *scanner) ws(i int) int {
	b := sc.b
	for i < len(b) {
		switch b[i] {
		case ' ', '\n', '\r', '\t':
			i++
		default:
			return i
		}
	}
	return i
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special reports whether any of the 8 bytes in w is a quote, a backslash,
// a control character or a non-ASCII byte.
func special(w uint64) bool {
	q := w ^ (ones * '"')
	s := w ^ (ones * '\\')
	return ((q-ones)&^q|(s-ones)&^s|(w-ones*0x20)|w)&highs != 0
}

// plain reports whether s, the content of a JSON string, is its value as
// it stands: printable ASCII and spaces, no backslash.
func plain(s []byte) bool {
	var acc uint64
	for len(s) >= 16 {
		w, v := binary.LittleEndian.Uint64(s), binary.LittleEndian.Uint64(s[8:])
		bw, bv := w^ones*'\\', v^ones*'\\'
		acc |= (w - ones*0x20) | w | (bw-ones)&^bw | (v - ones*0x20) | v | (bv-ones)&^bv
		s = s[16:]
	}
	if len(s) >= 8 {
		w := binary.LittleEndian.Uint64(s)
		bs := w ^ ones*'\\'
		acc |= (w - ones*0x20) | w | (bs-ones)&^bs
		s = s[8:]
	}
	for _, c := range s {
		if c < ' ' || c >= utf8.RuneSelf || c == '\\' {
			return false
		}
	}
	return acc&highs == 0
}

const (
	hasEscape = 1 << iota
	hasNonASCII
)

// str scans the string whose opening quote is b[i], validating it, and
// returns the index after its closing quote.
func (sc *scanner) str(i int) (end int, flags uint8, err error) {
	b := sc.b
	// Fast path: the string ends at the next quote and has no escapes,
	// control characters or non-ASCII bytes.
	if q := bytes.IndexByte(b[i+1:], '"'); q >= 0 {
		content := b[i+1 : i+1+q]
		if plain(content) {
			return i + 2 + q, 0, nil
		}
	}
	j := i + 1
	for {
		for j+8 <= len(b) && !special(binary.LittleEndian.Uint64(b[j:])) {
			j += 8
		}
		if j >= len(b) {
			return 0, 0, sc.fail(i, "unterminated string")
		}
		switch c := b[j]; {
		case c == '"':
			return j + 1, flags, nil
		case c == '\\':
			flags |= hasEscape
			if j+1 >= len(b) {
				return 0, 0, sc.fail(i, "unterminated string")
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) || getu4(b[j:]) < 0 {
					return 0, 0, sc.fail(j, "invalid \\u escape in string")
				}
				j += 6
			default:
				return 0, 0, sc.fail(j, "invalid escape in string")
			}
		case c < ' ':
			return 0, 0, sc.fail(j, "control character in string")
		case c >= utf8.RuneSelf:
			flags |= hasNonASCII
			j++
		default:
			j++
		}
	}
}

// strRef scans a string value and returns its decoded content.
func (sc *scanner) strRef(i int) (ref, int, error) {
	end, flags, err := sc.str(i)
	if err != nil {
		return ref{}, 0, err
	}
	content := sc.b[i+1 : end-1]
	if flags == 0 || flags == hasNonASCII && utf8.Valid(content) {
		return ref{off: uint32(i + 1), end: uint32(end - 1)}, end, nil
	}
	off := len(sc.arena)
	sc.arena = unquote(sc.arena, content)
	return ref{off: uint32(off), end: uint32(len(sc.arena)), arena: true}, end, nil
}

// key scans an object key and returns it decoded; the result is valid until
// the next call.
func (sc *scanner) key(i int) ([]byte, int, error) {
	if i >= len(sc.b) || sc.b[i] != '"' {
		return nil, 0, sc.fail(i, "expected a string key")
	}
	end, flags, err := sc.str(i)
	if err != nil {
		return nil, 0, err
	}
	k := sc.b[i+1 : end-1]
	if flags != 0 {
		sc.keyBuf = unquote(sc.keyBuf[:0], k)
		k = sc.keyBuf
	}
	i = sc.ws(end)
	if i >= len(sc.b) || sc.b[i] != ':' {
		return nil, 0, sc.fail(i, "expected ':' after object key")
	}
	return k, sc.ws(i + 1), nil
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unquote appends the decoded content of a validated JSON string to dst,
// replacing invalid UTF-8 and unpaired surrogates with U+FFFD exactly as
// encoding/json does.
func unquote(dst, s []byte) []byte {
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch s[r+1] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				rr := getu4(s[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != utf8.RuneError {
						r += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
					rr = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, rr)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, s[r+1])
			}
			r += 2
		case c < utf8.RuneSelf:
			start := r
			for r < len(s) && s[r] < utf8.RuneSelf && s[r] != '\\' {
				r++
			}
			dst = append(dst, s[start:r]...)
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			dst = utf8.AppendRune(dst, rr)
		}
	}
	return dst
}

// literal checks for the literal lit at b[i].
func (sc *scanner) literal(i int, lit string) (int, error) {
	if !bytes.HasPrefix(sc.b[i:], []byte(lit)) {
		return 0, sc.fail(i, "invalid literal")
	}
	return i + len(lit), nil
}

// isNumberStart reports whether b[i] can start a JSON number.
func (sc *scanner) isNumberStart(i int) bool {
	return i < len(sc.b) && (sc.b[i] == '-' || sc.b[i] >= '0' && sc.b[i] <= '9')
}

func (sc *scanner) isNull(i int) bool {
	return i+4 <= len(sc.b) && string(sc.b[i:i+4]) == "null"
}

// number scans a JSON number at b[i] and reports whether it has neither a
// fraction nor an exponent.
func (sc *scanner) number(i int) (end int, integer bool, err error) {
	b := sc.b
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
	default:
		return 0, false, sc.fail(i, "invalid character looking for a value")
	}
	integer = true
	if j < len(b) && b[j] == '.' {
		integer = false
		j++
		d := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == d {
			return 0, false, sc.fail(j, "invalid number")
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		integer = false
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		d := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == d {
			return 0, false, sc.fail(j, "invalid number")
		}
	}
	return j, integer, nil
}

// int64At parses the integer number at b[i], as encoding/json does for an
// int64 field.
func (sc *scanner) int64At(i int) (int64, int, error) {
	end, integer, err := sc.number(i)
	if err != nil {
		return 0, 0, err
	}
	if !integer {
		return 0, 0, sc.fail(i, "timestamp is not an integer")
	}
	s := sc.b[i:end]
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var v uint64
	for _, c := range s {
		if v > (1<<63)/10 {
			return 0, 0, sc.fail(i, "timestamp out of range")
		}
		v = v*10 + uint64(c-'0')
	}
	switch {
	case neg && v <= 1<<63:
		return -int64(v-1) - 1, end, nil
	case !neg && v < 1<<63:
		return int64(v), end, nil
	}
	return 0, 0, sc.fail(i, "timestamp out of range")
}

// skip validates and skips the value at b[i], nested depth containers deep.
func (sc *scanner) skip(i, depth int) (int, error) {
	b := sc.b
	stack := sc.stack[:0]
	var err error
value:
	if i >= len(b) {
		return 0, sc.fail(i, "unexpected end of JSON input")
	}
	switch c := b[i]; c {
	case '{', '[':
		if depth+len(stack)+1 > maxDepth {
			return 0, sc.fail(i, "exceeded max depth")
		}
		stack = append(stack, c)
		i = sc.ws(i + 1)
		if i < len(b) && b[i] == c+2 { // '}' or ']'
			i++
			stack = stack[:len(stack)-1]
			goto next
		}
		if c == '{' {
			goto key
		}
		goto value
	case '"':
		i, _, err = sc.str(i)
	case 't':
		i, err = sc.literal(i, "true")
	case 'f':
		i, err = sc.literal(i, "false")
	case 'n':
		i, err = sc.literal(i, "null")
	default:
		i, _, err = sc.number(i)
	}
	if err != nil {
		return 0, err
	}
next:
	if len(stack) == 0 {
		sc.stack = stack
		return i, nil
	}
	i = sc.ws(i)
	if i >= len(b) {
		return 0, sc.fail(i, "unexpected end of JSON input")
	}
	switch top := stack[len(stack)-1]; b[i] {
	case ',':
		i = sc.ws(i + 1)
		if top == '{' {
			goto key
		}
		goto value
	case top + 2:
		i++
		stack = stack[:len(stack)-1]
		goto next
	default:
		if top == '{' {
			return 0, sc.fail(i, "expected ',' or '}' after object value")
		}
		return 0, sc.fail(i, "expected ',' or ']' after array element")
	}
key:
	_, i, err = sc.key(i)
	if err != nil {
		return 0, err
	}
	goto value
}

// Top-level and log event keys.
const (
	keyOther = iota
	keyMessageType
	keyOwner
	keyLogGroup
	keyLogStream
	keySubscriptionFilters
	keyLogEvents
	keyID
	keyTimestamp
	keyMessage
)

var topKeys = []struct {
	name string
	id   int
}{
	{"messageType", keyMessageType},
	{"owner", keyOwner},
	{"logGroup", keyLogGroup},
	{"logStream", keyLogStream},
	{"subscriptionFilters", keySubscriptionFilters},
	{"logEvents", keyLogEvents},
}

var eventKeys = []struct {
	name string
	id   int
}{
	{"id", keyID},
	{"timestamp", keyTimestamp},
	{"message", keyMessage},
}

// matchKey finds k among keys, exactly or else case-insensitively as
// encoding/json matches struct field names.
func matchKey(k []byte, keys []struct {
	name string
	id   int
}) int {
	for _, x := range keys {
		if string(k) == x.name {
			return x.id
		}
	}
	for _, x := range keys {
		if bytes.EqualFold(k, []byte(x.name)) {
			return x.id
		}
	}
	return keyOther
}

// document decodes the top-level object into h and the events.
func (sc *scanner) document(h *Header, msgType *string) error {
	b := sc.b
	i := sc.ws(0)
	if sc.isNull(i) {
		if i = sc.ws(i + 4); i != len(b) {
			return sc.fail(i, "invalid character after top-level value")
		}
		return nil
	}
	if i >= len(b) || b[i] != '{' {
		if i >= len(b) {
			return sc.fail(i, "unexpected end of JSON input")
		}
		if _, err := sc.skip(i, 0); err != nil {
			return err
		}
		return sc.fail(i, "subscription message is not a JSON object")
	}
	i = sc.ws(i + 1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			k, j, err := sc.key(i)
			if err != nil {
				return err
			}
			i = j
			switch id := matchKey(k, topKeys); id {
			case keyMessageType, keyOwner, keyLogGroup, keyLogStream:
				var s string
				if sc.isNull(i) {
					i += 4
					break
				}
				if i >= len(b) || b[i] != '"' {
					return sc.typeError(i, "a string", 1)
				}
				r, j, err := sc.strRef(i)
				if err != nil {
					return err
				}
				i, s = j, string(sc.view(r))
				switch id {
				case keyMessageType:
					*msgType = s
				case keyOwner:
					h.Owner = s
				case keyLogGroup:
					h.LogGroup = s
				case keyLogStream:
					h.LogStream = s
				}
			case keySubscriptionFilters:
				if i, err = sc.filterArray(i); err != nil {
					return err
				}
			case keyLogEvents:
				if i, err = sc.eventArray(i); err != nil {
					return err
				}
			default:
				if i, err = sc.skip(i, 1); err != nil {
					return err
				}
			}
			i = sc.ws(i)
			if i < len(b) && b[i] == ',' {
				i = sc.ws(i + 1)
				continue
			}
			if i < len(b) && b[i] == '}' {
				i++
				break
			}
			return sc.fail(i, "expected ',' or '}' after object value")
		}
	}
	if i = sc.ws(i); i != len(b) {
		return sc.fail(i, "invalid character after top-level value")
	}
	h.SubscriptionFilters = nil
	if !sc.filtersNil {
		h.SubscriptionFilters = sc.filters[:sc.filtersCount:sc.filtersCount]
	}
	return nil
}

// typeError validates the value at b[i] and reports that it should be want;
// a syntax error inside the value wins, as in encoding/json.
func (sc *scanner) typeError(i int, want string, depth int) error {
	if _, err := sc.skip(i, depth); err != nil {
		return err
	}
	return sc.fail(i, "value should be "+want)
}

// filterArray decodes subscriptionFilters.
func (sc *scanner) filterArray(i int) (int, error) {
	b := sc.b
	if sc.isNull(i) {
		sc.filters, sc.filtersCount, sc.filtersNil = nil, 0, true
		return i + 4, nil
	}
	if i >= len(b) || b[i] != '[' {
		return 0, sc.typeError(i, "an array of strings", 1)
	}
	i = sc.ws(i + 1)
	n := 0
	if i < len(b) && b[i] == ']' {
		i++
	} else {
		for {
			if n == len(sc.filters) {
				sc.filters = append(sc.filters, "")
			}
			switch {
			case sc.isNull(i):
				i += 4
			case i < len(b) && b[i] == '"':
				r, j, err := sc.strRef(i)
				if err != nil {
					return 0, err
				}
				i, sc.filters[n] = j, string(sc.view(r))
			default:
				return 0, sc.typeError(i, "a string", 2)
			}
			n++
			i = sc.ws(i)
			if i < len(b) && b[i] == ',' {
				i = sc.ws(i + 1)
				continue
			}
			if i < len(b) && b[i] == ']' {
				i++
				break
			}
			return 0, sc.fail(i, "expected ',' or ']' after array element")
		}
	}
	sc.filtersCount, sc.filtersNil = n, false
	if n == 0 {
		// encoding/json replaces an empty array with a new empty slice.
		sc.filters = []string{}
	}
	return i, nil
}

// eventArray decodes logEvents.
func (sc *scanner) eventArray(i int) (int, error) {
	b := sc.b
	if sc.isNull(i) {
		sc.events, sc.count = sc.events[:0], 0
		return i + 4, nil
	}
	if i >= len(b) || b[i] != '[' {
		return 0, sc.typeError(i, "an array of log events", 1)
	}
	i = sc.ws(i + 1)
	n := 0
	if i < len(b) && b[i] == ']' {
		i++
	} else {
		for {
			if n == len(sc.events) {
				sc.events = append(sc.events, eventRef{})
			}
			ev := &sc.events[n]
			switch {
			case sc.isNull(i):
				i += 4
			case i < len(b) && b[i] == '{':
				if j, ok := sc.eventFast(i, ev); ok {
					i = j
					break
				}
				var err error
				if i, err = sc.event(i, ev); err != nil {
					return 0, err
				}
			default:
				return 0, sc.typeError(i, "a log event object", 2)
			}
			n++
			i = sc.ws(i)
			if i < len(b) && b[i] == ',' {
				i = sc.ws(i + 1)
				continue
			}
			if i < len(b) && b[i] == ']' {
				i++
				break
			}
			return 0, sc.fail(i, "expected ',' or ']' after array element")
		}
	}
	sc.count = n
	if n == 0 {
		// encoding/json replaces an empty array with a new empty slice, so
		// a later array starts from zero values.
		sc.events = sc.events[:0]
	}
	return i, nil
}

// eventFast decodes a log event object written as CloudWatch Logs writes
// them: no whitespace, only the keys id, timestamp and message spelled so,
// string values without escapes or other than printable ASCII, and an
// integer timestamp. It returns false for any other object, which event
// then decodes from the start, setting again whatever eventFast set.
func (sc *scanner) eventFast(i int, ev *eventRef) (int, bool) {
	b := sc.b
	i++ // '{'
	for {
		var id int
		switch rest := b[i:]; {
		case len(rest) >= 5 && string(rest[:5]) == `"id":`:
			id, i = keyID, i+5
		case len(rest) >= 12 && string(rest[:12]) == `"timestamp":`:
			id, i = keyTimestamp, i+12
		case len(rest) >= 10 && string(rest[:10]) == `"message":`:
			id, i = keyMessage, i+10
		default:
			return 0, false
		}
		if id == keyTimestamp {
			if i >= len(b) || b[i] < '1' || b[i] > '9' {
				return 0, false
			}
			var v uint64
			j := i
			for ; j < len(b) && j-i < 18 && b[j] >= '0' && b[j] <= '9'; j++ {
				v = v*10 + uint64(b[j]-'0')
			}
			if j >= len(b) || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] >= '0' && b[j] <= '9' {
				return 0, false
			}
			ev.ts, i = int64(v), j
		} else {
			if i >= len(b) || b[i] != '"' {
				return 0, false
			}
			q := bytes.IndexByte(b[i+1:], '"')
			if q < 0 || !plain(b[i+1:i+1+q]) {
				return 0, false
			}
			r := ref{off: uint32(i + 1), end: uint32(i + 1 + q)}
			if id == keyID {
				ev.id = r
			} else {
				ev.msg = r
			}
			i += q + 2
		}
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// event decodes one log event object into ev.
func (sc *scanner) event(i int, ev *eventRef) (int, error) {
	b := sc.b
	i = sc.ws(i + 1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		k, j, err := sc.key(i)
		if err != nil {
			return 0, err
		}
		i = j
		var id int
		switch string(k) {
		case "id":
			id = keyID
		case "timestamp":
			id = keyTimestamp
		case "message":
			id = keyMessage
		default:
			id = matchKey(k, eventKeys)
		}
		switch {
		case id == keyOther:
			if i, err = sc.skip(i, 3); err != nil {
				return 0, err
			}
		case sc.isNull(i):
			i += 4
		case id == keyTimestamp:
			if !sc.isNumberStart(i) {
				return 0, sc.typeError(i, "a number", 3)
			}
			if ev.ts, i, err = sc.int64At(i); err != nil {
				return 0, err
			}
		case id == keyID && sc.isNumberStart(i):
			// CloudWatch Logs writes the id as a string of digits; moto,
			// the local AWS of the tests, as a JSON number. The number's
			// literal text is the id.
			start := i
			if i, _, err = sc.number(i); err != nil {
				return 0, err
			}
			ev.id = ref{off: uint32(start), end: uint32(i)}
		default:
			if i >= len(b) || b[i] != '"' {
				if id == keyID {
					return 0, sc.typeError(i, "a string or a number", 3)
				}
				return 0, sc.typeError(i, "a string", 3)
			}
			var r ref
			if r, i, err = sc.strRef(i); err != nil {
				return 0, err
			}
			if id == keyID {
				ev.id = r
			} else {
				ev.msg = r
			}
		}
		i = sc.ws(i)
		if i < len(b) && b[i] == ',' {
			i = sc.ws(i + 1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return i + 1, nil
		}
		return 0, sc.fail(i, "expected ',' or '}' after object value")
	}
}
