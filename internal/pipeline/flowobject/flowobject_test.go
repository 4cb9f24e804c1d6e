package flowobject

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
)

func TestParseKey(t *testing.T) {
	at := time.Date(2024, 6, 1, 12, 5, 0, 0, time.UTC)
	tests := []struct {
		key          string
		want         Key
		wantErr      string
		hive, hourly bool
	}{
		{key: "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/06/01/123456789012_vpcflowlogs_us-east-1_fl-0abc_20240601T1205Z_fe123456.log.gz",
			want: Key{Account: "123456789012", Region: "us-east-1", FlowLogID: "fl-0abc", Time: at, Kind: Text}},
		{key: "logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/06/01/12/123456789012_vpcflowlogs_us-east-1_fl-0abc_20240601T1205Z_fe123456.log.parquet",
			want: Key{Prefix: "logs", Account: "123456789012", Region: "us-east-1", FlowLogID: "fl-0abc", Time: at, Hourly: true, Kind: Parquet}},
		{key: "a/b/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=06/day=01/hour=12/123456789012_vpcflowlogs_us-east-1_fl-0abc_20240601T1205Z_fe123456.log.gz",
			want: Key{Prefix: "a/b", Account: "123456789012", Region: "us-east-1", FlowLogID: "fl-0abc", Time: at, Hive: true, Hourly: true, Kind: Text}},
		{key: "AWSLogs/123456789012/elasticloadbalancing/us-east-1/2024/06/01/x.log.gz", wantErr: "vpcflowlogs"},
		{key: "xAWSLogs/123456789012/vpcflowlogs/us-east-1/2024/06/01/x.log.gz", wantErr: "AWSLogs/"},
		{key: "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/06/01/x.txt", wantErr: ".log.gz"},
		{key: "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/06/01/123456789012_vpcflowlogs_us-east-1_fl-0abc_2024_fe.log.gz", wantErr: "YYYYMMDDTHHmmZ"},
	}
	for _, tt := range tests {
		got, err := ParseKey(tt.key)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseKey(%q): err %v, want one about %q", tt.key, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseKey(%q) = %+v, %v\nwant %+v", tt.key, got, err, tt.want)
		}
	}
}

func readAll(t *testing.T, l Lines) ([]string, []int) {
	t.Helper()
	var lines []string
	var nums []int
	for l.Next() {
		lines = append(lines, string(l.Line()))
		nums = append(nums, l.LineNumber())
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return lines, nums
}

// TestTextAndParquetLines reads the same records as a gzip text file and
// as a Parquet file, "-" (null in Parquet) included.
func TestTextAndParquetLines(t *testing.T) {
	format, err := flowrecord.ParseFormat("${version} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${tcp-flags} ${pkt-src-aws-service}")
	if err != nil {
		t.Fatal(err)
	}
	records := []string{
		"5 eni-0a1b2c3d4e5f60718 10.0.0.1 52.94.0.1 40000 443 6 10 9223372036854775807 1718000000 1718000060 ACCEPT OK 3 -",
		"5 eni-0a1b2c3d4e5f60718 52.94.0.1 10.0.0.1 443 40000 6 8 800 1718000000 1718000060 ACCEPT OK 19 S3",
		"5 eni-0a1b2c3d4e5f60718 - - - - - - - 1718000000 1718000060 - NODATA - -",
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(format.Header() + "\r\n" + strings.Join(records, "\n")))
	_ = zw.Close()
	kind, isGz, br, err := Detect(bytes.NewReader(gz.Bytes()))
	if err != nil || kind != Text || !isGz {
		t.Fatalf("Detect: %v %v %v", kind, isGz, err)
	}
	tl, err := NewTextLines(br, true)
	if err != nil {
		t.Fatal(err)
	}
	lines, nums := readAll(t, tl)
	if f, ok := tl.Format(); !ok || !f.Equal(format) {
		t.Errorf("text format %v %v, want the header's", f, ok)
	}
	if strings.Join(lines, "\n") != strings.Join(records, "\n") || nums[0] != 2 {
		t.Errorf("text lines %q numbered %v", lines, nums)
	}

	var pq bytes.Buffer
	if err := WriteParquet(&pq, format, records); err != nil {
		t.Fatal(err)
	}
	kind, _, _, err = Detect(bytes.NewReader(pq.Bytes()))
	if err != nil || kind != Parquet {
		t.Fatalf("Detect: %v %v", kind, err)
	}
	pl, err := NewParquetLines(bytes.NewReader(pq.Bytes()), int64(pq.Len()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pl.Close() }()
	// The columns come in the order of their names; the records hold the
	// same values, in that order.
	f, _ := pl.Format()
	p := flowrecord.NewParser(f)
	want := flowrecord.NewParser(format)
	var a, b flowrecord.Record
	lines, _ = readAll(t, pl)
	if len(lines) != len(records) {
		t.Fatalf("%d Parquet rows, want %d", len(lines), len(records))
	}
	for i, l := range lines {
		if err := p.Parse([]byte(l), &a); err != nil {
			t.Fatalf("row %d %q: %v", i, l, err)
		}
		if err := want.Parse([]byte(records[i]), &b); err != nil {
			t.Fatal(err)
		}
		if a.Bytes() != b.Bytes() || a.SrcAddr() != b.SrcAddr() || a.LogStatus() != b.LogStatus() || a.Start() != b.Start() ||
			string(a.InterfaceID()) != string(b.InterfaceID()) {
			t.Errorf("row %d: %q does not hold the record %q", i, l, records[i])
		}
	}
}

func TestDataErrors(t *testing.T) {
	if _, err := NewParquetLines(bytes.NewReader([]byte("PAR1 not parquet")), 16); err == nil {
		t.Error("a file that only begins like Parquet opened")
	}
	_, _, br, _ := Detect(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2}))
	if _, err := NewTextLines(br, true); err == nil {
		t.Error("a broken gzip header opened")
	}
}
