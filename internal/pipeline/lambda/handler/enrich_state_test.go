package handler

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

func stateRow(window string, client, server *connrows.Endpoint, port int32, up int64, records int64) connrows.Row {
	w, err := time.Parse(time.RFC3339, window)
	if err != nil {
		panic(err)
	}
	return connrows.Row{
		Protocol: "tcp", Uploaded: up, Downloaded: 2 * up, UploadedPackets: 3, DownloadedPackets: 4,
		Start: w.Add(5 * time.Second), End: w.Add(65 * time.Second), Window: w, Action: "ACCEPT",
		ServerPort: port, Records: records, LogStatus: connrows.LogStatusOK, Client: client, Server: server,
	}
}

func frozen(ep connrows.Endpoint) *connrows.Endpoint {
	ep.Freeze()
	return &ep
}

var (
	web = frozen(connrows.Endpoint{Addr: "10.0.1.10", ARNs: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"},
		InterfaceID: "eni-1", AvailabilityZone: "us-east-1a", AvailabilityZoneID: "use1-az1", Type: "ec2:instance",
		Rfc1918: true, Tags: map[string]string{"app": "web", "owner": "team@example.com"}})
	db = frozen(connrows.Endpoint{Addr: "10.0.2.20", ARNs: []string{"arn:aws:rds:us-east-1:123456789012:db:orders"},
		AvailabilityZoneID: "use1-az2", Type: "rds:db", Rfc1918: true})
	// The same instance seen at another of its addresses: same identity.
	webOtherAddr = frozen(connrows.Endpoint{Addr: "10.0.1.11", ARNs: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"},
		Type: "ec2:instance", Rfc1918: true})
	internet = frozen(connrows.Endpoint{Type: "internet", Public: true})
	s3svc    = frozen(connrows.Endpoint{Addr: "52.216.1.1", Type: "aws:service", AwsService: "s3", Region: "us-east-1", Public: true})
)

func TestRowTableMerge(t *testing.T) {
	tab := newRowTable()
	rows := []connrows.Row{
		stateRow("2024-06-10T10:00:00Z", web, db, 5432, 100, 2),
		stateRow("2024-06-10T10:00:00Z", webOtherAddr, db, 5432, 50, 1), // merges with the first
		stateRow("2024-06-10T10:01:00Z", web, db, 5432, 7, 1),           // next window
		stateRow("2024-06-10T10:00:00Z", web, internet, 443, 9, 1),
		stateRow("2024-06-10T10:00:00Z", web, s3svc, 443, 11, 1),
		{Window: time.Unix(1718013600, 0).UTC(), LogStatus: connrows.LogStatusNoData, Records: 1, InterfaceID: "eni-1"},
		{Window: time.Unix(1718013600, 0).UTC(), LogStatus: connrows.LogStatusNoData, Records: 1, InterfaceID: "eni-1"},
	}
	rows[1].Start = rows[0].Start.Add(-time.Second)
	rows[1].TrafficPath = "same-vpc"
	for i := range rows {
		if err := tab.add(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(tab.rows); got != 6 {
		t.Fatalf("%d rows, want 6 (one merge, NODATA rows kept apart)", got)
	}
	m := tab.rows[0]
	if m.Uploaded != 150 || m.Downloaded != 300 || m.Records != 3 || m.UploadedPackets != 6 ||
		!m.Start.Equal(rows[1].Start) || m.TrafficPath != "same-vpc" || m.Client != web {
		t.Errorf("merged row %+v", m.Row)
	}
	if got := tab.records(); got != 8 {
		t.Errorf("records %d, want 8", got)
	}
	if len(tab.endpoints) != 4 {
		t.Errorf("%d endpoints, want 4", len(tab.endpoints))
	}
}

func TestWindowStateRoundTrip(t *testing.T) {
	st := &windowState{
		Shard: "shardId-000000000001", Seen: "49590338271490256608559692538361571095921575989136588898",
		First:  "49590338271490256608559692538361571095921575989136588800",
		Counts: Counts{Payloads: 3, Read: 12, Written: 10, Rejected: 2}, Parts: 1, Rows: newRowTable(),
	}
	rows := []connrows.Row{
		stateRow("2024-06-10T10:00:00Z", web, db, 5432, 100, 2),
		stateRow("2024-06-10T10:00:00Z", web, internet, 443, 1<<40, 7),
		{Window: time.Unix(1718013600, 0).UTC(), Start: time.Unix(1718013601, 0).UTC(), End: time.Unix(1718013660, 0).UTC(),
			LogStatus: connrows.LogStatusSkipData, Records: 1, InterfaceID: "eni-1", AccountID: "123456789012", Action: "ACCEPT"},
	}
	rows[1].CrossAz = true
	rows[1].TrafficPath = "internet-gateway"
	for i := range rows {
		if err := st.Rows.add(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeState(map[string]string{stateKey: enc})
	if err != nil {
		t.Fatal(err)
	}
	if got.Shard != st.Shard || got.Seen != st.Seen || got.First != st.First || got.Counts != st.Counts || got.Parts != st.Parts {
		t.Errorf("header %+v, want %+v", got, st)
	}
	if got.Rows.size != st.Rows.size {
		t.Errorf("size %d after decoding, %d before", got.Rows.size, st.Rows.size)
	}
	if len(got.Rows.rows) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got.Rows.rows), len(rows))
	}
	for i := range rows {
		g, w := got.Rows.rows[i].Row, rows[i]
		if !reflect.DeepEqual(connrows.AppendJSON(nil, &g), connrows.AppendJSON(nil, &w)) {
			t.Errorf("row %d:\n got %s\nwant %s", i, connrows.AppendJSON(nil, &g), connrows.AppendJSON(nil, &w))
		}
	}
	// Decoded rows merge with new ones as before.
	more := stateRow("2024-06-10T10:00:00Z", webOtherAddr, db, 5432, 1, 1)
	if err := got.Rows.add(&more); err != nil {
		t.Fatal(err)
	}
	if len(got.Rows.rows) != 3 || got.Rows.rows[0].Records != 3 {
		t.Errorf("after a merge: %d rows, first has %d records", len(got.Rows.rows), got.Rows.rows[0].Records)
	}
}

func TestDecodeStateErrors(t *testing.T) {
	st := &windowState{Shard: "s", Rows: newRowTable()}
	r := stateRow("2024-06-10T10:00:00Z", web, db, 5432, 100, 2)
	if err := st.Rows.add(&r); err != nil {
		t.Fatal(err)
	}
	good, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(good)
	tests := []struct {
		name  string
		state map[string]string
		want  string
	}{
		{"not base64", map[string]string{stateKey: "%%%"}, "illegal base64"},
		{"not gzip", map[string]string{stateKey: base64.StdEncoding.EncodeToString([]byte("hello, not gzip"))}, "window state"},
		{"cut short", map[string]string{stateKey: base64.StdEncoding.EncodeToString(raw[:len(raw)-9])}, "window state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeState(tt.state)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want one with %q", err, tt.want)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		for _, m := range []map[string]string{nil, {}, {"other": "x"}} {
			st, err := decodeState(m)
			if err != nil || st.Shard != "" || !st.Rows.empty() {
				t.Errorf("decodeState(%v) = %+v, %v", m, st, err)
			}
		}
	})
}

// TestStateSizeIsExact checks the size the flush decision reads against
// the encoding: it must not be below it, or state could exceed the bound.
func TestStateSizeIsExact(t *testing.T) {
	st := &windowState{Rows: newRowTable()}
	for i := range 500 {
		r := stateRow("2024-06-10T10:00:00Z", web, db, int32(1000+i%50), int64(i)*1_000_003, int64(1+i%7))
		r.Window = r.Window.Add(time.Duration(i/100) * time.Minute)
		if err := st.Rows.add(&r); err != nil {
			t.Fatal(err)
		}
		body := 0
		body += uvarintLen(uint64(len(st.Rows.epJSON)))
		for _, js := range st.Rows.epJSON {
			body += uvarintLen(uint64(len(js))) + len(js)
		}
		body += uvarintLen(uint64(len(st.Rows.rows)))
		for j := range st.Rows.rows {
			body += len(appendRow(nil, &st.Rows.rows[j]))
		}
		// The table's size leaves out the two counts, a few bytes.
		if d := body - st.Rows.size; d < 0 || d > 10 {
			t.Fatalf("after %d rows: size %d, encoding %d", i+1, st.Rows.size, body)
		}
	}
}
