package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/output"
)

// ReadNDJSON reads rows written by output.NDJSONWriter, gzip-compressed or
// not. Every line must be one row with a LogStatus; the error of the first
// that is not names its line.
func ReadNDJSON(r io.Reader) ([]output.Row, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		rows, err := readLines(bufio.NewReader(gz))
		if cerr := gz.Close(); err == nil && cerr != nil {
			return nil, cerr
		}
		return rows, err
	}
	return readLines(br)
}

func readLines(br *bufio.Reader) ([]output.Row, error) {
	var rows []output.Row
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		row, derr := decodeRow(line)
		if derr != nil {
			return nil, fmt.Errorf("line %d: %w", n, derr)
		}
		rows = append(rows, row)
		if err != nil {
			return rows, nil
		}
	}
}

func decodeRow(line []byte) (output.Row, error) {
	var row output.Row
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
