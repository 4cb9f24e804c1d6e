package flowrecord

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// benchLines returns n varied default-format lines: mostly IPv4 TCP and UDP
// flows, some IPv6, rejects, and NODATA records.
func benchLines(n int, custom bool) [][]byte {
	rng := rand.New(rand.NewPCG(7, 11))
	lines := make([][]byte, n)
	for i := range lines {
		var b []byte
		account := strconv.FormatUint(100000000000+rng.Uint64N(900000000000), 10)
		eni := "eni-" + strconv.FormatUint(rng.Uint64()|1<<63, 16)[:16] + "a"
		var src, dst netip.Addr
		if rng.IntN(10) == 0 {
			var a, c [16]byte
			a[0], a[1], c[0], c[1] = 0x20, 0x01, 0x20, 0x01
			for j := 2; j < 16; j++ {
				a[j], c[j] = byte(rng.Uint32()), byte(rng.Uint32())
			}
			src, dst = netip.AddrFrom16(a), netip.AddrFrom16(c)
		} else {
			src = netip.AddrFrom4([4]byte{10, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
			dst = netip.AddrFrom4([4]byte{byte(rng.IntN(223) + 1), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
		}
		start := 1700000000 + rng.Int64N(10000000)
		end := start + rng.Int64N(600)
		if custom {
			b = append(b, "5 "...)
		} else {
			b = append(b, "2 "...)
		}
		b = append(b, account...)
		b = append(b, ' ')
		b = append(b, eni...)
		if rng.IntN(50) == 0 {
			b = append(b, " - - - - - - - "...)
			b = strconv.AppendInt(b, start, 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, end, 10)
			b = append(b, " - NODATA"...)
		} else {
			b = append(b, ' ')
			b = src.AppendTo(b)
			b = append(b, ' ')
			b = dst.AppendTo(b)
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(rng.IntN(65536)), 10)
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64([]int{443, 80, 22, 53, 3306, 5432}[rng.IntN(6)]), 10)
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64([]int{6, 6, 6, 17, 1}[rng.IntN(5)]), 10)
			packets := 1 + rng.Uint64N(5000)
			b = append(b, ' ')
			b = strconv.AppendUint(b, packets, 10)
			b = append(b, ' ')
			b = strconv.AppendUint(b, packets*(40+rng.Uint64N(1460)), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, start, 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, end, 10)
			if rng.IntN(5) == 0 {
				b = append(b, " REJECT OK"...)
			} else {
				b = append(b, " ACCEPT OK"...)
			}
		}
		if custom {
			b = append(b, " vpc-0a1b2c3d4e5f60718 subnet-0a1b2c3d4e5f60718 i-0c50d5961bcb2d47b "...)
			b = strconv.AppendUint(b, uint64([]int{2, 3, 18, 19, 1}[rng.IntN(5)]), 10)
			b = append(b, " IPv4 - - us-east-1 use1-az1 - - "...)
			b = append(b, []string{"- -", "S3 -", "- DYNAMODB"}[rng.IntN(3)]...)
			b = append(b, []string{" ingress -", " egress 1", " egress 8"}[rng.IntN(3)]...)
		}
		lines[i] = b
	}
	return lines
}

// customV5 is the default fields followed by the version 3 to 5 fields.
const customV5 = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} " +
	"${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${sublocation-type} ${sublocation-id} " +
	"${pkt-src-aws-service} ${pkt-dst-aws-service} ${flow-direction} ${traffic-path}"

func benchmarkParse(b *testing.B, f Format, lines [][]byte) {
	p := NewParser(f)
	var r Record
	for _, l := range lines {
		if err := p.Parse(l, &r); err != nil {
			b.Fatalf("Parse(%q): %v", l, err)
		}
	}
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	b.SetBytes(size / int64(len(lines)))
	b.ReportAllocs()
	cpu := cputime.Process()
	i := 0
	for b.Loop() {
		if err := p.Parse(lines[i], &r); err != nil {
			b.Fatal(err)
		}
		i++
		if i == len(lines) {
			i = 0
		}
	}
	cputime.ReportRecords(b, float64(b.N), cpu)
}

func BenchmarkParseDefault(b *testing.B) {
	benchmarkParse(b, DefaultFormat, benchLines(4096, false))
}

func BenchmarkParseCustomV5(b *testing.B) {
	f, err := ParseFormat(customV5)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkParse(b, f, benchLines(4096, true))
}

func BenchmarkAppendJSON(b *testing.B) {
	lines := benchLines(4096, false)
	p := NewParser(DefaultFormat)
	recs := make([]Record, len(lines))
	for i, l := range lines {
		if err := p.Parse(l, &recs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	var buf []byte
	i := 0
	cpu := cputime.Process()
	for b.Loop() {
		buf = recs[i].AppendJSON(buf[:0])
		i++
		if i == len(recs) {
			i = 0
		}
	}
	cputime.ReportRecords(b, float64(b.N), cpu)
}
