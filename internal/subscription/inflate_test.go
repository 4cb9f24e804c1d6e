package subscription

import (
	"bytes"
	stdgzip "compress/gzip"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// gunzipReference reads a payload with klauspost/compress/gzip, the reader
// the fast path must agree with.
func gunzipReference(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// inflateInputs returns documents of different kinds: flow log messages,
// text, random and repetitive bytes, short and long.
func inflateInputs() [][]byte {
	rng := rand.New(rand.NewPCG(7, 7))
	random := make([]byte, 200_000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	skewed := make([]byte, 300_000)
	for i := range skewed {
		// Few symbols, some much more frequent: long and short codes.
		skewed[i] = byte(bitsLen(rng.Uint32()))
	}
	var runs []byte
	for i := range 5000 {
		runs = append(runs, bytes.Repeat([]byte{byte(i)}, i%300)...)
		runs = append(runs, bytes.Repeat([]byte("ab"), i%7)...)
		runs = append(runs, bytes.Repeat([]byte("xyz1234"), i%5)...)
	}
	return [][]byte{
		nil,
		[]byte("a"),
		[]byte("hello, hello, hello, hello"),
		GenerateJSON(0, 1),
		GenerateJSON(3, 2),
		GenerateJSON(2000, 3),
		GenerateJSON(10_000, 4),
		[]byte(strings.Repeat("2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 49152 6 10 840 1700000000 1700000060 ACCEPT OK\n", 3000)),
		random,
		skewed,
		runs,
		bytes.Repeat([]byte{0}, 1<<20),
	}
}

func bitsLen(v uint32) int {
	n := 0
	for v&1 == 1 {
		n++
		v >>= 1
	}
	return n
}

// compressAll returns doc compressed in every way at hand: each level of
// klauspost/compress and of the standard library, Huffman only, stored
// blocks, and with optional header fields.
func compressAll(t testing.TB, doc []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, level := range []int{-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9} {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, level)
		if err != nil {
			t.Fatal(err)
		}
		if level == 6 {
			zw.Name, zw.Comment, zw.Extra = "flows.json", "comment", []byte("extra")
		}
		if _, err := zw.Write(doc); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		out["klauspost level "+itoa(level)] = buf.Bytes()
	}
	for _, level := range []int{-2, 0, 1, 5, 9} {
		var buf bytes.Buffer
		zw, err := stdgzip.NewWriterLevel(&buf, level)
		if err != nil {
			t.Fatal(err)
		}
		// Small writes and flushes: many blocks, some empty stored ones.
		for p := 0; p < len(doc); p += 40_000 {
			if _, err := zw.Write(doc[p:min(p+40_000, len(doc))]); err != nil {
				t.Fatal(err)
			}
			if err := zw.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		out["stdlib level "+itoa(level)] = buf.Bytes()
	}
	half := len(doc) / 2
	out["two members"] = append(gzipLevel(t, doc[:half], 1), gzipLevel(t, doc[half:], 9)...)
	return out
}

func itoa(i int) string {
	if i < 0 {
		return "-" + string(rune('0'-i))
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return "1" + string(rune('0'+i-10))
}

func gzipLevel(t testing.TB, doc []byte, level int) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(doc); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestInflate checks that the fast path reads whatever gzip writers write,
// exactly as gzip.Reader does, whether its buffer starts empty, small or
// large.
func TestInflate(t *testing.T) {
	f := new(inflater)
	for i, doc := range inflateInputs() {
		for name, gz := range compressAll(t, doc) {
			for _, start := range []int{0, 1, len(doc) / 3, len(doc) + slack} {
				got, ok := f.gunzip(make([]byte, 0, start), gz, DefaultMaxSize)
				if !ok {
					t.Fatalf("input %d, %s: the fast path refused it", i, name)
				}
				if !bytes.Equal(got, doc) {
					t.Fatalf("input %d, %s: %d bytes differ from the %d written", i, name, len(got), len(doc))
				}
			}
		}
	}
}

// TestInflateLimit checks the size limit on the fast path: a payload of
// exactly the limit is read, one byte more is refused.
func TestInflateLimit(t *testing.T) {
	f := new(inflater)
	for _, doc := range [][]byte{GenerateJSON(300, 5), bytes.Repeat([]byte("x"), 100_000)} {
		for _, level := range []int{0, 1, 9} {
			gz := gzipLevel(t, doc, level)
			if got, ok := f.gunzip(nil, gz, len(doc)); !ok || !bytes.Equal(got, doc) {
				t.Errorf("level %d, limit %d: refused", level, len(doc))
			}
			if _, ok := f.gunzip(nil, gz, len(doc)-1); ok {
				t.Errorf("level %d, limit %d: read %d bytes", level, len(doc)-1, len(doc))
			}
		}
	}
}

// checkAgainstReference fails when the fast path reads a payload that
// gzip.Reader does not read alike.
func checkAgainstReference(t testing.TB, f *inflater, gz []byte) bool {
	t.Helper()
	got, ok := f.gunzip(nil, gz, DefaultMaxSize)
	if !ok {
		return false
	}
	want, err := gunzipReference(gz)
	if err != nil {
		t.Fatalf("the fast path reads %d bytes where gzip.Reader fails: %v\npayload: %x", len(got), err, gz)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the fast path reads %d bytes, gzip.Reader %d other ones\npayload: %x", len(got), len(want), gz)
	}
	return true
}

// TestInflateCorrupt corrupts valid payloads and checks that the fast path
// never accepts one that gzip.Reader rejects or reads differently.
func TestInflateCorrupt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	f := new(inflater)
	accepted, runs := 0, 0
	docs := inflateInputs()
	for round := range 40 {
		doc := docs[round%len(docs)]
		if len(doc) > 50_000 {
			doc = doc[:50_000]
		}
		for name, gz := range compressAll(t, doc) {
			for range 10 {
				bad := append([]byte(nil), gz...)
				switch rng.IntN(4) {
				case 0: // flip bits
					for range 1 + rng.IntN(3) {
						p := rng.IntN(len(bad))
						bad[p] ^= 1 << rng.IntN(8)
					}
				case 1: // truncate
					bad = bad[:rng.IntN(len(bad))]
				case 2: // a random byte in the deflate stream
					if len(bad) > 20 {
						bad[10+rng.IntN(len(bad)-18)] = byte(rng.Uint32())
					}
				default: // trailing bytes
					bad = append(bad, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3}[:rng.IntN(11)]...)
				}
				runs++
				if checkAgainstReference(t, f, bad) {
					accepted++
				}
			}
			_ = name
		}
	}
	t.Logf("%d of %d corrupted payloads read", accepted, runs)
}

// TestInflateHandmade feeds DEFLATE streams that compressors do not write:
// incomplete and over-subscribed codes, a code of a single symbol, codes
// 286 and 287, distances 30 and 31 and distances too far back.
func TestInflateHandmade(t *testing.T) {
	f := new(inflater)
	// Stored block with a bad NLEN; fixed blocks; reserved block type.
	streams := map[string][]byte{
		"stored":          {0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'},
		"stored bad nlen": {0x01, 0x03, 0x00, 0xfc, 0xfe, 'a', 'b', 'c'},
		"reserved type":   {0x07, 0x00},
		"empty fixed":     {0x03, 0x00},
	}
	// Fixed block: literal 'a', then length 3 at distance 1, then symbol
	// 286, distance code 30, distance 2 at the start.
	w := &bitWriter{}
	w.put(1, 1)
	w.put(1, 2)
	fixedLitCode(w, 'a')
	fixedLitCode(w, 257)
	w.putRev(0, 5)
	fixedLitCode(w, 256)
	streams["fixed match"] = w.bytes()
	for _, bad := range []struct {
		name string
		sym  int
		dist int
	}{{"symbol 286", 286, -1}, {"symbol 287", 287, -1}, {"distance code 30", 257, 30}, {"distance code 31", 257, 31}, {"too far back", 257, 1}} {
		w := &bitWriter{}
		w.put(1, 1)
		w.put(1, 2)
		if bad.name != "too far back" {
			fixedLitCode(w, 'a')
		}
		fixedLitCode(w, bad.sym)
		if bad.dist >= 0 {
			w.putRev(uint32(bad.dist), 5)
		}
		fixedLitCode(w, 256)
		streams[bad.name] = w.bytes()
	}
	// Dynamic blocks with hand-picked code lengths.
	dyn := func(litLens map[int]uint8, distLens []uint8, syms func(w *bitWriter)) []byte {
		w := &bitWriter{}
		w.put(1, 1)
		w.put(2, 2)
		lens := make([]uint8, 286+len(distLens))
		for s, l := range litLens {
			lens[s] = l
		}
		copy(lens[286:], distLens)
		w.put(286-257, 5)
		w.put(uint32(len(distLens)-1), 5)
		w.put(19-4, 4)
		// Code length code: every length 0-15 with 4 bits would use 16
		// symbols of 4 bits: complete. 16-18 unused.
		for _, c := range codeOrder {
			if c < 16 {
				w.put(4, 3)
			} else {
				w.put(0, 3)
			}
		}
		for _, l := range lens {
			w.putRev(uint32(l), 4)
		}
		if syms != nil {
			syms(w)
		}
		return w.bytes()
	}
	streams["empty literal code"] = dyn(map[int]uint8{}, []uint8{1}, nil)
	streams["single literal code"] = dyn(map[int]uint8{256: 1}, []uint8{1}, func(w *bitWriter) { w.put(0, 1) })
	streams["single literal code, unused half"] = dyn(map[int]uint8{256: 1}, []uint8{1}, func(w *bitWriter) { w.put(1, 1) })
	streams["incomplete literal code"] = dyn(map[int]uint8{'a': 2, 256: 2}, []uint8{1}, func(w *bitWriter) { w.put(0, 2) })
	streams["over-subscribed literal code"] = dyn(map[int]uint8{'a': 1, 'b': 1, 256: 1}, []uint8{1}, func(w *bitWriter) { w.put(0, 2) })
	streams["empty distance code"] = dyn(map[int]uint8{'a': 1, 256: 1}, []uint8{0}, func(w *bitWriter) { w.put(0, 1); w.put(1, 1) })
	streams["single distance code"] = dyn(map[int]uint8{'a': 2, 257: 2, 256: 1}, []uint8{1}, func(w *bitWriter) {
		w.putRev(2, 2) // a
		w.putRev(3, 2) // length 3
		w.put(0, 1)    // distance 1
		w.put(0, 1)    // end
	})
	streams["long codes"] = dyn(longCodes(), []uint8{1}, func(w *bitWriter) {
		w.putRev(0x7ffe, 15) // n
		w.putRev(0x7fff, 15) // o
		w.putRev(0x7e, 7)    // f
		w.putRev(0x1ffe, 13) // l
		w.putRev(0xffe, 12)  // k
		w.put(0, 1)          // end
	})
	for name, raw := range streams {
		gz := wrapGzip(raw)
		ok := checkAgainstReference(t, f, gz)
		_, err := gunzipReference(gz)
		t.Logf("%s: fast path %v, gzip.Reader error %v", name, ok, err)
		if err == nil && !ok {
			t.Errorf("%s: the fast path refuses what gzip.Reader reads", name)
		}
	}
}

// longCodes returns literal/length code lengths with codes of up to 15
// bits, complete: end of block takes 1 bit, 'a'-'n' 2 to 15 bits, and 'o'
// 15 bits.
func longCodes() map[int]uint8 {
	m := map[int]uint8{256: 1}
	for i := range 14 {
		m['a'+i] = uint8(i + 2)
	}
	m['o'] = 15
	return m
}

type bitWriter struct {
	b []byte
	n uint
}

// put writes the low n bits of v, least significant first.
func (w *bitWriter) put(v uint32, n uint) {
	for i := range n {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

// putRev writes an n-bit Huffman code, most significant bit first.
func (w *bitWriter) putRev(v uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.put(v>>uint(i)&1, 1)
	}
}

func (w *bitWriter) bytes() []byte { return w.b }

// fixedLitCode writes a symbol of the fixed literal/length code.
func fixedLitCode(w *bitWriter, sym int) {
	switch {
	case sym < 144:
		w.putRev(uint32(0x30+sym), 8)
	case sym < 256:
		w.putRev(uint32(0x190+sym-144), 9)
	case sym < 280:
		w.putRev(uint32(sym-256), 7)
	default:
		w.putRev(uint32(0xc0+sym-280), 8)
	}
}

// wrapGzip makes a gzip member of a raw DEFLATE stream, with the CRC and
// size of what klauspost/compress/flate reads from it.
func wrapGzip(raw []byte) []byte {
	out, _ := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	gz := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}
	gz = append(gz, raw...)
	var tr [8]byte
	crc := crc32.ChecksumIEEE(out)
	tr[0], tr[1], tr[2], tr[3] = byte(crc), byte(crc>>8), byte(crc>>16), byte(crc>>24)
	n := uint32(len(out))
	tr[4], tr[5], tr[6], tr[7] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	return append(gz, tr[:]...)
}

// FuzzInflate checks that the fast path never panics and never reads a
// payload otherwise than gzip.Reader.
func FuzzInflate(f *testing.F) {
	for _, doc := range [][]byte{nil, []byte("hello hello hello"), GenerateJSON(5, 1)} {
		for _, level := range []int{-2, 0, 1, 9} {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, level)
			_, _ = zw.Write(doc)
			_ = zw.Close()
			f.Add(buf.Bytes())
		}
	}
	inf := new(inflater)
	f.Fuzz(func(t *testing.T, gz []byte) {
		checkAgainstReference(t, inf, gz)
		// The same stream as raw DEFLATE, wrapped with a matching trailer.
		if len(gz) > 10 {
			checkAgainstReference(t, inf, wrapGzip(gz[10:]))
		}
	})
}
