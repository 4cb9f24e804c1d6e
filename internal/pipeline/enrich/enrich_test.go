package enrich

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixture loads the interfaces, tags and AWS ranges in testdata.
func fixture(tb testing.TB) *inventory.Inventory {
	tb.Helper()
	inv := inventory.New()
	loads := []struct {
		file string
		load func(io.Reader) error
	}{
		{"network-interfaces.json", func(r io.Reader) error { return inv.LoadNetworkInterfaces(r, time.Time{}) }},
		{"get-resources.json", inv.LoadTags},
		{"ip-ranges.json", inv.LoadIPRanges},
	}
	for _, l := range loads {
		f, err := os.Open(filepath.Join("testdata", l.file))
		if err != nil {
			tb.Fatal(err)
		}
		err = l.load(f)
		f.Close()
		if err != nil {
			tb.Fatalf("loading %s: %v", l.file, err)
		}
	}
	return inv
}

// result is what a run of the pipeline produced.
type result struct {
	rows    []byte // JSON lines
	rejects []string
	stats   Stats
}

// format selects the writer a run uses.
type format int

const (
	formatNDJSON format = iota
	formatParquet
)

// enrichWith runs input through a fresh Enricher and returns the rows as
// JSON lines: the gunzipped NDJSON output, or the Parquet output read back.
func enrichWith(tb testing.TB, inv *inventory.Inventory, opts Options, f format, feed func(*Enricher) error) result {
	tb.Helper()
	var res result
	opts.Reject = func(r Rejection) { res.rejects = append(res.rejects, r.Error()) }
	var buf bytes.Buffer
	var w connrows.Writer
	if f == formatParquet {
		w = parquetrows.NewWriter(&buf)
	} else {
		nw, err := connrows.NewNDJSON(&buf, connrows.NDJSONOptions{Gzip: true})
		if err != nil {
			tb.Fatal(err)
		}
		w = nw
	}
	e, err := New(inv, w, opts)
	if err != nil {
		tb.Fatal(err)
	}
	if err := feed(e); err != nil {
		tb.Fatal(err)
	}
	if err := e.Close(); err != nil {
		tb.Fatal(err)
	}
	res.stats = e.Stats()
	if f == formatParquet {
		rows, err := parquetrows.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			tb.Fatalf("reading the Parquet output back: %v", err)
		}
		for i := range rows {
			res.rows = connrows.AppendJSON(res.rows, &rows[i])
			res.rows = append(res.rows, '\n')
		}
		return res
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	if res.rows, err = io.ReadAll(zr); err != nil {
		tb.Fatal(err)
	}
	return res
}

func lines(input []byte) func(*Enricher) error {
	return func(e *Enricher) error { return e.ReadLines(bytes.NewReader(input)) }
}

// checkGolden compares got with a golden file, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
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

func sumRecords(tb testing.TB, rows []byte) int {
	tb.Helper()
	n := 0
	for _, line := range bytes.Split(bytes.TrimSpace(rows), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		i := bytes.Index(line, []byte(`"Records":`))
		if i < 0 {
			tb.Fatalf("row without Records: %s", line)
		}
		var r int
		if _, err := fmt.Sscanf(string(line[i+len(`"Records":`):]), "%d", &r); err != nil {
			tb.Fatalf("row %s: %v", line, err)
		}
		n += r
	}
	return n
}

func TestGolden(t *testing.T) {
	inv := fixture(t)
	webOnly := func(interfaceID, subnetID, vpcID string) bool { return interfaceID == "eni-0a1b2c3d4e5f60718" }
	tests := []struct {
		name  string
		input string
		opts  Options
	}{
		{"default", "default.log", Options{}},
		{"default-internet-addrs", "default.log", Options{InternetAddrs: true}},
		// Only web-1's interface has a flow log: its copies of what its
		// peers send are the only ones there are.
		{"web-only", "web-only.log", Options{Monitored: webOnly}},
		// The same input read as if every known interface had a flow log:
		// web-1's copies of its monitored peers' traffic are taken for
		// duplicates of records that never come, so downloads are lost.
		// This is why Monitored must describe the flow logs.
		{"web-only-all-monitored", "web-only.log", Options{}},
		{"custom", "custom.log", Options{}},
		{"custom-window-10s", "custom.log", Options{Window: 10 * time.Second, Lateness: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input, err := os.ReadFile(filepath.Join("testdata", tt.input))
			if err != nil {
				t.Fatal(err)
			}
			nd := enrichWith(t, inv, tt.opts, formatNDJSON, lines(input))
			pq := enrichWith(t, inv, tt.opts, formatParquet, lines(input))
			checkGolden(t, tt.name+".ndjson", nd.rows)
			checkGolden(t, tt.name+".parquet.ndjson", pq.rows)
			if !bytes.Equal(nd.rows, pq.rows) {
				t.Errorf("Parquet rows read back differ from the NDJSON rows")
			}
			s := nd.stats
			report := strings.Join(nd.rejects, "\n") + "\n" +
				fmt.Sprintf("read=%d written=%d rejected=%d headers=%d folded=%d duplicates=%d nodata=%d skipdata=%d rows=%d\n",
					s.Read, s.Written, s.Rejected, s.Headers, s.Folded, s.Duplicates, s.NoData, s.SkipData, s.Rows)
			checkGolden(t, tt.name+".report", []byte(report))

			// Conservation: every line is a header, written or rejected,
			// and the rows account for every record written.
			nLines := bytes.Count(input, []byte("\n"))
			if s.Read+s.Headers != nLines {
				t.Errorf("read %d + headers %d != %d lines", s.Read, s.Headers, nLines)
			}
			if s.Read != s.Written+s.Rejected {
				t.Errorf("read %d != written %d + rejected %d", s.Read, s.Written, s.Rejected)
			}
			if got := sumRecords(t, nd.rows); got != s.Written {
				t.Errorf("rows hold %d records, want written = %d", got, s.Written)
			}
			if len(nd.rejects) != s.Rejected {
				t.Errorf("%d rejections reported, stats say %d", len(nd.rejects), s.Rejected)
			}
		})
	}
}

// row decodes the single connection row a run produced.
func connectionRows(tb testing.TB, rows []byte) []connrows.Row {
	tb.Helper()
	var out []connrows.Row
	dec := json.NewDecoder(bytes.NewReader(rows))
	for dec.More() {
		var r connrows.Row
		if err := dec.Decode(&r); err != nil {
			tb.Fatal(err)
		}
		if r.LogStatus == connrows.LogStatusOK {
			out = append(out, r)
		}
	}
	return out
}

func TestPairing(t *testing.T) {
	const (
		web    = "eni-0a1b2c3d4e5f60718" // 10.0.1.10, us-east-1a
		api    = "eni-0b2c3d4e5f6071829" // 10.0.2.20, us-east-1b
		batch  = "eni-0c3d4e5f60718293a" // 10.0.9.30, us-east-1c
		record = "2 111122223333 %s %s %s %d %d 6 %d %d 1418530010 1418530070 ACCEPT OK"
	)
	line := func(eni, src, dst string, sport, dport, packets, bytes int) string {
		return fmt.Sprintf(record, eni, src, dst, sport, dport, packets, bytes)
	}
	only := func(ids ...string) func(string, string, string) bool {
		return func(eni, _, _ string) bool {
			for _, id := range ids {
				if eni == id {
					return true
				}
			}
			return false
		}
	}
	type want struct {
		client, server           string // addresses
		port                     int32
		up, down, upPkts, dnPkts int64
		records, dups            int64
		crossAZ                  bool
	}
	tests := []struct {
		name  string
		lines []string
		opts  Options
		want  want
	}{
		{
			name: "both directions, one interface",
			lines: []string{
				line(web, "10.0.1.10", "10.0.9.30", 40000, 443, 10, 1000),
				line(web, "10.0.9.30", "10.0.1.10", 443, 40000, 20, 30000),
			},
			opts: Options{Monitored: only(web)},
			want: want{"10.0.1.10", "10.0.9.30", 443, 1000, 30000, 10, 20, 2, 0, true},
		},
		{
			name: "server's direction first",
			lines: []string{
				line(web, "10.0.9.30", "10.0.1.10", 443, 40000, 20, 30000),
				line(web, "10.0.1.10", "10.0.9.30", 40000, 443, 10, 1000),
			},
			opts: Options{Monitored: only(web)},
			want: want{"10.0.1.10", "10.0.9.30", 443, 1000, 30000, 10, 20, 2, 0, true},
		},
		{
			name: "both interfaces monitored: each direction counted once",
			lines: []string{
				line(web, "10.0.1.10", "10.0.2.20", 40000, 8080, 10, 1000),
				line(api, "10.0.1.10", "10.0.2.20", 40000, 8080, 10, 1000),
				line(api, "10.0.2.20", "10.0.1.10", 8080, 40000, 20, 30000),
				line(web, "10.0.2.20", "10.0.1.10", 8080, 40000, 20, 30000),
			},
			want: want{"10.0.1.10", "10.0.2.20", 8080, 1000, 30000, 10, 20, 4, 2, true},
		},
		{
			name: "both monitored, server's interface logs first",
			lines: []string{
				line(api, "10.0.2.20", "10.0.1.10", 8080, 40000, 20, 30000),
				line(api, "10.0.1.10", "10.0.2.20", 40000, 8080, 10, 1000),
				line(web, "10.0.2.20", "10.0.1.10", 8080, 40000, 20, 30000),
				line(web, "10.0.1.10", "10.0.2.20", 40000, 8080, 10, 1000),
			},
			want: want{"10.0.1.10", "10.0.2.20", 8080, 1000, 30000, 10, 20, 4, 2, true},
		},
		{
			name: "server unmonitored: the client's copies carry both directions",
			lines: []string{
				line(web, "10.0.1.10", "10.0.2.20", 40000, 8080, 10, 1000),
				line(web, "10.0.2.20", "10.0.1.10", 8080, 40000, 20, 30000),
			},
			opts: Options{Monitored: only(web)},
			want: want{"10.0.1.10", "10.0.2.20", 8080, 1000, 30000, 10, 20, 2, 0, true},
		},
		{
			name: "client unmonitored: the server's copies carry both directions",
			lines: []string{
				line(api, "10.0.1.10", "10.0.2.20", 40000, 8080, 10, 1000),
				line(api, "10.0.2.20", "10.0.1.10", 8080, 40000, 20, 30000),
			},
			opts: Options{Monitored: only(api)},
			want: want{"10.0.1.10", "10.0.2.20", 8080, 1000, 30000, 10, 20, 2, 0, true},
		},
		{
			name: "peer outside the inventory",
			lines: []string{
				line(api, "10.9.9.9", "10.0.2.20", 40000, 8080, 10, 1000),
				line(api, "10.0.2.20", "10.9.9.9", 8080, 40000, 20, 30000),
			},
			want: want{"10.9.9.9", "10.0.2.20", 8080, 1000, 30000, 10, 20, 2, 0, false},
		},
		{
			name: "same zone",
			lines: []string{
				line(web, "10.0.1.10", "10.0.3.41", 40000, 5432, 10, 1000),
				line(web, "10.0.3.41", "10.0.1.10", 5432, 40000, 20, 30000),
			},
			opts: Options{Monitored: only(web)},
			want: want{"10.0.1.10", "10.0.3.41", 5432, 1000, 30000, 10, 20, 2, 0, false},
		},
	}
	inv := fixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := []byte(strings.Join(tt.lines, "\n") + "\n")
			res := enrichWith(t, inv, tt.opts, formatNDJSON, lines(input))
			rows := connectionRows(t, res.rows)
			if len(rows) != 1 {
				t.Fatalf("got %d connection rows, want 1:\n%s", len(rows), res.rows)
			}
			r := rows[0]
			got := want{r.Client.Addr, r.Server.Addr, r.ServerPort, r.Uploaded, r.Downloaded,
				r.UploadedPackets, r.DownloadedPackets, r.Records, r.Duplicates, r.CrossAz}
			if got != tt.want {
				t.Errorf("row = %+v\nwant  %+v", got, tt.want)
			}
		})
	}
}
