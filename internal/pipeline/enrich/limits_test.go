package enrich

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
)

// TestLimits runs records at and past the limits rows can carry through the
// pipeline: values past them are rejected with the parser's reason and
// counted, sums that would overflow saturate, and no row holds a negative
// count or a time that does not read back.
func TestLimits(t *testing.T) {
	// A flow from 10.0.1.10 to 10.0.2.20:8080, logged by the client's
	// monitored interface, so that its bytes count.
	rec := func(packets, bytes, start, end string) string {
		return "2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.10 10.0.2.20 49152 8080 6 " +
			packets + " " + bytes + " " + start + " " + end + " ACCEPT OK"
	}
	const (
		maxInt64  = "9223372036854775807"
		pow63     = "9223372036854775808"
		maxUint64 = "18446744073709551615"
		t0        = "1418530010"
		t1        = "1418530070"
	)
	maxTime := strconv.Itoa(flowrecord.MaxTime)
	input := strings.Join([]string{
		// Three records of 2^63-1 bytes: the sum is past 2^64-1.
		rec("10", maxInt64, t0, t1),
		rec("10", maxInt64, t0, t1),
		rec(maxInt64, maxInt64, t0, t1),
		// The reproduction: 2^64-1 and two of 2^63.
		rec("10", maxUint64, t0, t1),
		rec("10", pow63, t0, t1),
		rec("10", pow63, t0, t1),
		// Times.
		rec("1", "100", "253402300800", "253402300800"), // year 10000
		rec("1", "100", t1, t0),                         // start > end
		rec("1", "100", maxTime, maxTime),               // start == end at the latest time
	}, "\n") + "\n"

	type reject struct {
		line int
		err  error
	}
	wantRejects := []reject{{4, flowrecord.ErrOutOfRange}, {5, flowrecord.ErrOutOfRange}, {6, flowrecord.ErrOutOfRange},
		{7, flowrecord.ErrOutOfRange}, {8, flowrecord.ErrEndBeforeStart}}
	last := time.Unix(flowrecord.MaxTime, 0).UTC()
	wantRows := []connrows.Row{
		{Uploaded: math.MaxInt64, UploadedPackets: math.MaxInt64, Records: 3,
			Start: time.Unix(1418530010, 0).UTC(), End: time.Unix(1418530070, 0).UTC(), Window: time.Unix(1418529960, 0).UTC()},
		{Uploaded: 100, UploadedPackets: 1, Records: 1, Start: last, End: last, Window: last.Truncate(time.Minute)},
	}

	for _, f := range []format{formatNDJSON, formatParquet} {
		t.Run(map[format]string{formatNDJSON: "ndjson", formatParquet: "parquet"}[f], func(t *testing.T) {
			var rejects []Rejection
			var buf bytes.Buffer
			var w connrows.Writer = parquetrows.NewWriter(&buf)
			if f == formatNDJSON {
				nw, err := connrows.NewNDJSON(&buf, connrows.NDJSONOptions{})
				if err != nil {
					t.Fatal(err)
				}
				w = nw
			}
			e, err := New(fixture(t), w, Options{Reject: func(r Rejection) { rejects = append(rejects, r) }})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.ReadLines(strings.NewReader(input)); err != nil {
				t.Fatal(err)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}

			if len(rejects) != len(wantRejects) {
				t.Fatalf("rejections %v, want %d", rejects, len(wantRejects))
			}
			for i, r := range rejects {
				var pe *flowrecord.ParseError
				if r.Line != wantRejects[i].line || !errors.Is(r, wantRejects[i].err) || !errors.As(r, &pe) {
					t.Errorf("rejection %d: %v, want line %d: %v", i, r, wantRejects[i].line, wantRejects[i].err)
				}
			}
			s := e.Stats()
			if s.Read != 9 || s.Rejected != 5 || s.Written != 4 || s.Rows != 2 {
				t.Errorf("stats %+v", s)
			}

			var rows []connrows.Row
			if f == formatParquet {
				if rows, err = parquetrows.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
					t.Fatal(err)
				}
			} else {
				sc := bufio.NewScanner(&buf)
				for sc.Scan() {
					var r connrows.Row
					if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
						t.Fatalf("row %s does not read back: %v", sc.Bytes(), err)
					}
					rows = append(rows, r)
				}
			}
			if len(rows) != len(wantRows) {
				t.Fatalf("%d rows, want %d", len(rows), len(wantRows))
			}
			written := int64(0)
			for i, got := range rows {
				want := wantRows[i]
				if got.Uploaded != want.Uploaded || got.UploadedPackets != want.UploadedPackets || got.Records != want.Records ||
					got.Downloaded != 0 || got.DownloadedPackets != 0 || got.Duplicates != 0 {
					t.Errorf("row %d: counts up=%d/%d down=%d/%d records=%d dups=%d, want up=%d/%d records=%d", i,
						got.Uploaded, got.UploadedPackets, got.Downloaded, got.DownloadedPackets, got.Records, got.Duplicates,
						want.Uploaded, want.UploadedPackets, want.Records)
				}
				if !got.Start.Equal(want.Start) || !got.End.Equal(want.End) || !got.Window.Equal(want.Window) {
					t.Errorf("row %d: times %v %v %v, want %v %v %v", i, got.Start, got.End, got.Window, want.Start, want.End, want.Window)
				}
				written += got.Records
			}
			if written != int64(s.Written) {
				t.Errorf("rows hold %d records, %d written", written, s.Written)
			}
		})
	}
}
