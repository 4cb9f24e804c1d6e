package connrows

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	tests := []struct {
		in   uint64
		want int64
	}{
		{0, 0},
		{1, 1},
		{math.MaxInt64 - 1, math.MaxInt64 - 1},
		{math.MaxInt64, math.MaxInt64},     // 2^63-1
		{math.MaxInt64 + 1, math.MaxInt64}, // 2^63
		{math.MaxUint64 - 1, math.MaxInt64},
		{math.MaxUint64, math.MaxInt64}, // 2^64-1
	}
	for _, tt := range tests {
		if got := Count(tt.in); got != tt.want {
			t.Errorf("Count(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// extremeRows are rows with the most extreme values the pipeline can
// produce: counts saturated at the largest int64, the first and the last
// second flow record times can hold (flowrecord.MaxTime), the largest port.
func extremeRows() []Row {
	first := time.Unix(0, 0).UTC()
	last := time.Date(2262, 4, 11, 23, 47, 16, 0, time.UTC)
	ep := &Endpoint{Addr: "10.0.0.1", Type: "ec2:instance", Rfc1918: true}
	return []Row{
		{
			Protocol: "tcp", Uploaded: math.MaxInt64, Downloaded: math.MaxInt64,
			UploadedPackets: math.MaxInt64, DownloadedPackets: math.MaxInt64,
			Start: last, End: last, Window: last.Truncate(time.Minute), Action: "ACCEPT",
			ServerPort: math.MaxUint16, Records: math.MaxInt64, Duplicates: math.MaxInt64 - 1,
			LogStatus: LogStatusOK, Client: ep, Server: ep,
		},
		{
			Protocol: "255", Start: first, End: last, Window: first, Action: "REJECT",
			Records: 1, LogStatus: LogStatusOK, Client: ep, Server: ep,
		},
		{
			Start: first, End: first, Window: first, Records: 1, LogStatus: LogStatusNoData,
			InterfaceID: "eni-0", AccountID: "000000000000",
		},
	}
}

// TestExtremeRowsRoundTrip writes rows with extreme but accepted values as
// NDJSON and checks that they read back equal (package parquetrows does the
// same for Parquet).
func TestExtremeRowsRoundTrip(t *testing.T) {
	rows := extremeRows()
	t.Run("ndjson", func(t *testing.T) {
		var buf bytes.Buffer
		w, err := NewNDJSON(&buf, NDJSONOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if err := w.Write(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != len(rows) {
			t.Fatalf("%d lines, want %d", len(lines), len(rows))
		}
		for i, line := range lines {
			want, err := json.Marshal(&rows[i])
			if err != nil {
				t.Fatalf("encoding/json cannot marshal row %d: %v", i, err)
			}
			if line != string(want) {
				t.Errorf("row %d written as\n %s\nencoding/json writes\n %s", i, line, want)
			}
			var got Row
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("row %d does not read back: %v\n%s", i, err, line)
			}
			checkRowEqual(t, i, &got, &rows[i])
		}
	})

}

// checkRowEqual compares rows field by field, times as instants.
func checkRowEqual(t *testing.T, i int, got, want *Row) {
	t.Helper()
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{{"Start", got.Start, want.Start}, {"End", got.End, want.End}, {"Window", got.Window, want.Window}} {
		if !tm.got.Equal(tm.want) {
			t.Errorf("row %d: %s = %v, want %v", i, tm.name, tm.got, tm.want)
		}
	}
	g, w := *got, *want
	g.Start, g.End, g.Window = time.Time{}, time.Time{}, time.Time{}
	w.Start, w.End, w.Window = time.Time{}, time.Time{}, time.Time{}
	for _, e := range []**Endpoint{&g.Client, &g.Server, &w.Client, &w.Server} {
		if *e != nil {
			c := **e
			c.encoded = nil
			*e = &c
		}
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("row %d read back as\n %+v\nwant\n %+v", i, g, w)
	}
}
