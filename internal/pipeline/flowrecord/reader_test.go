package flowrecord

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

type readResult struct {
	line   int
	record string // AppendText of the record, or "" when rejected
	err    string // substring of the rejection, or ""
}

func readAll(t *testing.T, rd *Reader) []readResult {
	t.Helper()
	var out []readResult
	for rd.Next() {
		res := readResult{line: rd.LineNumber()}
		if err := rd.LineErr(); err != nil {
			if rd.Record() != nil {
				t.Errorf("line %d: rejected line has a record", rd.LineNumber())
			}
			var le *LineError
			if !errors.As(err, &le) || le.Line != rd.LineNumber() {
				t.Errorf("line %d: error %v is not a *LineError for this line", rd.LineNumber(), err)
			}
			res.err = err.Error()
		} else {
			res.record = string(rd.Record().AppendText(nil))
		}
		out = append(out, res)
	}
	return out
}

func TestReader(t *testing.T) {
	const rec1 = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
	const rec2 = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"
	tests := []struct {
		name     string
		input    string
		format   Format
		want     []readResult
		stats    Stats
		wantHead string
	}{
		{"header sets format", "srcaddr dstaddr action\n10.0.0.1 10.0.0.2 ACCEPT\n10.0.0.3 - REJECT\n", Format{},
			[]readResult{{2, "10.0.0.1 10.0.0.2 ACCEPT", ""}, {3, "10.0.0.3 - REJECT", ""}},
			Stats{Lines: 3, Headers: 1, Records: 2}, "srcaddr dstaddr action"},
		{"no header uses given format", rec1 + "\n" + rec2 + "\n", DefaultFormat,
			[]readResult{{1, rec1, ""}, {2, rec2, ""}}, Stats{Lines: 2, Records: 2}, DefaultFormat.Header()},
		{"no final newline", rec1 + "\n" + rec2, DefaultFormat,
			[]readResult{{1, rec1, ""}, {2, rec2, ""}}, Stats{Lines: 2, Records: 2}, DefaultFormat.Header()},
		{"crlf", DefaultFormat.Header() + "\r\n" + rec1 + "\r\n", Format{},
			[]readResult{{2, rec1, ""}}, Stats{Lines: 2, Headers: 1, Records: 1}, DefaultFormat.Header()},
		{"rejected lines are counted", rec1 + "\n\ngarbage\n" + rec2 + "\n", DefaultFormat,
			[]readResult{{1, rec1, ""}, {2, "", "line 2: field 1 (version) at byte 0: too few fields"}, {3, "", `line 3: field 1 (version) at byte 0: not a decimal number: "garbage"`}, {4, rec2, ""}},
			Stats{Lines: 4, Records: 2, Rejected: 2}, DefaultFormat.Header()},
		{"bad header", "version srcaddr dstadr\n1 2 3\n", DefaultFormat,
			[]readResult{{1, "", `line 1: log format: field 3 "dstadr" at byte 16: unknown field "dstadr"; did you mean "dstaddr"?`}, {2, "", "line 2: field 4 (srcaddr) at byte 5: too few fields"}},
			Stats{Lines: 2, Rejected: 2}, DefaultFormat.Header()},
		{"header only once", "srcaddr\nsrcaddr\n10.0.0.1\n", Format{},
			[]readResult{{2, "", `line 2: field 1 (srcaddr) at byte 0: not an IP address: "srcaddr"`}, {3, "10.0.0.1", ""}},
			Stats{Lines: 3, Headers: 1, Records: 1, Rejected: 1}, "srcaddr"},
		{"empty input", "", DefaultFormat, nil, Stats{}, DefaultFormat.Header()},
		{"no format", "10.0.0.1\n", Format{},
			[]readResult{{1, "", "line 1: the format has no fields"}}, Stats{Lines: 1, Rejected: 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd := NewReader(strings.NewReader(tt.input), tt.format)
			got := readAll(t, rd)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d results %v, want %d %v", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if got[i].line != tt.want[i].line || got[i].record != tt.want[i].record || !strings.Contains(got[i].err, tt.want[i].err) ||
					(got[i].err == "") != (tt.want[i].err == "") {
					t.Errorf("result %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if rd.Stats() != tt.stats {
				t.Errorf("Stats = %+v, want %+v", rd.Stats(), tt.stats)
			}
			s := rd.Stats()
			if s.Lines != s.Headers+s.Records+s.Rejected {
				t.Errorf("Stats do not add up: %+v", s)
			}
			if rd.Format().Header() != tt.wantHead {
				t.Errorf("Format = %q, want %q", rd.Format().Header(), tt.wantHead)
			}
			if rd.Err() != nil {
				t.Errorf("Err = %v", rd.Err())
			}
		})
	}
}

func TestReaderLongLines(t *testing.T) {
	long := strings.Repeat("x", 300)
	input := "10.0.0.1\n" + long + "\n10.0.0.2\n" + long
	f := mustParseFormat(t, "${srcaddr}")
	for _, small := range []bool{false, true} {
		name := "large buffer"
		if small {
			name = "one byte reads"
		}
		t.Run(name, func(t *testing.T) {
			var src io.Reader = strings.NewReader(input)
			if small {
				src = iotest.OneByteReader(src)
			}
			rd := NewReader(src, f)
			rd.MaxLineBytes = 100
			got := readAll(t, rd)
			want := []readResult{{1, "10.0.0.1", ""}, {2, "", "line 2: line too long"}, {3, "10.0.0.2", ""}, {4, "", "line 4: line too long"}}
			if len(got) != len(want) {
				t.Fatalf("got %v", got)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("result %d = %+v, want %+v", i, got[i], want[i])
				}
			}
		})
	}
	t.Run("longer than the read buffer", func(t *testing.T) {
		addr := "10.0.0.1"
		line := strings.Repeat("a", 100<<10) + " " + addr
		rd := NewReader(strings.NewReader(line+"\n"), mustParseFormat(t, "${vpc-id} ${srcaddr}"))
		got := readAll(t, rd)
		if len(got) != 1 || got[0].record != line {
			t.Errorf("long line lost: %d results", len(got))
		}
	})
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	src := io.MultiReader(strings.NewReader("10.0.0.1\n10.0"), iotest.ErrReader(boom))
	rd := NewReader(src, mustParseFormat(t, "${srcaddr}"))
	got := readAll(t, rd)
	if len(got) != 1 || got[0].record != "10.0.0.1" {
		t.Errorf("got %v", got)
	}
	if !errors.Is(rd.Err(), boom) {
		t.Errorf("Err = %v, want boom", rd.Err())
	}
	if rd.Next() {
		t.Error("Next after a read error")
	}
}
