package subscription

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"unicode/utf8"
)

// docWriter writes randomly spelled JSON: random whitespace, key case,
// escapes, key order, unknown keys, duplicates and nulls.
type docWriter struct {
	rng *rand.Rand
	b   []byte
}

func (w *docWriter) ws() {
	for w.rng.IntN(4) == 0 {
		w.b = append(w.b, " \t\n\r"[w.rng.IntN(4)])
	}
}

func (w *docWriter) str(s string) {
	w.b = append(w.b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		c := s[i]
		switch {
		case r == utf8.RuneError && size == 1:
			w.b = append(w.b, c) // raw invalid byte: valid JSON for encoding/json
		case c == '"' || c == '\\' || c < ' ' || w.rng.IntN(8) == 0:
			switch {
			case c == '"':
				w.b = append(w.b, `\"`...)
			case c == '\\':
				w.b = append(w.b, `\\`...)
			case c == '\n' && w.rng.IntN(2) == 0:
				w.b = append(w.b, `\n`...)
			case c == '/' && w.rng.IntN(2) == 0:
				w.b = append(w.b, `\/`...)
			case r > 0xffff:
				r1, r2 := (r-0x10000)>>10+0xd800, (r-0x10000)&0x3ff+0xdc00
				w.b = append(w.b, `\u`+hex4(r1)+`\u`+hex4(r2)...)
			default:
				w.b = append(w.b, `\u`+hex4(r)...)
			}
		default:
			w.b = append(w.b, s[i:i+size]...)
		}
		i += size
	}
	w.b = append(w.b, '"')
}

func hex4(r rune) string {
	s := strconv.FormatInt(int64(r), 16)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

func (w *docWriter) randString() string {
	const alphabet = "abcXYZ 0129-_.:/\"\\\t\n\x01\x7f"
	var b []byte
	for range w.rng.IntN(12) {
		switch w.rng.IntN(10) {
		case 0:
			b = utf8.AppendRune(b, []rune{'é', 'ſ', 'K', '😀', '\u2028', 'İ', '\ufffd'}[w.rng.IntN(7)])
		case 1:
			b = append(b, []byte{0xff, 0xc3, 0xed, 0xa0, 0x80}[w.rng.IntN(5)])
		default:
			b = append(b, alphabet[w.rng.IntN(len(alphabet))])
		}
	}
	return string(b)
}

func (w *docWriter) key(name string) {
	w.ws()
	if w.rng.IntN(6) == 0 {
		b := []byte(name)
		for i := range b {
			if w.rng.IntN(2) == 0 && b[i] >= 'a' && b[i] <= 'z' {
				b[i] -= 'a' - 'A'
			}
		}
		name = string(b)
	}
	w.str(name)
	w.ws()
	w.b = append(w.b, ':')
	w.ws()
}

func (w *docWriter) anyValue(depth int) {
	switch n := w.rng.IntN(9); {
	case n == 0 && depth < 4:
		w.b = append(w.b, '[')
		for i := range w.rng.IntN(4) {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.ws()
			w.anyValue(depth + 1)
			w.ws()
		}
		w.b = append(w.b, ']')
	case n == 1 && depth < 4:
		w.b = append(w.b, '{')
		for i := range w.rng.IntN(4) {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.key(w.randString())
			w.anyValue(depth + 1)
			w.ws()
		}
		w.b = append(w.b, '}')
	case n == 2:
		w.str(w.randString())
	case n == 3:
		w.b = append(w.b, []string{"true", "false", "null"}[w.rng.IntN(3)]...)
	default:
		w.b = append(w.b, []string{"0", "-0", "12", "-3.25", "1e9", "2.5E-3", "1E+2", "123456789012345678901234567890"}[w.rng.IntN(8)]...)
	}
}

func (w *docWriter) timestamp() {
	switch w.rng.IntN(6) {
	case 0:
		w.b = append(w.b, "-0"...)
	case 1:
		w.b = strconv.AppendInt(w.b, int64(w.rng.Uint64()), 10)
	default:
		w.b = strconv.AppendInt(w.b, 1_700_000_000_000+w.rng.Int64N(1e9), 10)
	}
}

type member struct {
	name  string
	value func()
}

func (w *docWriter) object(members []member) {
	w.rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	// Sometimes repeat a member, to exercise the last-one-wins rule.
	if len(members) > 0 && w.rng.IntN(5) == 0 {
		members = append(members, members[w.rng.IntN(len(members))])
	}
	w.b = append(w.b, '{')
	for i, m := range members {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.key(m.name)
		if w.rng.IntN(12) == 0 {
			w.b = append(w.b, "null"...)
		} else {
			m.value()
		}
		w.ws()
	}
	w.b = append(w.b, '}')
}

func (w *docWriter) event() {
	if w.rng.IntN(15) == 0 {
		w.b = append(w.b, "null"...)
		return
	}
	var ms []member
	if w.rng.IntN(8) != 0 {
		ms = append(ms, member{"id", func() {
			if w.rng.IntN(4) == 0 {
				// A JSON number, as moto writes ids.
				w.b = append(w.b, []string{"0", "-0", "7", "-3.25", "1e9", "2.5E-3", "31953106606966983378809025079804211143289615424298221568"}[w.rng.IntN(7)]...)
				return
			}
			w.str(strconv.FormatUint(w.rng.Uint64(), 10) + w.randString())
		}})
	}
	if w.rng.IntN(8) != 0 {
		ms = append(ms, member{"timestamp", w.timestamp})
	}
	if w.rng.IntN(8) != 0 {
		ms = append(ms, member{"message", func() { w.str("2 123456789012 eni-0a " + w.randString()) }})
	}
	for range w.rng.IntN(2) {
		ms = append(ms, member{"x" + w.randString(), func() { w.anyValue(3) }})
	}
	w.object(ms)
}

func (w *docWriter) doc() []byte {
	w.b = w.b[:0]
	w.ws()
	ms := []member{
		{"owner", func() { w.str(w.randString()) }},
		{"logGroup", func() { w.str("/vpc/" + w.randString()) }},
		{"logStream", func() { w.str("eni-" + w.randString()) }},
		{"subscriptionFilters", func() {
			w.b = append(w.b, '[')
			for i := range w.rng.IntN(3) {
				if i > 0 {
					w.b = append(w.b, ',')
				}
				w.ws()
				if w.rng.IntN(6) == 0 {
					w.b = append(w.b, "null"...)
				} else {
					w.str(w.randString())
				}
			}
			w.b = append(w.b, ']')
		}},
		{"logEvents", func() {
			w.b = append(w.b, '[')
			for i := range w.rng.IntN(8) {
				if i > 0 {
					w.b = append(w.b, ',')
				}
				w.ws()
				w.event()
				w.ws()
			}
			w.b = append(w.b, ']')
		}},
	}
	if w.rng.IntN(20) != 0 {
		ms = append(ms, member{"messageType", func() {
			w.str([]string{"DATA_MESSAGE", "DATA_MESSAGE", "DATA_MESSAGE", "CONTROL_MESSAGE", "data_message"}[w.rng.IntN(5)])
		}})
	}
	for range w.rng.IntN(3) {
		ms = append(ms, member{w.randString(), func() { w.anyValue(1) }})
	}
	w.object(ms)
	w.ws()
	return w.b
}

// TestDecodeMatchesNaive compares the decoder with encoding/json on many
// randomly written documents, and on random corruptions of them.
func TestDecodeMatchesNaive(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	w := &docWriter{rng: rand.New(rand.NewPCG(42, 1))}
	d := NewDecoder()
	var accepted, rejected int
	for i := range n {
		doc := w.doc()
		if _, err := compareWithNaive(t, d, doc); err == nil {
			accepted++
		} else {
			rejected++
		}
		// Corrupt a copy: drop, duplicate or replace a byte.
		bad := append([]byte(nil), doc...)
		if len(bad) > 0 {
			p := w.rng.IntN(len(bad))
			switch i % 3 {
			case 0:
				bad = append(bad[:p], bad[p+1:]...)
			case 1:
				bad = append(bad[:p+1], bad[p:]...)
			default:
				const junk = "{}[],:\"\\ 0-en"
				bad[p] = junk[w.rng.IntN(len(junk))]
			}
		}
		if _, err := compareWithNaive(t, d, bad); err == nil {
			accepted++
		} else {
			rejected++
		}
	}
	for _, seed := range []int64{1, 2, 3} {
		for _, size := range []int{0, 1, 17, 1000} {
			if _, err := compareWithNaive(t, d, GenerateJSON(size, seed)); err != nil {
				t.Fatalf("generated payload rejected: %v", err)
			}
			accepted++
		}
	}
	t.Logf("%d documents accepted by both decoders, %d rejected by both", accepted, rejected)
	if accepted < n/2 || rejected < n/4 {
		t.Errorf("the generator is off balance: %d accepted, %d rejected", accepted, rejected)
	}
}
