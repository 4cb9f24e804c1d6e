// Package flowobject reads the flow log files that VPC Flow Logs delivers
// to Amazon S3, one record a line whatever the file's format:
//
//   - plain text, gzip-compressed (KEY.log.gz): a header line naming the
//     fields, then one record a line, fields separated by spaces;
//   - Apache Parquet (KEY.log.parquet): one column per field, named as the
//     field with underscores for hyphens (account_id, log_status), INT_32
//     or INT_64 for numbers and STRING for the rest, null for "-".
//
// Parquet rows are turned back into the text lines of the same fields, so
// that every record goes through the one parser (package flowrecord)
// whatever the file it came in, and gives the same rows.
//
// The key layout of these files (Hive-compatible prefixes or not, hourly
// partitions or not) does not matter to the reader; ParseKey reads it for
// logs and checks.
package flowobject

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
)

// Kind is the kind of a flow log file.
type Kind int

// Kinds of files.
const (
	Text    Kind = iota + 1 // plain text, with or without gzip
	Parquet                 // Apache Parquet
)

func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Parquet:
		return "parquet"
	}
	return "unknown"
}

// parquetMagic begins and ends every Parquet file.
var parquetMagic = []byte("PAR1")

// Detect reads the first bytes of a file and returns its kind, whether it
// is gzip-compressed, and a reader of the whole file.
func Detect(r io.Reader) (Kind, bool, *bufio.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, false, nil, err
	}
	switch {
	case bytes.HasPrefix(head, parquetMagic):
		return Parquet, false, br, nil
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return Text, true, br, nil
	}
	return Text, false, br, nil
}

// Lines is a source of flow log lines.
type Lines interface {
	// Next advances to the next line; false at the end or on an error.
	Next() bool
	// Line is the current line, without its line ending; it is valid until
	// the next call to Next. TooLong reports that it was cut at
	// MaxLineBytes.
	Line() []byte
	TooLong() bool
	// LineNumber is the 1-based number of the current line in the file,
	// counting the header line of a text file; for Parquet, the row.
	LineNumber() int
	// Format is the format of the lines, once known: from the header line
	// of a text file (ok false without one) or the columns of a Parquet
	// file.
	Format() (flowrecord.Format, bool)
	// Err is the first error other than the end of the input.
	Err() error
}

// MaxLineBytes bounds a line: flow log records are a few hundred bytes,
// the longest (every ECS field) under 2 KB.
const MaxLineBytes = 64 << 10

// TextLines reads a text file (decompressing it when gz) line by line. A
// first line that is a header sets the format and is not returned.
type TextLines struct {
	br      *bufio.Reader
	zr      *gzip.Reader
	line    []byte
	long    []byte
	tooLong bool
	lineNo  int
	format  flowrecord.Format
	header  bool
	done    bool
	err     error
}

// NewTextLines returns the lines of a text file read from r.
func NewTextLines(r *bufio.Reader, gz bool) (*TextLines, error) {
	t := &TextLines{br: r}
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, &DataError{Err: fmt.Errorf("not a gzip file: %w", err)}
		}
		t.zr = zr
		t.br = bufio.NewReaderSize(zr, 64<<10)
	}
	return t, nil
}

// DataError is an error of the file's bytes, which reading it again does
// not cure (as opposed to an error of the connection that reads it).
type DataError struct{ Err error }

func (e *DataError) Error() string { return e.Err.Error() }
func (e *DataError) Unwrap() error { return e.Err }

// Next advances to the next line.
func (t *TextLines) Next() bool {
	for !t.done {
		line, ok := t.readLine()
		if !ok {
			return false
		}
		t.lineNo++
		if t.lineNo == 1 && !t.tooLong {
			if f, err := flowrecord.DetectFormat(line); err == nil {
				t.format, t.header = f, true
				continue
			}
		}
		t.line = line
		return true
	}
	return false
}

func (t *TextLines) readLine() ([]byte, bool) {
	t.long = t.long[:0]
	t.tooLong = false
	for {
		chunk, err := t.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			t.appendCapped(chunk)
			continue
		}
		if len(t.long) > 0 || t.tooLong {
			t.appendCapped(chunk)
			chunk = t.long
		}
		if err == nil {
			return trimEOL(chunk), true
		}
		t.done = true
		if !errors.Is(err, io.EOF) {
			t.err = err
			if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
				t.err = &DataError{Err: fmt.Errorf("line %d: %w", t.lineNo+1, err)}
			}
			return nil, false
		}
		if len(chunk) == 0 && !t.tooLong {
			return nil, false
		}
		return trimEOL(chunk), true
	}
}

func (t *TextLines) appendCapped(chunk []byte) {
	if room := MaxLineBytes - len(t.long); len(chunk) > room {
		chunk = chunk[:max(room, 0)]
		t.tooLong = true
	}
	t.long = append(t.long, chunk...)
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// Line returns the current line.
func (t *TextLines) Line() []byte { return t.line }

// TooLong reports whether the current line was cut.
func (t *TextLines) TooLong() bool { return t.tooLong }

// LineNumber returns the current line's number.
func (t *TextLines) LineNumber() int { return t.lineNo }

// Format returns the header's format.
func (t *TextLines) Format() (flowrecord.Format, bool) { return t.format, t.header }

// Err returns the read error.
func (t *TextLines) Err() error { return t.err }
