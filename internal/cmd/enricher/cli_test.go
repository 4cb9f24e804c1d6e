package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Fixtures shared with the enrich package's tests.
var (
	fixtureDir = filepath.Join("..", "..", "pipeline", "enrich", "testdata")
	enis       = filepath.Join(fixtureDir, "network-interfaces.json")
	tags       = filepath.Join(fixtureDir, "get-resources.json")
	ipRanges   = filepath.Join(fixtureDir, "ip-ranges.json")
)

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// lastLine returns the last line of s.
func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantStatus int
		// wantStderr must appear in stderr; wantLast is its last line.
		wantStderr []string
		wantLast   string
		// golden names the file stdout is compared with.
		golden string
	}{
		{name: "no command", args: nil, wantStatus: exitUsage, wantStderr: []string{"Usage:"}},
		{name: "unknown command", args: []string{"frobnicate"}, wantStatus: exitUsage, wantStderr: []string{`unknown command "frobnicate"`}},
		{name: "help", args: []string{"help"}, wantStatus: exitOK},
		{
			name:       "parse default format",
			args:       []string{"parse"},
			stdin:      "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\nnot a record\n2 123456789010 eni-1235b8ca123456789 - - - - - - - 1418530010 1418530070 - NODATA",
			wantStderr: []string{`line 2: field 1 (version) at byte 0: not a decimal number: "not"`},
			wantLast:   "read=3 written=2 rejected=1",
			golden:     "parse-default.ndjson",
		},
		{
			name:     "parse with an S3 header line",
			args:     []string{"parse"},
			stdin:    readFixture(t, "custom.log"),
			wantLast: "read=10 written=9 rejected=1",
			golden:   "parse-custom.ndjson",
		},
		{
			name:     "parse with --format",
			args:     []string{"parse", "--format", "${srcaddr} ${dstaddr} ${bytes}"},
			stdin:    "10.0.0.1 10.0.0.2 100\n10.0.0.1 - -\n",
			wantLast: "read=2 written=2 rejected=0",
			golden:   "parse-format.ndjson",
		},
		{
			name: "parse with an unusable --format", args: []string{"parse", "--format", "${srcaddr} ${dstadr}"},
			wantStatus: exitUsage, wantStderr: []string{`did you mean "dstaddr"?`},
		},
		{
			name: "parse with an argument", args: []string{"parse", "file.log"},
			wantStatus: exitUsage, wantStderr: []string{`unexpected argument "file.log"`},
		},
		{
			name:       "enrich flow log lines",
			args:       []string{"enrich", "--enis", enis, "--tags", tags, "--ip-ranges", ipRanges},
			stdin:      readFixture(t, "default.log"),
			wantStderr: []string{`line 27: field 4 (srcaddr) at byte 37: not an IP address: "10.0.1.999"`, "headers=0 folded=24 duplicates=8 nodata=1 skipdata=1 rows=13"},
			wantLast:   "read=30 written=26 rejected=4",
			golden:     "enrich-default.ndjson",
		},
		{
			name:     "enrich with --monitored and --window",
			args:     []string{"enrich", "--enis", enis, "--monitored", "eni-0a1b2c3d4e5f60718", "--window", "10s", "--lateness", "0s"},
			stdin:    readFixture(t, "web-only.log"),
			wantLast: "read=11 written=11 rejected=0",
			golden:   "enrich-web-only.ndjson",
		},
		{
			name:     "enrich with --internet-addrs",
			args:     []string{"enrich", "--enis", enis, "--tags", tags, "--ip-ranges", ipRanges, "--internet-addrs"},
			stdin:    readFixture(t, "default.log"),
			wantLast: "read=30 written=26 rejected=4",
			golden:   "enrich-default-internet-addrs.ndjson",
		},
		{
			name:     "enrich subscription payloads",
			args:     []string{"enrich", "--enis", enis, "--subscription"},
			stdin:    base64.StdEncoding.EncodeToString(payload(t, readFixture(t, "web-only.log"))) + "\n",
			wantLast: "read=11 written=11 rejected=0",
			golden:   "enrich-web-only-subscription.ndjson",
		},
		{
			name:     "enrich to a Parquet file",
			args:     []string{"enrich", "--enis", enis, "--tags", tags, "--ip-ranges", ipRanges, "--output", "parquet", "--out", filepath.Join(dir, "out.parquet")},
			stdin:    readFixture(t, "default.log"),
			wantLast: "read=30 written=26 rejected=4",
		},
		{
			name:     "enrich to a gzip file",
			args:     []string{"enrich", "--enis", enis, "--tags", tags, "--ip-ranges", ipRanges, "--out", filepath.Join(dir, "out.json.gz")},
			stdin:    readFixture(t, "default.log"),
			wantLast: "read=30 written=26 rejected=4",
		},
		{name: "enrich without --enis", args: []string{"enrich"}, wantStatus: exitUsage, wantStderr: []string{"--enis is required"}},
		{name: "enrich with a missing file", args: []string{"enrich", "--enis", filepath.Join(dir, "nope.json")}, wantStatus: exitUsage, wantStderr: []string{"loading network interfaces", "no such file"}},
		{name: "enrich with a bad inventory", args: []string{"enrich", "--enis", tags + "x"}, wantStatus: exitUsage},
		{name: "enrich with a fractional window", args: []string{"enrich", "--enis", enis, "--window", "1500ms"}, wantStatus: exitUsage, wantStderr: []string{"whole number of seconds"}},
		{name: "enrich with an unknown output", args: []string{"enrich", "--enis", enis, "--output", "csv"}, wantStatus: exitUsage, wantStderr: []string{`--output "csv": want ndjson or parquet`}},
		{name: "enrich gzip Parquet", args: []string{"enrich", "--enis", enis, "--output", "parquet", "--gzip"}, wantStatus: exitUsage, wantStderr: []string{"--gzip applies to ndjson output only"}},
		{name: "enrich with no keys", args: []string{"enrich", "--enis", enis, "--max-keys", "0"}, wantStatus: exitUsage},
		{name: "enrich with an unknown flag", args: []string{"enrich", "--frobnicate"}, wantStatus: exitUsage, wantStderr: []string{"flag provided but not defined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d; stderr:\n%s", status, tt.wantStatus, stderr.String())
			}
			for _, s := range tt.wantStderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if tt.wantLast != "" {
				if got := lastLine(stderr.String()); got != tt.wantLast {
					t.Errorf("last stderr line %q, want %q", got, tt.wantLast)
				}
			}
			if tt.golden != "" {
				checkGolden(t, tt.golden, stdout.Bytes())
			}
		})
	}

	// The files written above hold the same rows as the NDJSON on stdout.
	want, err := os.ReadFile(filepath.Join("testdata", "enrich-default.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "out.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("--out *.gz is not gzip: %v", err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("gzip file differs from the NDJSON output")
	}
	pq, err := os.ReadFile(filepath.Join(dir, "out.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := parquetrows.Read(bytes.NewReader(pq), int64(len(pq)))
	if err != nil {
		t.Fatal(err)
	}
	var back []byte
	for i := range rows {
		back = append(connrows.AppendJSON(back, &rows[i]), '\n')
	}
	if !bytes.Equal(back, want) {
		t.Errorf("Parquet file differs from the NDJSON output:\n%s", back)
	}
}

// payload returns a gzip subscription payload of flow log lines.
func payload(t *testing.T, text string) []byte {
	t.Helper()
	var evs []events.CloudwatchLogsLogEvent
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		evs = append(evs, events.CloudwatchLogsLogEvent{ID: string(rune('a' + i)), Timestamp: 1418530010000, Message: line})
	}
	doc, err := json.Marshal(events.CloudwatchLogsData{
		Owner: "111122223333", LogGroup: "/vpcflow/flow-logs", LogStream: "eni-0a1b2c3d4e5f60718-all",
		SubscriptionFilters: []string{"vpcflow"}, MessageType: "DATA_MESSAGE", LogEvents: evs,
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(doc)
	zw.Close()
	return buf.Bytes()
}

func TestCloudWatchLogsHandler(t *testing.T) {
	env := map[string]string{envENIs: enis, envTags: tags, envIPRanges: ipRanges, envWindow: "60s"}
	var out bytes.Buffer
	h, err := newCloudWatchLogsHandler(func(k string) string { return env[k] }, &out)
	if err != nil {
		t.Fatal(err)
	}
	data := base64.StdEncoding.EncodeToString(payload(t, readFixture(t, "default.log")))
	for range 2 { // a warm function handles one event after another
		out.Reset()
		res, err := h.Handle(context.Background(), events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: data}})
		if err != nil {
			t.Fatal(err)
		}
		// As from the command line: the blank line is an event whose
		// message does not parse.
		if want := (result{Read: 30, Written: 26, Rejected: 4, Rows: 13}); res != want {
			t.Errorf("result %+v, want %+v", res, want)
		}
		var rows, logs int
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if strings.Contains(line, `"LogStatus"`) {
				rows++
			} else if strings.Contains(line, `"level"`) {
				logs++
			}
		}
		if rows != 13 || logs != 5 {
			t.Errorf("output has %d rows and %d log lines, want 13 and 5 (4 rejections and a summary):\n%s", rows, logs, out.String())
		}
	}

	for name, env := range map[string]map[string]string{
		"no interfaces":          {},
		"bad window":             {envENIs: enis, envWindow: "soon"},
		"bad log format":         {envENIs: enis, envLogFormat: "${nope}"},
		"bad max keys":           {envENIs: enis, envMaxKeys: "many"},
		"bad internet addresses": {envENIs: enis, envInetAddrs: "maybe"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := newCloudWatchLogsHandler(func(k string) string { return env[k] }, io.Discard); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestParseEnrichFlags(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		wantLateness time.Duration
		wantGzip     bool
	}{
		{"defaults", []string{"--enis", "x"}, 0, false},
		{"explicit zero lateness means none", []string{"--enis", "x", "--lateness", "0s"}, -1, false},
		{"lateness", []string{"--enis", "x", "--lateness", "2m"}, 2 * time.Minute, false},
		{"gzip from the file name", []string{"--enis", "x", "--out", "rows.json.gz"}, 0, true},
		{"gzip turned off", []string{"--enis", "x", "--out", "rows.json.gz", "--gzip=false"}, 0, false},
		{"gzip to stdout", []string{"--enis", "x", "--gzip"}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := parseEnrichFlags(tt.args, io.Discard)
			if !ok {
				t.Fatal("flags rejected")
			}
			if c.lateness != tt.wantLateness || c.gzip != tt.wantGzip {
				t.Errorf("lateness %v gzip %v, want %v %v", c.lateness, c.gzip, tt.wantLateness, tt.wantGzip)
			}
		})
	}
}

// failingReader returns some input, then an error, as a broken pipe or a
// network file system would.
type failingReader struct {
	data string
	done bool
}

func (r *failingReader) Read(p []byte) (int, error) {
	if !r.done {
		r.done = true
		return copy(p, r.data), nil
	}
	return 0, errors.New("input device went away")
}

// failingWriter takes limit bytes, then fails every write, as a full disk does.
type failingWriter struct {
	limit, n int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		return 0, errors.New("no space left on device")
	}
	w.n += len(p)
	return len(p), nil
}

// TestEnrichOutFileFailedRunKeepsFile: a run that fails while reading its
// input leaves an existing --out file as it was, leaves no temporary file
// beside it, and counts nothing as written.
func TestEnrichOutFileFailedRunKeepsFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "rows.ndjson")
	const previous = "rows of yesterday's run\n"
	if err := os.WriteFile(out, []byte(previous), 0o640); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	in := &failingReader{data: readFixture(t, "web-only.log")}
	status := run([]string{"enrich", "--enis", enis, "--out", out}, in, &stdout, &stderr)
	if status != exitFail {
		t.Errorf("status %d, want %d; stderr:\n%s", status, exitFail, stderr.String())
	}
	for _, s := range []string{"input device went away", out + " left as it was"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
		}
	}
	if got, want := lastLine(stderr.String()), "read=11 written=0 rejected=0 unwritten=11"; got != want {
		t.Errorf("last stderr line %q, want %q", got, want)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != previous {
		t.Errorf("%s was changed by a failed run: %q", out, b)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only rows.ndjson (the temporary file removed)", names)
	}
}

// TestEnrichOutFileReplacedOnSuccess: a run that succeeds replaces the
// file, keeps its mode, and leaves no temporary file.
func TestEnrichOutFileReplacedOnSuccess(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "rows.ndjson")
	if err := os.WriteFile(out, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	status := run([]string{"enrich", "--enis", enis, "--out", out}, strings.NewReader(readFixture(t, "web-only.log")), &stdout, &stderr)
	if status != exitOK {
		t.Fatalf("status %d; stderr:\n%s", status, stderr.String())
	}
	if got, want := lastLine(stderr.String()), "read=11 written=11 rejected=0"; got != want {
		t.Errorf("last stderr line %q, want %q", got, want)
	}
	var want bytes.Buffer
	if st := run([]string{"enrich", "--enis", enis}, strings.NewReader(readFixture(t, "web-only.log")), &want, io.Discard); st != exitOK {
		t.Fatal("enriching to stdout failed")
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want.Bytes()) || len(b) == 0 {
		t.Errorf("%s holds %q, want the rows written to stdout", out, b)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the replaced file's 0640", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1", len(entries))
	}
}

// TestEnrichOutputWriteFails: when the output fails, the final line counts
// no record as written, and the exit status says it failed.
func TestEnrichOutputWriteFails(t *testing.T) {
	for _, limit := range []int{0, 100} {
		t.Run(fmt.Sprintf("after %d bytes", limit), func(t *testing.T) {
			var stderr bytes.Buffer
			status := run([]string{"enrich", "--enis", enis}, strings.NewReader(readFixture(t, "web-only.log")), &failingWriter{limit: limit}, &stderr)
			if status != exitFail {
				t.Errorf("status %d, want %d; stderr:\n%s", status, exitFail, stderr.String())
			}
			if !strings.Contains(stderr.String(), "no space left on device") {
				t.Errorf("stderr does not name the write error:\n%s", stderr.String())
			}
			if got, want := lastLine(stderr.String()), "read=11 written=0 rejected=0 unwritten=11"; got != want {
				t.Errorf("last stderr line %q, want %q", got, want)
			}
		})
	}
}

// TestEnrichEmptyInventory: an --enis file with no interface is refused,
// since nothing could be attributed; --allow-empty-inventory runs with a
// warning.
func TestEnrichEmptyInventory(t *testing.T) {
	dir := t.TempDir()
	emptyDoc := filepath.Join(dir, "enis.json")
	if err := os.WriteFile(emptyDoc, []byte(`{"NetworkInterfaces": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{os.DevNull, emptyDoc} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run([]string{"enrich", "--enis", path}, strings.NewReader(readFixture(t, "web-only.log")), &stdout, &stderr)
			if status != exitUsage {
				t.Errorf("status %d, want %d; stderr:\n%s", status, exitUsage, stderr.String())
			}
			for _, s := range []string{"lists no network interface", "--allow-empty-inventory"} {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("wrote %d bytes of output, want none", stdout.Len())
			}

			stdout.Reset()
			stderr.Reset()
			status = run([]string{"enrich", "--enis", path, "--allow-empty-inventory"}, strings.NewReader(readFixture(t, "web-only.log")), &stdout, &stderr)
			if status != exitOK {
				t.Errorf("with --allow-empty-inventory: status %d; stderr:\n%s", status, stderr.String())
			}
			if !strings.Contains(stderr.String(), "WARNING: --enis "+path+" lists no network interface") {
				t.Errorf("no warning:\n%s", stderr.String())
			}
			if got, want := lastLine(stderr.String()), "read=11 written=11 rejected=0"; got != want {
				t.Errorf("last stderr line %q, want %q", got, want)
			}
			if stdout.Len() == 0 {
				t.Error("no rows written")
			}
		})
	}
}
