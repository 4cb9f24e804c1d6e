package connrows

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
)

var t0 = time.Unix(1418530010, 0).UTC()

func sampleRows() []Row {
	client := &Endpoint{
		Addr: "172.31.16.139", ARNs: []string{"arn:aws:ec2:us-east-1:123456789010:instance/i-01234567"},
		InterfaceID: "eni-1235b8ca123456789", SubnetID: "subnet-12345abc", VPCID: "vpc-abcdef123",
		AccountID: "123456789010", SecurityGroupIDs: []string{"sg-abcdef123"},
		AvailabilityZone: "us-east-1b", AvailabilityZoneID: "use1-az2", Region: "us-east-1",
		Type: "ec2:instance", Rfc1918: true,
		Tags: map[string]string{"owner": "aidan@awsteele.com", "app": "DataProcessor", "aws:cloudformation:stack-name": "MyStack"},
	}
	server := &Endpoint{Addr: "53.29.43.55", Region: "us-east-1", Type: "aws:service", AwsService: "s3", Public: true}
	odd := &Endpoint{
		Type: "unknown", Tags: map[string]string{"quote\"back\\slash": "<tag> & \u2028 \x01 \xff\tend", "é": "ü"},
		LoadBalancerType: "network", Ula: true, Rfc6598: true,
	}
	return []Row{
		{
			Protocol: "tcp", Uploaded: 4249, Downloaded: 332, UploadedPackets: 20, DownloadedPackets: 4,
			Start: t0, End: t0.Add(time.Minute), Window: t0.Truncate(time.Minute), Action: "ACCEPT",
			ServerPort: 22, TrafficPath: "same-vpc", Records: 2, LogStatus: LogStatusOK,
			Client: client, Server: server,
		},
		{
			Protocol: "47", Start: t0, End: t0, Window: t0, ServerPort: 0, CrossAz: true,
			Records: 3, Duplicates: 1, LogStatus: LogStatusOK, Client: odd, Server: odd,
		},
		{
			Start: t0, End: t0.Add(10 * time.Minute), Window: t0.Truncate(time.Minute),
			Records: 1, LogStatus: LogStatusNoData, InterfaceID: "eni-1235b8ca123456789", AccountID: "123456789010",
		},
	}
}

// TestAppendJSONMatchesEncodingJSON checks the hand-written encoder against
// encoding/json, with and without the frozen endpoint encodings.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	for _, frozen := range []bool{false, true} {
		for i, r := range sampleRows() {
			t.Run(map[bool]string{false: "live", true: "frozen"}[frozen]+"/"+string(rune('a'+i)), func(t *testing.T) {
				want, err := json.Marshal(&r)
				if err != nil {
					t.Fatal(err)
				}
				if frozen {
					for _, e := range []*Endpoint{r.Client, r.Server} {
						if e != nil {
							e.Freeze()
						}
					}
				}
				got := AppendJSON(nil, &r)
				if !bytes.Equal(got, want) {
					t.Errorf("AppendJSON:\n got %s\nwant %s", got, want)
				}
			})
		}
	}
}

// TestEndpointOfMatchesAttribution checks that the output endpoint carries
// every field of attribution.Endpoint under the same JSON name.
func TestEndpointOfMatchesAttribution(t *testing.T) {
	full := attribution.Endpoint{
		Addr: netip.MustParseAddr("10.0.1.10"), ARNs: []string{"arn:aws:ec2:us-east-1:1:instance/i-1", "x"},
		InterfaceID: "eni-1", SubnetID: "subnet-1", VPCID: "vpc-1", AccountID: "1",
		SecurityGroupIDs: []string{"sg-1", "sg-2"}, AvailabilityZone: "us-east-1a", AvailabilityZoneID: "use1-az1",
		Region: "us-east-1", Type: attribution.TypeLoadBalancer, LoadBalancerType: attribution.LoadBalancerNetwork,
		Rfc1918: true, Rfc6598: true, Ula: true, Public: true, Tags: map[string]string{"a": "b"}, AwsService: "s3",
	}
	// Every field of attribution.Endpoint is set, so a field added there
	// and not here makes the encodings differ.
	v := reflect.ValueOf(full)
	for i := range v.NumField() {
		if v.Type().Field(i).IsExported() && v.Field(i).IsZero() {
			t.Fatalf("test endpoint leaves %s unset", v.Type().Field(i).Name)
		}
	}
	tests := map[string]attribution.Endpoint{
		"full":    full,
		"empty":   {Type: attribution.TypeUnknown},
		"service": {Addr: netip.MustParseAddr("2600:1f18::1"), Type: attribution.TypeAWSService, AwsService: "dynamodb", Public: true},
	}
	for name, e := range tests {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(&e)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(EndpointOf(&e))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("EndpointOf encodes as\n %s\nwant\n %s", got, want)
			}
		})
	}
}

func TestNDJSONWriter(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "gzip"}[gz], func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewNDJSON(&buf, NDJSONOptions{Gzip: gz})
			if err != nil {
				t.Fatal(err)
			}
			rows := sampleRows()
			// Enough rows to cross the internal flush threshold.
			var want bytes.Buffer
			for i := range 500 {
				r := rows[i%len(rows)]
				if err := w.Write(&r); err != nil {
					t.Fatal(err)
				}
				want.Write(AppendJSON(nil, &r))
				want.WriteByte('\n')
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			if gz {
				zr, err := gzip.NewReader(&buf)
				if err != nil {
					t.Fatal(err)
				}
				if got, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("output differs from the rows: got %d bytes, want %d", len(got), want.Len())
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"tcp", ProtocolName(6), "tcp"},
		{"udp", ProtocolName(17), "udp"},
		{"icmp", ProtocolName(1), "icmp"},
		{"icmpv6", ProtocolName(58), "icmpv6"},
		{"unnamed protocol", ProtocolName(253), "253"},
		{"absent path", TrafficPathName(0), ""},
		{"same VPC", TrafficPathName(1), "same-vpc"},
		{"internet gateway", TrafficPathName(8), "internet-gateway"},
		{"undocumented path", TrafficPathName(9), "9"},
		{"partition", PartitionPath(time.Date(2014, 12, 14, 4, 6, 0, 0, time.FixedZone("x", 3600))), "dt=2014-12-14/hour=03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestCrossAZ(t *testing.T) {
	tests := []struct {
		name string
		a, b *Endpoint
		want bool
	}{
		{"same zone ID", &Endpoint{AvailabilityZoneID: "use1-az1"}, &Endpoint{AvailabilityZoneID: "use1-az1"}, false},
		{"different zone IDs", &Endpoint{AvailabilityZoneID: "use1-az1"}, &Endpoint{AvailabilityZoneID: "use1-az2"}, true},
		{"zone IDs win over names", &Endpoint{AvailabilityZone: "us-east-1a", AvailabilityZoneID: "use1-az1"}, &Endpoint{AvailabilityZone: "us-east-1b", AvailabilityZoneID: "use1-az1"}, false},
		{"names in one account", &Endpoint{AccountID: "1", AvailabilityZone: "us-east-1a"}, &Endpoint{AccountID: "1", AvailabilityZone: "us-east-1b"}, true},
		{"names in two accounts say nothing", &Endpoint{AccountID: "1", AvailabilityZone: "us-east-1a"}, &Endpoint{AccountID: "2", AvailabilityZone: "us-east-1b"}, false},
		{"one zone unknown", &Endpoint{AvailabilityZoneID: "use1-az1"}, &Endpoint{Type: "internet"}, false},
		{"nil end", &Endpoint{AvailabilityZoneID: "use1-az1"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CrossAZ(tt.a, tt.b); got != tt.want {
				t.Errorf("CrossAZ = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAppendTimeRandom checks the hand-written time encoding against
// encoding/json's over the years it covers, their ends, and times it leaves
// to time.Time.AppendFormat.
func TestAppendTimeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{
		time.Unix(0, 0).UTC(), time.Unix(-1, 0).UTC(), time.Unix(86399, 0).UTC(), time.Unix(86400, 0).UTC(),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 5, 14, 9, 0, 0, 1, time.UTC), time.Date(2024, 5, 14, 9, 0, 0, 0, time.FixedZone("x", 3600)),
		time.Date(2024, 5, 14, 9, 0, 0, 0, time.Local), {}, t0,
	}
	for range 100_000 {
		times = append(times, time.Unix(rng.Int64N(253402300800+62167219200)-62167219200, 0).UTC())
	}
	for range 1000 {
		times = append(times, time.Unix(1_700_000_000+rng.Int64N(1e8), 0).UTC())
	}
	for _, tm := range times {
		want, err := json.Marshal(tm)
		if err != nil {
			// Years json refuses: RFC 3339 as time formats it.
			want = []byte(`"` + tm.Format(time.RFC3339Nano) + `"`)
		}
		if got := appendTime(nil, tm); string(got) != string(want) {
			t.Fatalf("appendTime(%v) = %s, want %s", tm, got, want)
		}
	}
}
