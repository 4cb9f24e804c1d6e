package compaction_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

// readNDJSON decodes gzip NDJSON rows.
func readNDJSON(tb testing.TB, key string, body []byte) []connrows.Row {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("%s: %v", key, err)
	}
	dec := json.NewDecoder(zr)
	var rows []connrows.Row
	for {
		var r connrows.Row
		if err := dec.Decode(&r); err != nil {
			if errors.Is(err, io.EOF) {
				return rows
			}
			tb.Fatalf("%s: %v", key, err)
		}
		rows = append(rows, r)
	}
}
