package flowrecord

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMaxTime checks that MaxTime is the last second whose Unix
// nanoseconds fit an int64.
func TestMaxTime(t *testing.T) {
	last := time.Unix(MaxTime, 0)
	if got := last.UTC(); got != time.Date(2262, 4, 11, 23, 47, 16, 0, time.UTC) {
		t.Errorf("MaxTime is %v", got)
	}
	if ns := last.UnixNano(); ns/1e9 != MaxTime {
		t.Errorf("MaxTime's nanoseconds %d overflow", ns)
	}
	if next := last.Add(time.Second); next.UnixNano()/1e9 == MaxTime+1 {
		t.Errorf("MaxTime+1 has nanoseconds %d that fit an int64; MaxTime is not the last", next.UnixNano())
	}
	for id, want := range map[FieldID]uint64{
		FieldStart:              MaxTime,
		FieldEnd:                MaxTime,
		FieldBytes:              math.MaxInt64,
		FieldPackets:            math.MaxInt64,
		FieldSrcPort:            math.MaxUint16,
		FieldProtocol:           math.MaxUint8,
		FieldPacketsLostNoRoute: math.MaxUint64,
		FieldAccountID:          0,
	} {
		if got := id.Info().Max(); got != want {
			t.Errorf("%s: Max() = %d, want %d", id, got, want)
		}
	}
}

// TestParseLimits checks every boundary of the values rows can carry: a
// value at the limit parses, one past it is rejected with a reason that
// names the field.
func TestParseLimits(t *testing.T) {
	// The default format with packets, bytes, start and end replaced.
	line := func(packets, bytes, start, end string) string {
		return "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 " +
			packets + " " + bytes + " " + start + " " + end + " ACCEPT OK"
	}
	const (
		maxInt64  = "9223372036854775807"  // 2^63-1
		pow63     = "9223372036854775808"  // 2^63
		maxUint64 = "18446744073709551615" // 2^64-1
		pow64     = "18446744073709551616" // 2^64
		y2024     = "1718000000"
		lastSec   = "9223372036"   // 2262-04-11T23:47:16Z, MaxTime
		afterLast = "9223372037"   // 2262-04-11T23:47:17Z
		y9999     = "253402300799" // 9999-12-31T23:59:59Z
		y10000    = "253402300800" // 10000-01-01T00:00:00Z
	)
	tests := []struct {
		name  string
		line  string
		field FieldID // the field blamed; 0 with err nil for accepted lines
		err   error
		msg   string // part of the message
	}{
		{name: "bytes 2^63-1", line: line("1", maxInt64, y2024, y2024)},
		{name: "packets 2^63-1", line: line(maxInt64, "1", y2024, y2024)},
		{name: "bytes 2^63", line: line("1", pow63, y2024, y2024), field: FieldBytes, err: ErrOutOfRange,
			msg: `field 10 (bytes) at byte 77: number out of range: "9223372036854775808" is above 9223372036854775807`},
		{name: "packets 2^63", line: line(pow63, "1", y2024, y2024), field: FieldPackets, err: ErrOutOfRange,
			msg: `"9223372036854775808" is above 9223372036854775807`},
		{name: "bytes 2^64-1", line: line("1", maxUint64, y2024, y2024), field: FieldBytes, err: ErrOutOfRange},
		{name: "packets 2^64-1", line: line(maxUint64, "1", y2024, y2024), field: FieldPackets, err: ErrOutOfRange},
		{name: "bytes 2^64", line: line("1", pow64, y2024, y2024), field: FieldBytes, err: ErrOutOfRange},
		{name: "bytes 2^63 with leading zeros", line: line("1", "000"+pow63, y2024, y2024), field: FieldBytes, err: ErrOutOfRange},

		{name: "start 0", line: line("1", "1", "0", "0")},
		{name: "MaxTime", line: line("1", "1", lastSec, lastSec)},
		{name: "year 2024 to MaxTime", line: line("1", "1", y2024, lastSec)},
		{name: "start == end", line: line("1", "1", y2024, y2024)},
		{name: "end absent", line: line("1", "1", y2024, "-")},
		{name: "start absent", line: line("1", "1", "-", y2024)},
		{name: "end one second after MaxTime", line: line("1", "1", lastSec, afterLast), field: FieldEnd, err: ErrOutOfRange,
			msg: `field 12 (end) at byte 90: number out of range: "9223372037" is after 9223372036 (2262-04-11T23:47:16Z), the latest time rows can carry`},
		{name: "start one second after MaxTime", line: line("1", "1", afterLast, afterLast), field: FieldStart, err: ErrOutOfRange},
		{name: "end in year 9999", line: line("1", "1", y2024, y9999), field: FieldEnd, err: ErrOutOfRange},
		{name: "end in year 10000", line: line("1", "1", y2024, y10000), field: FieldEnd, err: ErrOutOfRange},
		{name: "start in year 9999", line: line("1", "1", y9999, y9999), field: FieldStart, err: ErrOutOfRange},
		{name: "start in year 10000", line: line("1", "1", y10000, y10000), field: FieldStart, err: ErrOutOfRange,
			msg: `field 11 (start) at byte 79: number out of range: "253402300800" is after 9223372036`},
		{name: "start 2^63-1", line: line("1", "1", maxInt64, maxInt64), field: FieldStart, err: ErrOutOfRange},
		{name: "start 2^63", line: line("1", "1", pow63, pow63), field: FieldStart, err: ErrOutOfRange},
		{name: "start 2^64-1", line: line("1", "1", maxUint64, maxUint64), field: FieldStart, err: ErrOutOfRange},
		{name: "start 2^64", line: line("1", "1", pow64, pow64), field: FieldStart, err: ErrOutOfRange},
		{name: "negative start", line: line("1", "1", "-1", y2024), field: FieldStart, err: ErrNotNumber},
		{name: "negative end", line: line("1", "1", "0", "-60"), field: FieldEnd, err: ErrNotNumber},
		{name: "start > end by one second", line: line("1", "1", "1718000001", y2024), field: FieldEnd, err: ErrEndBeforeStart,
			msg: `field 12 (end) at byte 90: end before start: "1718000000" is earlier than the record's start`},
		{name: "start > end", line: line("1", "1", lastSec, "0"), field: FieldEnd, err: ErrEndBeforeStart},
	}
	p := NewParser(DefaultFormat)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Record
			err := p.Parse([]byte(tt.line), &r)
			if tt.err == nil {
				if err != nil {
					t.Fatalf("Parse(%q): %v", tt.line, err)
				}
				// Accepted values come back as written, and fit the
				// signed types rows and accessors use.
				fields := strings.Fields(tt.line)
				for i, id := range DefaultFormat.Fields() {
					if got := fieldText(&r, id); got != fields[i] {
						t.Errorf("%s = %s, want %s", id, got, fields[i])
					}
				}
				if r.Start() < 0 || r.End() < 0 || int64(r.Bytes()) < 0 || int64(r.Packets()) < 0 {
					t.Errorf("negative value: start %d end %d bytes %d packets %d", r.Start(), r.End(), int64(r.Bytes()), int64(r.Packets()))
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, want a *ParseError", tt.line, err)
			}
			if !errors.Is(err, tt.err) || pe.Field != tt.field || pe.Column != DefaultFormat.Index(tt.field)+1 {
				t.Errorf("Parse(%q) = %v (field %s), want %v on %s", tt.line, err, pe.Field, tt.err, tt.field)
			}
			if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.msg)
			}
			if r.Has(FieldStart) || r.Has(FieldBytes) {
				t.Error("a rejected line left fields behind")
			}
		})
	}
}

// TestParseEndBeforeStartColumns checks the order check in a format that
// lists end before start, and in one without end.
func TestParseEndBeforeStartColumns(t *testing.T) {
	p := NewParser(mustParseFormat(t, "${end} ${version} ${start}"))
	var r Record
	err := p.Parse([]byte("100 5 200"), &r)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Err != ErrEndBeforeStart || pe.Field != FieldEnd || pe.Column != 1 || pe.Offset != 0 || pe.Value != "100" {
		t.Fatalf("Parse = %#v", err)
	}
	if err := p.Parse([]byte("200 5 200"), &r); err != nil {
		t.Errorf("start == end: %v", err)
	}
	if err := NewParser(mustParseFormat(t, "${start} ${version}")).Parse([]byte("200 5"), &r); err != nil {
		t.Errorf("no end: %v", err)
	}
}

// TestParseLimitsAllocs checks that values at the limits parse without
// allocating, as every accepted line does.
func TestParseLimitsAllocs(t *testing.T) {
	p := NewParser(DefaultFormat)
	line := []byte("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 " +
		strconv.FormatInt(math.MaxInt64, 10) + " " + strconv.FormatInt(math.MaxInt64, 10) + " " +
		strconv.Itoa(MaxTime) + " " + strconv.Itoa(MaxTime) + " ACCEPT OK")
	var r Record
	allocs := testing.AllocsPerRun(200, func() {
		if err := p.Parse(line, &r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Parse, want 0", allocs)
	}
}
