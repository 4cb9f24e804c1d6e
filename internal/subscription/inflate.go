package subscription

import (
	"encoding/binary"
	"hash/crc32"
	"math/bits"
	"sync"
)

// This file is a DEFLATE (RFC 1951) and gzip (RFC 1952) decompressor for a
// payload held whole in memory. Decompressing into the output buffer
// directly, rather than through a 32 KB window as a streaming reader must,
// and refilling its bit buffer eight bytes at a time, it is about twice as
// fast as klauspost/compress/gzip, which remains the reference: the fast
// path accepts a payload only when it is sure that gzip.Reader reads the
// same bytes from it, and otherwise hands it to gzip.Reader, which then
// also says what is wrong with it. So it is as strict as that reader about
// Huffman codes (complete, or a single code of one bit), distances
// (within the member's output), block types and symbols, and it checks every
// member's CRC-32 and size.

// Table sizes: the number of bits that index the main tables, and room for
// the most entries main and sub-tables together can take (zlib's "enough"
// program gives 2342 for 288 symbols at 11 bits, 402 for 32 symbols at 8
// bits), rounded up to a power of two so that masked indexes need no bounds
// checks.
const (
	litTableBits  = 11
	distTableBits = 8
	preTableBits  = 7
	litTableSize  = 4096
	distTableSize = 512
)

type (
	litTable  = [litTableSize]uint32
	distTable = [distTableSize]uint32
)

// A decode table entry:
//
//	bits 0-3   bits to consume: the code's length, or the main table's
//	           bits for a sub-table link
//	bits 4-7   extra bits that follow the code (lengths and distances),
//	           or the bits that index a sub-table
//	bits 8-12  what the entry is; no flag at all is an invalid code
//	bits 16-31 the literal byte, the base length or distance, the symbol
//	           (code length code), or the start of a sub-table
const (
	entryLiteral = 1 << (8 + iota)
	entryLength
	entryEnd
	entryDist
	entryLink
)

// maxMatch is the longest match; slack is room past the output's end for
// a symbol's writes, which inflateFast checks once per symbol rather than
// per byte, and for copies that run over the end of a match: up to 15
// bytes past a long match, 31 past a short one.
const (
	maxMatch = 258
	slack    = maxMatch + 16
)

// Base values and extra bits of length codes 257-285 and distance codes
// 0-29 (RFC 1951, 3.2.5).
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// codeOrder is the order of the code length code lengths (RFC 1951, 3.2.7).
var codeOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

func litEntry(sym int) uint32 {
	switch {
	case sym < 256:
		return entryLiteral | uint32(sym)<<16
	case sym == 256:
		return entryEnd
	case sym < 286:
		return entryLength | uint32(lengthExtra[sym-257])<<4 | uint32(lengthBase[sym-257])<<16
	}
	return 0 // 286 and 287 are never valid
}

func distEntry(sym int) uint32 {
	if sym < 30 {
		return entryDist | uint32(distExtra[sym])<<4 | uint32(distBase[sym])<<16
	}
	return 0 // 30 and 31 are never valid
}

func preEntry(sym int) uint32 { return entryLiteral | uint32(sym)<<16 }

// buildTable fills tab with the decode table of the canonical Huffman code
// of lens. It reports false, as klauspost/compress/flate does, for a code
// that is over-subscribed or incomplete, except for a code of a single
// symbol of one bit; an empty code is accepted and decodes nothing.
func buildTable(tab []uint32, lens []uint8, tableBits uint, entry func(int) uint32) bool {
	var count [16]int
	minLen, maxLen := 0, 0
	for _, l := range lens {
		if l == 0 {
			continue
		}
		count[l]++
		if minLen == 0 || int(l) < minLen {
			minLen = int(l)
		}
		maxLen = max(maxLen, int(l))
	}
	main := tab[:1<<tableBits]
	if maxLen == 0 {
		clear(main)
		return true
	}
	code := 0
	var next [16]int
	for l := minLen; l <= maxLen; l++ {
		code <<= 1
		next[l] = code
		code += count[l]
	}
	if code != 1<<maxLen && (code != 1 || maxLen != 1) {
		return false
	}
	if code != 1<<maxLen {
		clear(main) // the unused half of a one-bit code stays invalid
	}
	// Symbols in canonical order: by length, then by value.
	var offs [16]int
	for l := 2; l < 16; l++ {
		offs[l] = offs[l-1] + count[l-1]
	}
	var sorted [288]uint16
	for s, l := range lens {
		if l != 0 {
			sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}
	n := offs[15]
	left := count // codes not placed yet, by length
	end := len(main)
	curPrefix, subStart, subBits := -1, 0, uint(0)
	for _, s := range sorted[:n] {
		l := uint(lens[s])
		c := next[l]
		next[l]++
		left[l]--
		rev := int(bits.Reverse16(uint16(c)) >> (16 - l))
		e := entry(int(s))
		if l <= tableBits {
			for i := rev; i < len(main); i += 1 << l {
				main[i] = e | uint32(l)
			}
			continue
		}
		prefix := rev & (1<<tableBits - 1)
		if prefix != curPrefix {
			// A new sub-table, wide enough for the codes that share
			// this prefix: grow it while the codes of the next length
			// still fit under the prefix.
			curPrefix, subStart = prefix, end
			subBits = l - tableBits
			room := 1<<subBits - left[l] - 1
			for room > 0 && subBits+tableBits < uint(maxLen) {
				subBits++
				room = room<<1 - left[subBits+tableBits]
			}
			end += 1 << subBits
			main[prefix] = entryLink | uint32(subStart)<<16 | uint32(subBits)<<4 | uint32(tableBits)
		}
		sub := tab[subStart : subStart+1<<subBits]
		for i := rev >> tableBits; i < len(sub); i += 1 << (l - tableBits) {
			sub[i] = e | uint32(l-tableBits)
		}
	}
	return true
}

// Fixed Huffman tables (RFC 1951, 3.2.6).
var (
	fixedOnce sync.Once
	fixedLit  litTable
	fixedDist distTable
)

func initFixed() {
	var lens [288]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	buildTable(fixedLit[:], lens[:], litTableBits, litEntry)
	var dl [32]uint8
	for i := range dl {
		dl[i] = 5
	}
	buildTable(fixedDist[:], dl[:], distTableBits, distEntry)
}

// inflater holds the tables of dynamic Huffman blocks.
type inflater struct {
	lit  litTable
	dist distTable
	pre  [1 << preTableBits]uint32
	lens [286 + 30]uint8
}

// bitReader reads bits least significant first. n is the number of valid
// bits in buf; bits above them may hold the next bytes of the input
// already, in their place. pos is the next byte of in to load; past the end
// of in it counts zero bytes that are not there.
type bitReader struct {
	in  []byte
	pos int
	buf uint64
	n   uint
}

// refill makes at least 56 bits valid. Past the end of the input it loads
// zeros; consumed tells whether they were used.
func (br *bitReader) refill() bool {
	if br.pos+8 <= len(br.in) {
		br.buf |= binary.LittleEndian.Uint64(br.in[br.pos:]) << (br.n & 63)
		br.pos += int(63-br.n) >> 3
		br.n |= 56
		return true
	}
	for br.n <= 56 {
		if br.pos < len(br.in) {
			br.buf |= uint64(br.in[br.pos]) << (br.n & 63)
		} else if br.pos >= len(br.in)+8 {
			return false // far past the end: corrupt
		}
		br.pos++
		br.n += 8
	}
	return true
}

// consumed returns the offset of the first byte of which no bit was used.
func (br *bitReader) consumed() int { return br.pos - int(br.n>>3) }

func (br *bitReader) bits(n uint) uint32 {
	v := uint32(br.buf & (1<<n - 1))
	br.buf >>= n & 63
	br.n -= n
	return v
}

// inflate decompresses the raw DEFLATE stream at the start of in, appending
// to out from len(out), whose capacity must exceed its length by at least
// slack. It returns the output and the length of the stream. ok is false
// when the stream is corrupt or truncated, or the output would exceed limit
// bytes in all.
func (f *inflater) inflate(out, in []byte, limit int) (_ []byte, n int, ok bool) {
	fixedOnce.Do(initFixed)
	br := bitReader{in: in}
	start := len(out)
	o := len(out)
	out = out[:cap(out)]
	for {
		if !br.refill() {
			return nil, 0, false
		}
		final := br.bits(1)
		var lit *litTable
		var dist *distTable
		switch br.bits(2) {
		case 0:
			// Stored: byte-aligned LEN, NLEN and LEN bytes.
			br.bits(br.n & 7)
			p := br.consumed()
			if p+4 > len(in) {
				return nil, 0, false
			}
			size := int(binary.LittleEndian.Uint16(in[p:]))
			if uint16(size) != ^binary.LittleEndian.Uint16(in[p+2:]) || p+4+size > len(in) {
				return nil, 0, false
			}
			if o+size+slack > len(out) {
				if out, ok = grow(out, o, size, limit); !ok {
					return nil, 0, false
				}
			}
			copy(out[o:], in[p+4:p+4+size])
			o += size
			br = bitReader{in: in, pos: p + 4 + size}
			if final == 1 {
				return out[:o], br.pos, true
			}
			continue
		case 1:
			lit, dist = &fixedLit, &fixedDist
		case 2:
			if !f.readTables(&br) {
				return nil, 0, false
			}
			lit, dist = &f.lit, &f.dist
		default:
			return nil, 0, false
		}
		if out, o, ok = inflateBlock(&br, out, o, start, lit, dist, limit); !ok {
			return nil, 0, false
		}
		if final == 1 {
			if p := br.consumed(); p <= len(in) {
				return out[:o], p, true
			}
			return nil, 0, false
		}
	}
}

// grow returns out with room for n more bytes and slack after o, keeping
// out[:o]; it fails when that would take the output past the limit.
func grow(out []byte, o, n, limit int) ([]byte, bool) {
	if o+n > limit {
		return nil, false
	}
	size := min(max(2*len(out), 64<<10), limit+slack)
	size = max(size, o+n+slack)
	bigger := make([]byte, size)
	copy(bigger, out[:o])
	return bigger, true
}

// readTables reads the code lengths of a dynamic block and builds its
// tables.
func (f *inflater) readTables(br *bitReader) bool {
	if !br.refill() {
		return false
	}
	nlit := int(br.bits(5)) + 257
	ndist := int(br.bits(5)) + 1
	nclen := int(br.bits(4)) + 4
	if nlit > 286 || ndist > 30 {
		return false
	}
	var clens [19]uint8
	for i := range nclen {
		if br.n < 3 && !br.refill() {
			return false
		}
		clens[codeOrder[i]] = uint8(br.bits(3))
	}
	if !buildTable(f.pre[:], clens[:], preTableBits, preEntry) {
		return false
	}
	lens := f.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		if br.n < 7+7 && !br.refill() {
			return false
		}
		e := f.pre[br.buf&(1<<preTableBits-1)]
		if e == 0 {
			return false
		}
		br.bits(uint(e & 15))
		sym := int(e >> 16)
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var v uint8
		switch sym {
		case 16:
			if i == 0 {
				return false
			}
			rep, v = 3+int(br.bits(2)), lens[i-1]
		case 17:
			rep = 3 + int(br.bits(3))
		default:
			rep = 11 + int(br.bits(7))
		}
		if i+rep > len(lens) {
			return false
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	return buildTable(f.lit[:], lens[:nlit], litTableBits, litEntry) &&
		buildTable(f.dist[:], lens[nlit:], distTableBits, distEntry)
}

// inflateBlock decodes the symbols of a Huffman block up to its end code.
// start is where the member's output begins: no distance reaches before it.
func inflateBlock(br *bitReader, out []byte, o, start int, lit *litTable, dist *distTable, limit int) ([]byte, int, bool) {
	for {
		var st blockStatus
		if o, st = inflateFast(br, out, o, start, lit, dist); st != blockMore {
			return out, o, st == blockEnd
		}
		if br.pos+8 > len(br.in) {
			// Near the end of the input: the last few symbols.
			return inflateTail(br, out, o, start, lit, dist, limit)
		}
		var ok bool
		if out, ok = grow(out, o, 0, limit); !ok {
			return nil, 0, false
		}
	}
}

type blockStatus uint8

const (
	blockEnd     blockStatus = iota // the end code
	blockCorrupt                    // an invalid code or distance
	blockMore                       // out of input to load or of room in out
)

// inflateFast decodes symbols while 8 bytes of input remain to load and out
// has slack room after o.
//
// Each symbol is decoded with o+slack <= len(out), and its writes go
// through a view of the slack bytes at o: a match (maxMatch bytes, plus 15
// of a 16-byte copy, or 32 bytes for a shorter one) or three literals fit
// in it, so that the compiler checks the view's bounds once rather than
// every write's.
//
// The table entry of the next symbol is looked up before a match is
// copied, so that the lookup need not wait for the copy loop to end.
func inflateFast(br *bitReader, out []byte, o, start int, lit *litTable, dist *distTable) (int, blockStatus) {
	const litMask = 1<<litTableBits - 1
	const distMask = 1<<distTableBits - 1
	// Locals, so that the compiler keeps them in registers.
	in, pos, buf, n := br.in, br.pos, br.buf, br.n
	oEnd := len(out) - slack
	if pos+8 > len(in) || o > oEnd {
		return o, blockMore
	}
	// At least 56 bits after each refill: enough for a length code with
	// its extra bits and a distance code with its extra bits (15+5+15+13).
	buf |= binary.LittleEndian.Uint64(in[pos:]) << (n & 63)
	pos += int(63-n) >> 3
	n |= 56
	e := lit[buf&litMask]
	for {
		if e&entryLiteral != 0 {
			w := (*[3]byte)(out[o:])
			buf >>= e & 15
			n -= uint(e & 15)
			w[0] = byte(e >> 16)
			o++
			// Literals of the main table take at most 11 bits, so two
			// more fit in the 45 bits left.
			e = lit[buf&litMask]
			if e&entryLiteral != 0 {
				buf >>= e & 15
				n -= uint(e & 15)
				w[1] = byte(e >> 16)
				o++
				e = lit[buf&litMask]
				if e&entryLiteral != 0 {
					buf >>= e & 15
					n -= uint(e & 15)
					w[2] = byte(e >> 16)
					o++
				}
			}
		} else {
			if e&entryLink != 0 {
				buf >>= litTableBits
				n -= litTableBits
				e = lit[(e>>16+uint32(buf)&(1<<(e>>4&15)-1))&(litTableSize-1)]
			}
			buf >>= e & 15
			n -= uint(e & 15)
			if e&entryLiteral != 0 {
				out[o] = byte(e >> 16)
				o++
			} else {
				if e&entryLength == 0 {
					br.pos, br.buf, br.n = pos, buf, n
					if e&entryEnd != 0 {
						return o, blockEnd
					}
					return o, blockCorrupt
				}
				x := e >> 4 & 15
				// No more than maxMatch, which the table's lengths
				// never exceed: the bound spares the copy loops below
				// some of their bounds checks.
				length := min(int(e>>16)+int(buf&(1<<x-1)), maxMatch)
				buf >>= x
				n -= uint(x)

				e = dist[buf&distMask]
				if e&entryLink != 0 {
					buf >>= distTableBits
					n -= distTableBits
					e = dist[(e>>16+uint32(buf)&(1<<(e>>4&15)-1))&(distTableSize-1)]
				}
				buf >>= e & 15
				n -= uint(e & 15)
				x = e >> 4 & 15
				d := int(e>>16) + int(buf&(1<<x-1))
				buf >>= x
				n -= uint(x)
				if e&entryDist == 0 || d > o-start {
					br.pos, br.buf, br.n = pos, buf, n
					return o, blockCorrupt
				}
				// The source may run into the destination: both are
				// views of out, each maxMatch+16 bytes long.
				dst := (*[slack]byte)(out[o:])
				src := (*[slack]byte)(out[o-d:])
				o += length
				more := pos+8 <= len(in) && o <= oEnd
				if more {
					buf |= binary.LittleEndian.Uint64(in[pos:]) << (n & 63)
					pos += int(63-n) >> 3
					n |= 56
					e = lit[buf&litMask]
				}
				switch {
				case d >= 16:
					// Each 16 bytes read were written before: the
					// copy may run over the end of the match (by up
					// to 31 bytes for the shortest), not over its
					// source. Most matches are done in two moves.
					*(*[16]byte)(dst[0:]) = *(*[16]byte)(src[0:])
					*(*[16]byte)(dst[16:]) = *(*[16]byte)(src[16:])
					for k := 32; k < length; k += 16 {
						*(*[16]byte)(dst[k:]) = *(*[16]byte)(src[k:])
					}
				case d >= 8:
					for k := 0; k < length; k += 8 {
						binary.LittleEndian.PutUint64(dst[k:], binary.LittleEndian.Uint64(src[k:]))
					}
				case d == 1:
					v := uint64(src[0]) * 0x0101010101010101
					for k := 0; k < length; k += 8 {
						binary.LittleEndian.PutUint64(dst[k:], v)
					}
				default:
					for k := range length {
						dst[k] = src[k]
					}
				}
				if !more {
					break
				}
				continue
			}
		}
		if pos+8 > len(in) || o > oEnd {
			break
		}
		buf |= binary.LittleEndian.Uint64(in[pos:]) << (n & 63)
		pos += int(63-n) >> 3
		n |= 56
		e = lit[buf&litMask]
	}
	br.pos, br.buf, br.n = pos, buf, n
	return o, blockMore
}

// inflateTail decodes the symbols of a block near the end of the input,
// where the bit reader may load zeros that are not there, with every check.
func inflateTail(br *bitReader, out []byte, o, start int, lit *litTable, dist *distTable, limit int) ([]byte, int, bool) {
	for {
		if !br.refill() {
			return nil, 0, false
		}
		if o+slack > len(out) {
			var ok bool
			if out, ok = grow(out, o, 0, limit); !ok {
				return nil, 0, false
			}
		}
		e := lit[br.buf&(1<<litTableBits-1)]
		if e&entryLink != 0 {
			br.bits(litTableBits)
			e = lit[(e>>16+uint32(br.buf)&(1<<(e>>4&15)-1))&(litTableSize-1)]
		}
		br.bits(uint(e & 15))
		if e&entryLiteral != 0 {
			out[o] = byte(e >> 16)
			o++
			continue
		}
		if e&entryLength == 0 {
			return out, o, e&entryEnd != 0
		}
		length := int(e>>16) + int(br.bits(uint(e>>4&15)))
		e = dist[br.buf&(1<<distTableBits-1)]
		if e&entryLink != 0 {
			br.bits(distTableBits)
			e = dist[(e>>16+uint32(br.buf)&(1<<(e>>4&15)-1))&(distTableSize-1)]
		}
		br.bits(uint(e & 15))
		d := int(e>>16) + int(br.bits(uint(e>>4&15)))
		if e&entryDist == 0 || d > o-start {
			return nil, 0, false
		}
		for k := range length {
			out[o+k] = out[o-d+k]
		}
		o += length
	}
}

// gunzip decompresses every member of a gzip payload into out, which it
// may replace with a bigger buffer. ok is false unless the payload is a
// series of complete, valid members that gzip.Reader would read alike, the
// whole output no more than limit bytes.
func (f *inflater) gunzip(out, gz []byte, limit int) (_ []byte, ok bool) {
	out = out[:0]
	for p := 0; p < len(gz); {
		h, ok := gzipHeader(gz[p:])
		if !ok {
			return nil, false
		}
		p += h
		start := len(out)
		if cap(out)-start < slack {
			if out, ok = grow(out[:cap(out)], start, 0, limit); !ok {
				return nil, false
			}
			out = out[:start]
		}
		var n int
		if out, n, ok = f.inflate(out, gz[p:], limit); !ok {
			return nil, false
		}
		p += n
		if p+8 > len(gz) || len(out) > limit {
			return nil, false
		}
		if binary.LittleEndian.Uint32(gz[p:]) != crc32.ChecksumIEEE(out[start:]) ||
			binary.LittleEndian.Uint32(gz[p+4:]) != uint32(len(out)-start) {
			return nil, false
		}
		p += 8
	}
	return out, len(gz) > 0
}

// gzipHeader returns the length of the gzip member header at the start of
// b, or false for a header the fast path leaves to gzip.Reader: anything
// invalid, and a header CRC.
func gzipHeader(b []byte) (int, bool) {
	const (
		flagExtra   = 1 << 2
		flagName    = 1 << 3
		flagComment = 1 << 4
		flagHdrCRC  = 1 << 1
	)
	if len(b) < 10 || b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 {
		return 0, false
	}
	flg := b[3]
	if flg&^(flagExtra|flagName|flagComment|1) != 0 { // FTEXT (1) is a hint
		return 0, false
	}
	p := 10
	if flg&flagExtra != 0 {
		if p+2 > len(b) {
			return 0, false
		}
		p += 2 + int(binary.LittleEndian.Uint16(b[p:]))
		if p > len(b) {
			return 0, false
		}
	}
	for _, f := range []byte{flagName, flagComment} {
		if flg&f == 0 {
			continue
		}
		// gzip.Reader reads at most 512 bytes with the NUL.
		i := 0
		for ; p+i < len(b) && b[p+i] != 0; i++ {
		}
		if p+i >= len(b) || i >= 512 {
			return 0, false
		}
		p += i + 1
	}
	return p, true
}
