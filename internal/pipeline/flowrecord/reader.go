package flowrecord

import (
	"bufio"
	"errors"
	"io"
	"strconv"
)

// ErrLineTooLong is the reason for rejecting a line longer than
// Reader.MaxLineBytes.
var ErrLineTooLong = errors.New("line too long")

// LineError is the reason a Reader rejected a line.
type LineError struct {
	Line int   // 1-based line number
	Err  error // a *ParseError, a *FormatError for a bad header, or ErrLineTooLong
}

func (e *LineError) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *LineError) Unwrap() error { return e.Err }

// Stats counts the lines a Reader has read; Lines is always
// Headers + Records + Rejected.
type Stats struct {
	Lines    int
	Headers  int
	Records  int
	Rejected int
}

// Reader reads flow log records line by line, as stored in S3. When the first
// line is a header it sets the format; otherwise the format given to
// NewReader applies. Each call to Next yields the next record or rejected
// line, so no line goes uncounted.
type Reader struct {
	// MaxLineBytes bounds the length of a line; longer lines are rejected.
	MaxLineBytes int

	br      *bufio.Reader
	parser  *Parser
	rec     Record
	line    []byte
	long    []byte
	lineNo  int
	lineErr *LineError
	done    bool
	err     error
	stats   Stats
}

// NewReader returns a Reader over r that uses format unless r starts with a
// header line.
func NewReader(r io.Reader, format Format) *Reader {
	return &Reader{
		MaxLineBytes: 1 << 20,
		br:           bufio.NewReaderSize(r, 64<<10),
		parser:       NewParser(format),
	}
}

// Next advances to the next record or rejected line and reports whether
// there was one; it returns false at the end of the input or on a read error.
func (r *Reader) Next() bool {
	for {
		line, tooLong, ok := r.readLine()
		if !ok {
			return false
		}
		r.lineNo++
		r.stats.Lines++
		r.line = line
		r.lineErr = nil
		if tooLong {
			r.reject(ErrLineTooLong)
			return true
		}
		if r.lineNo == 1 {
			f, err := DetectFormat(line)
			if err == nil {
				r.parser = NewParser(f)
				r.stats.Headers++
				continue
			}
			if err != ErrNoHeader {
				r.reject(err)
				return true
			}
		}
		if err := r.parser.Parse(line, &r.rec); err != nil {
			r.reject(err)
			return true
		}
		r.stats.Records++
		return true
	}
}

func (r *Reader) reject(err error) {
	r.lineErr = &LineError{Line: r.lineNo, Err: err}
	r.stats.Rejected++
}

// readLine returns the next line without its line ending; a line longer than
// MaxLineBytes comes back truncated, with tooLong set.
func (r *Reader) readLine() (line []byte, tooLong, ok bool) {
	if r.done {
		return nil, false, false
	}
	r.long = r.long[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			r.long = r.appendCapped(r.long, chunk, &tooLong)
			continue
		}
		if len(r.long) > 0 || tooLong {
			r.long = r.appendCapped(r.long, chunk, &tooLong)
			chunk = r.long
		}
		if err == nil {
			chunk = trimEOL(chunk)
			if len(chunk) > r.MaxLineBytes {
				chunk, tooLong = chunk[:r.MaxLineBytes], true
			}
			return chunk, tooLong, true
		}
		r.done = true
		if err != io.EOF {
			r.err = err
			return nil, false, false
		}
		if len(chunk) == 0 && !tooLong {
			return nil, false, false
		}
		// The last line has no line ending.
		if len(chunk) > r.MaxLineBytes {
			chunk, tooLong = chunk[:r.MaxLineBytes], true
		}
		return chunk, tooLong, true
	}
}

func (r *Reader) appendCapped(dst, chunk []byte, tooLong *bool) []byte {
	if room := r.MaxLineBytes - len(dst); len(chunk) > room {
		chunk = chunk[:max(room, 0)]
		*tooLong = true
	}
	return append(dst, chunk...)
}

// Record returns the current record, or nil when the current line was
// rejected. It is valid until the next call to Next.
func (r *Reader) Record() *Record {
	if r.lineErr != nil {
		return nil
	}
	return &r.rec
}

// LineErr returns why the current line was rejected, or nil.
func (r *Reader) LineErr() error {
	if r.lineErr == nil {
		return nil
	}
	return r.lineErr
}

// Line returns the current line's text; it is valid until the next call to Next.
func (r *Reader) Line() []byte { return r.line }

// LineNumber returns the 1-based number of the current line.
func (r *Reader) LineNumber() int { return r.lineNo }

// Format returns the format in use.
func (r *Reader) Format() Format { return r.parser.Format() }

// Stats returns the line counts so far.
func (r *Reader) Stats() Stats { return r.stats }

// Err returns the first read error other than io.EOF.
func (r *Reader) Err() error { return r.err }
