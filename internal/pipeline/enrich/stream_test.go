package enrich

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

// makePayload returns a gzip subscription payload of the given messages.
func makePayload(tb testing.TB, messageType string, messages ...string) []byte {
	tb.Helper()
	type event struct {
		ID        string `json:"id"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	doc := map[string]any{
		"messageType": messageType, "owner": "111122223333", "logGroup": "/vpcflow/flow-logs",
		"logStream": "eni-0a1b2c3d4e5f60718-all", "subscriptionFilters": []string{"vpcflow-enrich"},
	}
	var events []event
	for i, m := range messages {
		events = append(events, event{ID: strconv.Itoa(1000 + i), Timestamp: 1418530010000, Message: m})
	}
	doc["logEvents"] = events
	raw, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	return buf.Bytes()
}

const (
	goodLine = "2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.10 10.0.2.20 49152 8080 6 10 5000 1418530010 1418530070 ACCEPT OK"
	badLine  = "2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.10 nope 49152 8080 6 10 5000 1418530010 1418530070 ACCEPT OK"
)

func TestReadSubscription(t *testing.T) {
	good := makePayload(t, "DATA_MESSAGE", goodLine, badLine, goodLine)
	control := makePayload(t, "CONTROL_MESSAGE", "CWL CONTROL MESSAGE: Checking health of destination Firehose.")
	b64 := base64.StdEncoding.EncodeToString(good)
	lambdaEvent := `{"awslogs":{"data":"` + b64 + `"}}`
	tests := []struct {
		name         string
		input        []byte
		wantRead     int
		wantRejected []string
	}{
		{
			name:         "gzip payload",
			input:        good,
			wantRead:     3,
			wantRejected: []string{`line 1 event 2: field 5 (dstaddr) at byte 47: not an IP address: "nope"`},
		},
		{
			name:     "base64 lines and a Lambda event",
			input:    []byte(b64 + "\n\n" + lambdaEvent + "\r\n" + b64),
			wantRead: 9,
			wantRejected: []string{
				`line 1 event 2: field 5 (dstaddr) at byte 47: not an IP address: "nope"`,
				`line 3 event 2: field 5 (dstaddr) at byte 47: not an IP address: "nope"`,
				`line 4 event 2: field 5 (dstaddr) at byte 47: not an IP address: "nope"`,
			},
		},
		{
			name:     "control message",
			input:    []byte(base64.StdEncoding.EncodeToString(control) + "\n"),
			wantRead: 0,
		},
		{
			name:     "undecodable payloads are rejected whole",
			input:    []byte("not base64!\n" + base64.StdEncoding.EncodeToString(good[:len(good)/2]) + "\n{\"awslogs\":{}}\n{\"awslogs\":\n" + b64 + "\n"),
			wantRead: 7,
			wantRejected: []string{
				"line 1: decoding subscription payload base64: illegal base64 data at input byte 3",
				"line 2: decompressing subscription payload: unexpected EOF",
				"line 3: no awslogs.data in the Lambda CloudWatch Logs event",
				"line 4: decoding Lambda CloudWatch Logs event: unexpected end of JSON input",
				`line 5 event 2: field 5 (dstaddr) at byte 47: not an IP address: "nope"`,
			},
		},
	}
	inv := fixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := enrichWith(t, inv, Options{}, formatNDJSON, func(e *Enricher) error {
				return e.ReadSubscription(bytes.NewReader(tt.input))
			})
			s := res.stats
			if s.Read != tt.wantRead {
				t.Errorf("read %d, want %d", s.Read, tt.wantRead)
			}
			if strings.Join(res.rejects, "\n") != strings.Join(tt.wantRejected, "\n") {
				t.Errorf("rejections:\n%s\nwant:\n%s", strings.Join(res.rejects, "\n"), strings.Join(tt.wantRejected, "\n"))
			}
			if s.Read != s.Written+s.Rejected {
				t.Errorf("read %d != written %d + rejected %d", s.Read, s.Written, s.Rejected)
			}
			if got := sumRecords(t, res.rows); got != s.Written {
				t.Errorf("rows hold %d records, want %d", got, s.Written)
			}
		})
	}
}

// TestConservation feeds generated payloads, whole and damaged, and checks
// that every record read is accounted for in the rows or the rejections.
func TestConservation(t *testing.T) {
	inv := fixture(t)
	for _, internetAddrs := range []bool{false, true} {
		for _, f := range []format{formatNDJSON, formatParquet} {
			t.Run(map[bool]string{false: "internet", true: "internet-addrs"}[internetAddrs]+map[format]string{formatNDJSON: "/ndjson", formatParquet: "/parquet"}[f], func(t *testing.T) {
				events, broken := 0, 0
				res := enrichWith(t, inv, Options{InternetAddrs: internetAddrs, MaxKeys: 500}, f, func(e *Enricher) error {
					for seed := range int64(8) {
						n := 500 + int(seed)*250
						gz := subscription.GeneratePayload(n, seed)
						if seed%3 == 2 {
							// Damage the message text: some records no
							// longer parse.
							raw, err := subscription.NewDecoder().Gunzip(gz)
							if err != nil {
								return err
							}
							raw = bytes.ReplaceAll(raw, []byte(" 6 "), []byte(" six "))
							var buf bytes.Buffer
							zw := gzip.NewWriter(&buf)
							zw.Write(raw)
							zw.Close()
							gz = buf.Bytes()
						}
						events += n
						if err := e.PayloadBase64(int(seed)+1, base64.StdEncoding.EncodeToString(gz)); err != nil {
							return err
						}
						// A truncated payload is one record read and
						// rejected.
						broken++
						if err := e.Payload(100+int(seed), gz[:len(gz)-9]); err != nil {
							return err
						}
					}
					return nil
				})
				s := res.stats
				if s.Read != events+broken {
					t.Errorf("read %d, want %d events + %d broken payloads", s.Read, events, broken)
				}
				if s.Read != s.Written+s.Rejected {
					t.Errorf("read %d != written %d + rejected %d", s.Read, s.Written, s.Rejected)
				}
				if s.Rejected <= broken {
					t.Errorf("rejected %d: the damaged records were not rejected", s.Rejected)
				}
				if got := sumRecords(t, res.rows); got != s.Written {
					t.Errorf("rows hold %d records, want written = %d", got, s.Written)
				}
				if s.Folded+s.NoData+s.SkipData != s.Written {
					t.Errorf("folded %d + nodata %d + skipdata %d != written %d", s.Folded, s.NoData, s.SkipData, s.Written)
				}
				if s.EarlyFlushes == 0 && internetAddrs {
					t.Errorf("MaxKeys 500 never forced an early flush")
				}
			})
		}
	}
}

// countLines counts lines the way flowrecord.Reader splits them.
func countLines(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// FuzzEnrichLines checks the line path end to end: whatever the input, no
// panic, and every line is a header, a record written or a rejection.
func FuzzEnrichLines(f *testing.F) {
	for _, s := range []string{
		goodLine + "\n" + badLine + "\n",
		"version srcaddr dstaddr srcport dstport protocol bytes start end action log-status\n2 1.2.3.4 5.6.7.8 1 2 6 10 0 0 ACCEPT OK\n",
		"\n\n\r\n",
		"2 111122223333 eni-0c3d4e5f60718293a - - - - - - - 1418530010 1418530070 - NODATA",
		// The limits: counters whose sum passes 2^64, counters past 2^63-1,
		// the latest time, times past it, end before start.
		strings.Repeat("2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.10 10.0.2.20 49152 8080 6 9223372036854775807 9223372036854775807 1418530010 1418530070 ACCEPT OK\n", 3),
		"2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.10 10.0.2.20 49152 8080 6 10 18446744073709551615 1418530010 1418530070 ACCEPT OK\n" +
			"2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.10 10.0.2.20 49152 8080 6 10 9223372036854775808 1418530010 1418530070 ACCEPT OK\n",
		"2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.10 10.0.2.20 49152 8080 6 10 100 9223372036 9223372036 ACCEPT OK\n" +
			"2 111122223333 eni-0c3d4e5f60718293a - - - - - - - 253402300800 253402300800 - NODATA\n" +
			"2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.10 10.0.2.20 49152 8080 6 10 100 1418530070 1418530010 ACCEPT OK\n",
	} {
		f.Add([]byte(s))
	}
	inv := fixture(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var rejects int
		e, err := New(inv, discardRows{}, Options{Reject: func(Rejection) { rejects++ }, MaxKeys: 4})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ReadLines(bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		s := e.Stats()
		if got := s.Read + s.Headers; got != countLines(data) {
			t.Errorf("read %d + headers %d != %d lines", s.Read, s.Headers, countLines(data))
		}
		if s.Read != s.Written+s.Rejected || rejects != s.Rejected {
			t.Errorf("read %d, written %d, rejected %d, rejections reported %d", s.Read, s.Written, s.Rejected, rejects)
		}
		if s.Rows > s.Written {
			t.Errorf("%d rows for %d records", s.Rows, s.Written)
		}
	})
}

// discardRows is a connrows.Writer that checks rows are well formed and
// drops them.
type discardRows struct{}

func (discardRows) Write(r *connrows.Row) error {
	if r.Records <= 0 || (r.LogStatus == connrows.LogStatusOK) != (r.Client != nil && r.Server != nil) {
		return errors.New("malformed row")
	}
	if r.Uploaded < 0 || r.Downloaded < 0 || r.UploadedPackets < 0 || r.DownloadedPackets < 0 || r.Duplicates < 0 {
		return errors.New("negative count")
	}
	latest := time.Unix(flowrecord.MaxTime, 0)
	for _, tm := range []time.Time{r.Start, r.End, r.Window} {
		if tm.Unix() < 0 || tm.After(latest) {
			return errors.New("time out of range: " + tm.String())
		}
	}
	if r.End.Before(r.Start) || r.Start.Before(r.Window) {
		return errors.New("end before start, or start before its window")
	}
	return nil
}

func (discardRows) Close() error { return nil }

var streamRecords = flag.Int("stream-records", 10_000_000, "records TestBoundedMemory streams")

// lineStream generates default-format flow log lines on the fly: web-1
// talking to many internet peers and internal addresses on many ports, log
// time advancing one second per 2000 records.
type lineStream struct {
	rng  *rand.Rand
	left int
	i    int
	buf  []byte
	off  int
}

func newLineStream(n int, seed uint64) *lineStream {
	return &lineStream{rng: rand.New(rand.NewPCG(seed, 1)), left: n}
}

func (s *lineStream) Read(p []byte) (int, error) {
	for s.off == len(s.buf) {
		if s.left == 0 {
			return 0, io.EOF
		}
		s.buf, s.off = s.buf[:0], 0
		for range min(s.left, 1000) {
			s.buf = s.appendLine(s.buf)
			s.left--
		}
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	return n, nil
}

func (s *lineStream) appendLine(b []byte) []byte {
	r := s.rng
	s.i++
	t := int64(1418530010 + s.i/2000)
	var peer netip.Addr
	if r.IntN(4) == 0 {
		peer = netip.AddrFrom4([4]byte{10, 0, byte(r.IntN(4)), byte(r.IntN(256))})
	} else {
		peer = netip.AddrFrom4([4]byte{byte(1 + r.IntN(222)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
	}
	svc := []int{22, 80, 443, 3306, 5432, 6379, 8080}[r.IntN(7)]
	eph := 32768 + r.IntN(28000)
	src, dst, sport, dport := "10.0.1.10", peer.String(), eph, svc
	if r.IntN(2) == 0 {
		src, dst, sport, dport = dst, src, svc, eph
	}
	b = append(b, "2 111122223333 eni-0a1b2c3d4e5f60718 "...)
	b = append(b, src...)
	b = append(b, ' ')
	b = append(b, dst...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(sport), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(dport), 10)
	b = append(b, " 6 "...)
	b = strconv.AppendInt(b, int64(1+r.IntN(100)), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(40+r.IntN(100000)), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, t, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, t+int64(r.IntN(60)), 10)
	return append(b, " ACCEPT OK\n"...)
}

// peakHeap samples the heap as records go by.
type peakHeap struct {
	inuse, sys uint64
}

func (p *peakHeap) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.inuse = max(p.inuse, ms.HeapInuse)
	p.sys = max(p.sys, ms.Sys)
}

// sampler is a connrows.Writer that samples the heap every so many rows
// and drops them.
type sampler struct {
	peak *peakHeap
	rows int
}

func (s *sampler) Write(*connrows.Row) error {
	s.rows++
	if s.rows%5000 == 0 {
		s.peak.sample()
	}
	return nil
}

func (s *sampler) Close() error { return nil }

// TestBoundedMemory enriches a long generated stream, every internet
// address its own endpoint so that identities and keys keep coming, and
// checks that the heap stays bounded by MaxKeys rather than growing with the
// stream. -stream-records sets the length; -short skips it.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams ten million records")
	}
	inv := fixture(t)
	const maxKeys = 100_000
	var first, second peakHeap
	peak := &first
	out := &sampler{peak: peak}
	e, err := New(inv, out, Options{InternetAddrs: true, MaxKeys: maxKeys})
	if err != nil {
		t.Fatal(err)
	}
	n := *streamRecords
	stream := newLineStream(n, 1)
	half := &halfway{r: stream, at: n / 2, onHalf: func() { out.peak = &second }}
	if err := e.ReadLines(half); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	first.sample()
	second.sample()
	s := e.Stats()
	if s.Read != n || s.Written != n {
		t.Fatalf("read %d written %d, want %d", s.Read, s.Written, n)
	}
	t.Logf("%d records, %d rows, %d early flushes, peak %d open keys; peak HeapInuse %.1f MiB (first half %.1f MiB), peak Sys %.1f MiB",
		n, s.Rows, s.EarlyFlushes, s.PeakKeys, mib(max(first.inuse, second.inuse)), mib(first.inuse), mib(max(first.sys, second.sys)))
	if s.PeakKeys > maxKeys+1 {
		t.Errorf("peak open keys %d exceed MaxKeys %d", s.PeakKeys, maxKeys)
	}
	const limit = 256 << 20
	if max(first.inuse, second.inuse) > limit {
		t.Errorf("peak HeapInuse %.1f MiB exceeds %.0f MiB", mib(max(first.inuse, second.inuse)), mib(limit))
	}
	// Bounded, not growing: the second half of the stream needs no more
	// heap than the first, give or take the collector's slack.
	if second.inuse > first.inuse*3/2+8<<20 {
		t.Errorf("heap grew from %.1f MiB in the first half to %.1f MiB in the second", mib(first.inuse), mib(second.inuse))
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// halfway calls onHalf once the reader has produced about at records.
type halfway struct {
	r      *lineStream
	at     int
	onHalf func()
	done   bool
}

func (h *halfway) Read(p []byte) (int, error) {
	if !h.done && h.r.i >= h.at {
		h.done = true
		h.onHalf()
	}
	return h.r.Read(p)
}
