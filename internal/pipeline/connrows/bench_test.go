package connrows

import (
	"io"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/cputime"
)

// benchRows makes the rows of a busy subscription payload: 2,000
// connections between 60 attributed instances of a VPC (tagged, as
// Terraform-managed resources are) and addresses on the internet or AWS
// services, their endpoints frozen as the enrichment freezes them.
func benchRows() []Row {
	rng := rand.New(rand.NewPCG(1, 2))
	locals := make([]*Endpoint, 60)
	for i := range locals {
		az := []string{"a", "b", "c"}[i%3]
		id := strconv.FormatUint(1<<59|rng.Uint64()>>5, 16)
		locals[i] = &Endpoint{
			Addr:        netip.AddrFrom4([4]byte{10, 0, byte(i / 20), byte(10 + i)}).String(),
			ARNs:        []string{"arn:aws:ec2:eu-west-1:123456789012:instance/i-0" + id},
			InterfaceID: "eni-0" + id, SubnetID: "subnet-0" + id[:8] + az, VPCID: "vpc-0abcdef1234567890",
			AccountID: "123456789012", SecurityGroupIDs: []string{"sg-0" + id[:12], "sg-0123456789abcdef0"},
			AvailabilityZone: "eu-west-1" + az, AvailabilityZoneID: "euw1-az" + strconv.Itoa(1+i%3), Region: "eu-west-1",
			Type: "ec2:instance", Rfc1918: true,
			Tags: map[string]string{
				"Name": "app-" + strconv.Itoa(i), "Environment": "production", "Team": "payments",
				"ManagedBy": "terraform", "Service": []string{"api", "worker", "db"}[i%3], "CostCenter": "cc-1234",
			},
		}
		locals[i].Freeze()
	}
	remotes := make([]*Endpoint, 200)
	for i := range remotes {
		e := &Endpoint{
			Addr: netip.AddrFrom4([4]byte{byte(1 + rng.IntN(222)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}).String(),
			Type: "internet", Public: true,
		}
		if i%4 == 0 {
			e.Type, e.AwsService, e.Region = "aws:service", "S3", "eu-west-1"
		}
		e.Freeze()
		remotes[i] = e
	}
	start := time.Unix(1_760_000_000, 0).UTC()
	rows := make([]Row, 2000)
	for i := range rows {
		t := start.Add(time.Duration(rng.IntN(60)) * time.Second)
		packets := 1 + rng.Int64N(500)
		r := Row{
			Protocol: []string{"tcp", "tcp", "tcp", "udp", "icmp"}[rng.IntN(5)],
			Uploaded: packets * (40 + rng.Int64N(1460)), Downloaded: packets * (40 + rng.Int64N(1460)),
			UploadedPackets: packets, DownloadedPackets: packets + rng.Int64N(10),
			Start: t, End: t.Add(time.Duration(rng.IntN(60)) * time.Second), Window: start.Truncate(time.Hour),
			Action: "ACCEPT", ServerPort: int32([]int{443, 80, 22, 5432}[rng.IntN(4)]),
			TrafficPath: "internet-gateway", Records: 1 + rng.Int64N(5), LogStatus: LogStatusOK,
			Client: locals[rng.IntN(len(locals))], Server: remotes[rng.IntN(len(remotes))],
		}
		if rng.IntN(5) == 0 {
			r.Action = "REJECT"
		}
		if rng.IntN(10) == 0 {
			r.Client, r.Server = r.Server, r.Client
		}
		rows[i] = r
	}
	return rows
}

// BenchmarkWriteNDJSON measures writing a payload's rows as gzip NDJSON,
// as the S3 sink stores them.
func BenchmarkWriteNDJSON(b *testing.B) {
	rows := benchRows()
	w, err := NewNDJSON(io.Discard, NDJSONOptions{Gzip: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		w.Reset(io.Discard)
		for i := range rows {
			if err := w.Write(&rows[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	if d := cputime.Process() - cpu; d > 0 {
		b.ReportMetric(float64(len(rows))*float64(b.N)/d.Seconds(), "rows/cpu-s")
	}
}
