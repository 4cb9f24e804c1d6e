package enrich

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// benchRecords is the number of log events in a benchmark payload: a large
// but ordinary subscription batch.
const benchRecords = 10_000

// payloadInventory returns an inventory that knows the network interface of
// a generated payload: the interface-id of its records, owning their
// private addresses, attached to a tagged instance.
func payloadInventory(tb testing.TB, gz []byte) *inventory.Inventory {
	tb.Helper()
	data, err := subscription.DecodeNaive(gz)
	if err != nil {
		tb.Fatal(err)
	}
	p := flowrecord.NewParser(flowrecord.DefaultFormat)
	var rec flowrecord.Record
	eni := ""
	var v4, v6 []string
	seen := map[netip.Addr]bool{}
	for _, ev := range data.LogEvents {
		if err := p.Parse([]byte(ev.Message), &rec); err != nil {
			tb.Fatalf("generated record does not parse: %v", err)
		}
		eni = string(rec.InterfaceID())
		for _, a := range []netip.Addr{rec.SrcAddr(), rec.DstAddr()} {
			local := a.IsPrivate() || netip.MustParsePrefix("2001:db8::/32").Contains(a)
			if !a.IsValid() || seen[a] || !local {
				continue
			}
			seen[a] = true
			if a.Is4() {
				v4 = append(v4, a.String())
			} else {
				v6 = append(v6, a.String())
			}
		}
	}
	type ip struct {
		PrivateIPAddress string `json:"PrivateIpAddress,omitempty"`
		IPv6Address      string `json:"Ipv6Address,omitempty"`
	}
	iface := map[string]any{
		"NetworkInterfaceId": eni, "OwnerId": data.Owner, "InterfaceType": "interface",
		"AvailabilityZone": "us-east-1a", "AvailabilityZoneId": "use1-az1",
		"SubnetId": "subnet-0a0000000000000a1", "VpcId": "vpc-0c1d2e3f4a5b6c7d8",
		"Groups":     []map[string]string{{"GroupId": "sg-0f1e2d3c4b5a69788", "GroupName": "web"}},
		"Attachment": map[string]string{"InstanceId": "i-0abc12345def67890", "InstanceOwnerId": data.Owner, "Status": "attached"},
		"TagSet":     []map[string]string{{"Key": "Name", "Value": "web-1"}, {"Key": "app", "Value": "DataProcessor"}, {"Key": "owner", "Value": "data-team@example.com"}},
	}
	var ips []ip
	for _, a := range v4 {
		ips = append(ips, ip{PrivateIPAddress: a})
	}
	if len(v4) > 0 {
		iface["PrivateIpAddress"] = v4[0]
	}
	iface["PrivateIpAddresses"] = ips
	var ip6 []ip
	for _, a := range v6 {
		ip6 = append(ip6, ip{IPv6Address: a})
	}
	iface["Ipv6Addresses"] = ip6
	doc, err := json.Marshal(map[string]any{"NetworkInterfaces": []any{iface}})
	if err != nil {
		tb.Fatal(err)
	}
	inv := inventory.New()
	if err := inv.LoadNetworkInterfaces(strings.NewReader(string(doc)), timeZero); err != nil {
		tb.Fatal(err)
	}
	if inv.Len() != 1 || len(v4) == 0 {
		tb.Fatalf("payload inventory: %d interfaces, addresses %v %v", inv.Len(), v4, v6)
	}
	return inv
}

// BenchmarkEndToEnd measures the Lambda path: the base64 awslogs.data of a
// subscription event to aggregated rows, as gzip NDJSON.
func BenchmarkEndToEnd(b *testing.B) { benchEndToEnd(b, Options{}) }

// BenchmarkEndToEndInternetAddrs is BenchmarkEndToEnd with every internet
// address an endpoint of its own: the generated payload's peers are random
// public addresses, so nearly every record becomes a row.
func BenchmarkEndToEndInternetAddrs(b *testing.B) { benchEndToEnd(b, Options{InternetAddrs: true}) }

func benchEndToEnd(b *testing.B, opts Options) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	data := base64.StdEncoding.EncodeToString(gz)
	inv := payloadInventory(b, gz)
	w, err := connrows.NewNDJSON(io.Discard, connrows.NDJSONOptions{Gzip: true})
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(inv, w, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		// As a warm Lambda function does for each invocation.
		w.Reset(io.Discard)
		e.Reset(w)
		if err := e.PayloadBase64(1, data); err != nil {
			b.Fatal(err)
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
		if st := e.Stats(); st.Read != benchRecords || st.Rejected != 0 {
			b.Fatalf("stats %+v", st)
		}
	}
	cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
	b.ReportMetric(float64(e.Stats().Rows), "rows/payload")
}

// BenchmarkFloorGunzip measures the least any path must do with the same
// payload: decode the base64 and decompress, with klauspost/compress/gzip
// reused from one payload to the next, into a reused buffer.
func BenchmarkFloorGunzip(b *testing.B) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	data := base64.StdEncoding.EncodeToString(gz)
	var fl floorGunzip
	var raw []byte
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		var err error
		raw, err = base64.StdEncoding.AppendDecode(raw[:0], []byte(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := fl.gunzip(raw); err != nil {
			b.Fatal(err)
		}
	}
	cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
}

// floorGunzip decompresses with klauspost/compress/gzip as efficiently as
// that reader allows: Reset rather than a new reader, and a buffer reused
// and sized from the gzip trailer.
type floorGunzip struct {
	zr  *gzip.Reader
	br  bytes.Reader
	buf []byte
}

func (f *floorGunzip) gunzip(gz []byte) ([]byte, error) {
	f.br.Reset(gz)
	var err error
	if f.zr == nil {
		f.zr, err = gzip.NewReader(&f.br)
	} else {
		err = f.zr.Reset(&f.br)
	}
	if err != nil {
		return nil, err
	}
	buf := f.buf[:0]
	if len(gz) >= 18 {
		if hint := int(binary.LittleEndian.Uint32(gz[len(gz)-4:])); cap(buf) < hint+1 {
			buf = make([]byte, 0, hint+1)
		}
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.zr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	f.buf = buf
	return buf, nil
}

// BenchmarkNaive measures the straightforward path with the same payload:
// base64 and the standard library's gzip and encoding/json into the
// aws-lambda-go types, then each message split into its fields.
func BenchmarkNaive(b *testing.B) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	data := base64.StdEncoding.EncodeToString(gz)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	fields := 0
	cpu := cputime.Process()
	for b.Loop() {
		raw, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			b.Fatal(err)
		}
		msg, err := subscription.DecodeNaive(raw)
		if err != nil {
			b.Fatal(err)
		}
		for _, ev := range msg.LogEvents {
			fields += len(strings.Fields(ev.Message))
		}
	}
	if fields == 0 {
		b.Fatal("no fields")
	}
	cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
}

var timeZero = time.Time{}

// BenchmarkReadLines measures the command-line path: flow log lines, as
// stored in S3, to aggregated rows as gzip NDJSON.
func BenchmarkReadLines(b *testing.B) {
	gz := subscription.GeneratePayload(benchRecords, 1)
	msg, err := subscription.DecodeNaive(gz)
	if err != nil {
		b.Fatal(err)
	}
	var text []byte
	for _, ev := range msg.LogEvents {
		text = append(append(text, ev.Message...), '\n')
	}
	inv := payloadInventory(b, gz)
	w, err := connrows.NewNDJSON(io.Discard, connrows.NDJSONOptions{Gzip: true})
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(inv, w, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		w.Reset(io.Discard)
		e.Reset(w)
		if err := e.ReadLines(bytes.NewReader(text)); err != nil {
			b.Fatal(err)
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
	cputime.ReportRecords(b, float64(benchRecords)*float64(b.N), cpu)
}
