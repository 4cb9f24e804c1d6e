package parquetrows

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

func roundTrip(t *testing.T, rows []connrows.Row) []connrows.Row {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, want %d", len(got), len(rows))
	}
	return got
}

// TestRoundTrip writes rows with ordinary and extreme but accepted values,
// more than two batches of them, and reads them back as written (compared
// through their NDJSON encoding, which writes every field).
func TestRoundTrip(t *testing.T) {
	t0 := time.Date(2024, 3, 5, 10, 20, 30, 0, time.UTC)
	last := time.Date(2262, 4, 11, 23, 47, 16, 0, time.UTC) // flowrecord.MaxTime
	client := &connrows.Endpoint{
		Addr: "172.31.16.139", ARNs: []string{"arn:aws:ec2:us-east-1:123456789010:instance/i-01234567"},
		InterfaceID: "eni-1235b8ca123456789", SubnetID: "subnet-12345abc", VPCID: "vpc-abcdef123",
		AccountID: "123456789010", SecurityGroupIDs: []string{"sg-abcdef123"}, Region: "us-east-1",
		Type: "ec2:instance", Rfc1918: true, Tags: map[string]string{"app": "DataProcessor", "é": "<\u2028>"},
	}
	server := &connrows.Endpoint{Addr: "53.29.43.55", Region: "us-east-1", Type: "aws:service", AwsService: "s3", Public: true}
	base := []connrows.Row{
		{
			Protocol: "tcp", Uploaded: 4249, Downloaded: 332, UploadedPackets: 20, DownloadedPackets: 4,
			Start: t0, End: t0.Add(time.Minute), Window: t0.Truncate(time.Minute), Action: "ACCEPT",
			ServerPort: 22, TrafficPath: "same-vpc", Records: 2, LogStatus: connrows.LogStatusOK,
			Client: client, Server: server,
		},
		{
			Protocol: "tcp", Uploaded: math.MaxInt64, Downloaded: math.MaxInt64,
			UploadedPackets: math.MaxInt64, DownloadedPackets: math.MaxInt64,
			Start: last, End: last, Window: last.Truncate(time.Minute), Action: "ACCEPT",
			ServerPort: math.MaxUint16, Records: math.MaxInt64, Duplicates: math.MaxInt64 - 1,
			LogStatus: connrows.LogStatusOK, Client: client, Server: client,
		},
		{
			Protocol: "255", Start: time.Unix(0, 0).UTC(), End: last, Window: time.Unix(0, 0).UTC(),
			Action: "REJECT", Records: 1, LogStatus: connrows.LogStatusOK, Client: server, Server: server,
		},
		{
			Start: t0, End: t0, Window: t0, Records: 1, LogStatus: connrows.LogStatusNoData,
			InterfaceID: "eni-0", AccountID: "000000000000",
		},
	}
	rows := make([]connrows.Row, 2100) // crosses the batch size twice
	for i := range rows {
		rows[i] = base[i%len(base)]
	}
	got := roundTrip(t, rows)
	for i := range got {
		g, w := connrows.AppendJSON(nil, &got[i]), connrows.AppendJSON(nil, &rows[i])
		if !bytes.Equal(g, w) {
			t.Fatalf("row %d read back as\n %s\nwant\n %s", i, g, w)
		}
	}
}

// TestPastMaxTime pins why flowrecord.MaxTime is where it is: one second
// later, Read no longer reads back the time written.
func TestPastMaxTime(t *testing.T) {
	past := time.Date(2262, 4, 11, 23, 47, 17, 0, time.UTC)
	got := roundTrip(t, []connrows.Row{{Start: past, End: past, Window: past, LogStatus: connrows.LogStatusOK}})
	if got[0].Start.Equal(past) {
		t.Errorf("%v reads back as %v: the bound on times can move later", past, got[0].Start)
	}
}
