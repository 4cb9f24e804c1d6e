package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

// ReadNDJSON reads rows written by connrows.NDJSONWriter, gzip-compressed or
// not. Every line must be one row with a LogStatus; the error of the first
// that is not names its line.
func ReadNDJSON(r io.Reader) ([]connrows.Row, error) {
	var rows []connrows.Row
	err := ScanNDJSON(r, func(row *connrows.Row) error {
		rows = append(rows, *row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// ScanNDJSON reads rows as ReadNDJSON does and calls fn for each, one at a
// time: it keeps no more than a line in memory. The row passed to fn is
// valid only during the call.
func ScanNDJSON(r io.Reader, fn func(*connrows.Row) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		err = scanLines(bufio.NewReaderSize(gz, 64<<10), fn)
		if cerr := gz.Close(); err == nil && cerr != nil {
			return cerr
		}
		return err
	}
	return scanLines(br, fn)
}

func scanLines(br *bufio.Reader, fn func(*connrows.Row) error) error {
	var line []byte
	for n := 1; ; n++ {
		line = line[:0]
		var err error
		for {
			var part []byte
			part, err = br.ReadSlice('\n')
			line = append(line, part...)
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if len(line) == 0 && errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("line %d: %w", n, err)
		}
		row, derr := decodeRow(line)
		if derr != nil {
			return fmt.Errorf("line %d: %w", n, derr)
		}
		if ferr := fn(&row); ferr != nil {
			return ferr
		}
		if err != nil {
			return nil
		}
	}
}

// parquetBatch is how many rows ScanParquet decodes at once.
const parquetBatch = 256

// ScanParquet reads the rows of a Parquet file written by
// parquetrows.Writer and calls fn for each, a batch of rows at a time:
// unlike connrows.ReadParquet it never holds the whole file's rows. The row
// passed to fn is valid only during the call.
func ScanParquet(r io.ReaderAt, size int64, fn func(*connrows.Row) error) error {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return err
	}
	rd := parquet.NewGenericReader[connrows.Row](f)
	defer func() { _ = rd.Close() }() // read only
	batch := make([]connrows.Row, parquetBatch)
	for {
		// Fresh rows: the reader may reuse what a row refers to.
		clear(batch)
		n, err := rd.Read(batch)
		for i := range n {
			if ferr := fn(&batch[i]); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func decodeRow(line []byte) (connrows.Row, error) {
	var row connrows.Row
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&row); err != nil {
		if errors.Is(err, io.EOF) {
			return row, errors.New("empty line")
		}
		return row, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return row, errors.New("more than one value")
	}
	if row.LogStatus == "" {
		return row, errors.New("not a row: no LogStatus")
	}
	return row, nil
}
