package report

import (
	"bytes"
	"compress/gzip"
	"reflect"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

func ndjson(t *testing.T, gz bool, rows ...connrows.Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := connrows.NewNDJSON(&buf, connrows.NDJSONOptions{Gzip: gz})
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
	return buf.Bytes()
}

func TestReadNDJSON(t *testing.T) {
	rows := []connrows.Row{conn(web1, api1, 443, 1, 2), conn(billingFn, s3, 443, 3, 4), {LogStatus: connrows.LogStatusSkipData, InterfaceID: "eni-1"}}
	for _, gz := range []bool{false, true} {
		got, err := ReadNDJSON(bytes.NewReader(ndjson(t, gz, rows...)))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(build(got...), build(rows...)) || len(got) != len(rows) {
			t.Errorf("gzip %v: read %+v", gz, got)
		}
	}
	// No newline at the end.
	got, err := ReadNDJSON(bytes.NewReader(bytes.TrimSuffix(ndjson(t, false, rows...), []byte("\n"))))
	if err != nil || len(got) != len(rows) {
		t.Errorf("without the last newline: %d rows, %v", len(got), err)
	}
	if got, err := ReadNDJSON(strings.NewReader("")); err != nil || len(got) != 0 {
		t.Errorf("empty input: %v, %v", got, err)
	}
}

func TestReadNDJSONErrors(t *testing.T) {
	good := string(ndjson(t, false, conn(web1, api1, 443, 1, 2)))
	for _, tc := range []struct{ in, err string }{
		{good + "{\"Uploaded\": \"many\"}\n", "line 2: "},
		{good + good + "{not json\n", "line 3: "},
		{good + "\n" + good, "line 2: empty line"},
		{good + "null\n", "line 2: not a row"},
		{good + "{}\n", "line 2: not a row"},
		{good + `{"LogStatus":"OK","Colour":"red"}` + "\n", `line 2: json: unknown field "Colour"`},
		{good + `{"LogStatus":"OK"} {"LogStatus":"OK"}` + "\n", "line 2: more than one value"},
		{good + `[{"LogStatus":"OK"}]`, "line 2: "},
	} {
		_, err := ReadNDJSON(strings.NewReader(tc.in))
		if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("%q: error %v, want %q...", tc.in, err, tc.err)
		}
	}
	// A bad line in gzip, and a truncated gzip stream.
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write([]byte(good + good + "oops\n"))
	gz.Close()
	if _, err := ReadNDJSON(bytes.NewReader(buf.Bytes())); err == nil || !strings.HasPrefix(err.Error(), "line 3: ") {
		t.Errorf("gzip: %v", err)
	}
	if _, err := ReadNDJSON(bytes.NewReader(buf.Bytes()[:buf.Len()-10])); err == nil {
		t.Error("truncated gzip read")
	}
}
