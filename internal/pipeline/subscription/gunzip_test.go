package subscription

import (
	"bytes"
	stdgzip "compress/gzip"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// gunzipInputs returns documents of different kinds: flow log messages,
// text, random and repetitive bytes, short and long.
func gunzipInputs() [][]byte {
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

// TestGunzipWriters checks that Gunzip reads whatever gzip writers write,
// whether the decoder's buffer starts empty, small or large.
func TestGunzipWriters(t *testing.T) {
	for i, doc := range gunzipInputs() {
		for name, gz := range compressAll(t, doc) {
			for _, start := range []int{0, 1, len(doc) / 3, len(doc) + 1} {
				d := NewDecoder()
				d.doc = make([]byte, 0, start)
				got, err := d.Gunzip(gz)
				if err != nil {
					t.Fatalf("input %d, %s: %v", i, name, err)
				}
				if !bytes.Equal(got, doc) {
					t.Fatalf("input %d, %s: %d bytes differ from the %d written", i, name, len(got), len(doc))
				}
			}
		}
	}
}

// TestGunzipLimit checks the size limit: a payload of exactly the limit is
// read, one byte more is refused, whatever the compression level.
func TestGunzipLimit(t *testing.T) {
	d := NewDecoder()
	for _, doc := range [][]byte{GenerateJSON(300, 5), bytes.Repeat([]byte("x"), 100_000)} {
		for _, level := range []int{0, 1, 9} {
			gz := gzipLevel(t, doc, level)
			d.MaxSize = len(doc)
			if got, err := d.Gunzip(gz); err != nil || !bytes.Equal(got, doc) {
				t.Errorf("level %d, limit %d: %v", level, len(doc), err)
			}
			d.MaxSize = len(doc) - 1
			if _, err := d.Gunzip(gz); !errors.Is(err, ErrTooLarge) {
				t.Errorf("level %d, limit %d: err %v, want ErrTooLarge", level, len(doc)-1, err)
			}
		}
	}
}
