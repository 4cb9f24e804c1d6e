package subscription

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"strconv"

	"github.com/klauspost/compress/gzip"
)

// GeneratePayload returns a gzip subscription payload, as Kinesis delivers
// it, holding a DATA_MESSAGE of nRecords default-format flow log records
// from one network interface. The same seed gives the same payload. Traffic
// is varied the way real flow logs are: mostly TCP to a few well-known
// ports, some UDP, ICMP and IPv6, a fifth rejected, and a few NODATA
// records.
func GeneratePayload(nRecords int, seed int64) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	_, _ = zw.Write(GenerateJSON(nRecords, seed))
	_ = zw.Close()
	return buf.Bytes()
}

// GenerateJSON returns the decompressed message of GeneratePayload.
func GenerateJSON(nRecords int, seed int64) []byte {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	account := strconv.FormatUint(100000000000+rng.Uint64N(900000000000), 10)
	eni := "eni-0" + strconv.FormatUint(1<<63|rng.Uint64(), 16)
	local := netip.AddrFrom4([4]byte{10, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(1 + rng.IntN(254))})
	local6 := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, byte(rng.IntN(256)), 1, 0, 0, 0, 0, 0, 0, 0, byte(1 + rng.IntN(254))})
	start := int64(1_700_000_000 + rng.IntN(50_000_000))
	// Event IDs are 56-digit decimal strings that grow within a batch.
	idPrefix := strconv.FormatUint(1e17+rng.Uint64N(9e17), 10) + strconv.FormatUint(1e17+rng.Uint64N(9e17), 10)
	idSeq := rng.Uint64N(1e15)

	b := make([]byte, 0, 180*nRecords+512)
	b = append(b, `{"messageType":"DATA_MESSAGE","owner":"`...)
	b = append(b, account...)
	b = append(b, `","logGroup":"/vpcflow/flow-logs","logStream":"`...)
	b = append(b, eni...)
	b = append(b, `-all","subscriptionFilters":["vpcflow-enrich"],"logEvents":[`...)
	ports := []uint64{443, 443, 443, 80, 22, 53, 3306, 5432, 6379, 8080}
	for i := range nRecords {
		if i > 0 {
			b = append(b, ',')
		}
		t := start + int64(i/50)
		b = append(b, `{"id":"`...)
		b = append(b, idPrefix...)
		b = strconv.AppendUint(b, 1e19+idSeq+uint64(i), 10)
		b = append(b, `","timestamp":`...)
		b = strconv.AppendInt(b, t*1000+int64(rng.IntN(1000)), 10)
		b = append(b, `,"message":"2 `...)
		b = append(b, account...)
		b = append(b, ' ')
		b = append(b, eni...)
		end := t + int64(rng.IntN(60))
		if rng.IntN(100) == 0 {
			b = append(b, " - - - - - - - "...)
			b = strconv.AppendInt(b, t, 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, end, 10)
			b = append(b, " - NODATA\"}"...)
			continue
		}
		var remote, self netip.Addr
		if rng.IntN(10) == 0 {
			self = local6
			remote = netip.AddrFrom16([16]byte{0x26, 0x06, 0x47, 0x00, byte(rng.IntN(256)), byte(rng.IntN(256)), 0, 0, 0, 0, 0, 0, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
		} else {
			self = local
			remote = netip.AddrFrom4([4]byte{byte(1 + rng.IntN(222)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
		}
		proto := []uint64{6, 6, 6, 6, 17, 17, 1}[rng.IntN(7)]
		svc, eph := ports[rng.IntN(len(ports))], uint64(32768+rng.IntN(28232))
		if proto == 1 {
			svc, eph = 0, 0
		}
		src, dst, sport, dport := remote, self, eph, svc
		if rng.IntN(2) == 0 {
			src, dst, sport, dport = self, remote, eph, svc
		}
		packets := 1 + rng.Uint64N(200)
		b = append(b, ' ')
		b = src.AppendTo(b)
		b = append(b, ' ')
		b = dst.AppendTo(b)
		b = append(b, ' ')
		b = strconv.AppendUint(b, sport, 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, dport, 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, proto, 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, packets, 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, packets*(40+rng.Uint64N(1460)), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, t, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, end, 10)
		if rng.IntN(5) == 0 {
			b = append(b, " REJECT OK\"}"...)
		} else {
			b = append(b, " ACCEPT OK\"}"...)
		}
	}
	return append(b, "]}"...)
}
