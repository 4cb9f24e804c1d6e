package synthetic

import (
	"bytes"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/attribution"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
)

func TestDeterministic(t *testing.T) {
	a, b := Generate(Options{Seed: 3}), Generate(Options{Seed: 3})
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different sets")
	}
	if c := Generate(Options{Seed: 4}); reflect.DeepEqual(a.FlowLogs, c.FlowLogs) {
		t.Error("different seeds gave the same flow logs")
	}
}

// loadSet returns the inventory of a set.
func loadSet(t *testing.T, s *Set) *inventory.Inventory {
	t.Helper()
	inv := inventory.New()
	if err := inv.LoadNetworkInterfaces(bytes.NewReader(s.NetworkInterfaces), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := inv.LoadTags(bytes.NewReader(s.Resources)); err != nil {
		t.Fatal(err)
	}
	if err := inv.LoadIPRanges(bytes.NewReader(s.IPRanges)); err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestInventoryAttribution checks that each interface is attributed as the
// generator means it, with its tags.
func TestInventoryAttribution(t *testing.T) {
	s := Generate(Options{Seed: 1})
	inv := loadSet(t, s)
	want := map[string]string{
		"web-alb-a": "elasticloadbalancing:loadbalancer", "web-1": "ec2:instance", "sessions-001": "elasticache:cluster",
		"orders-fn": "lambda:function", "orders-db": "rds:db", "billing-proxy": "rds:db-proxy", "nat": "ec2:natgateway",
	}
	gen := newGenerator(1)
	for name, typ := range want {
		t.Run(name, func(t *testing.T) {
			n := gen.byName[name]
			ep := attribution.Attribute(inv, n.addr, time.Time{}, attribution.Hints{})
			if ep.Type != typ || len(ep.ARNs) == 0 || ep.ARNs[0] != n.arn || ep.Tags["app"] != n.app ||
				ep.Tags["aws:cloudformation:stack-name"] == "" || ep.AvailabilityZoneID != zones[n.az][1] {
				t.Errorf("attributed %+v, want type %s, ARN %s, app %s", ep, typ, n.arn, n.app)
			}
		})
	}
	for _, addr := range []string{"52.216.10.20", "3.218.182.10"} {
		if ep := attribution.Attribute(inv, netip.MustParseAddr(addr), time.Time{}, attribution.Hints{}); ep.Type != "aws:service" {
			t.Errorf("%s: %+v", addr, ep)
		}
	}
}

// TestFlowLogsEnrich enriches every flow log: every record parses with its
// format, none is rejected, and the rows fold every record.
func TestFlowLogsEnrich(t *testing.T) {
	s := Generate(Options{Seed: 1})
	inv := loadSet(t, s)
	versions := map[string]bool{}
	for _, fl := range s.FlowLogs {
		t.Run(strings.Trim(fl.LogGroup, "/"), func(t *testing.T) {
			if len(fl.Lines) < 1000 {
				t.Errorf("only %d records", len(fl.Lines))
			}
			versions[strings.Fields(fl.Lines[0])[0]] = true
			var rows int64
			w := &countRows{n: &rows}
			e, err := enrich.New(inv, w, enrich.Options{Reject: func(r enrich.Rejection) { t.Errorf("rejected: %v", r) }})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.ReadLines(bytes.NewReader(fl.File())); err != nil {
				t.Fatal(err)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			st := e.Stats()
			if st.Read != len(fl.Lines) || st.Rejected != 0 || st.Headers != 1 || rows != int64(st.Written) {
				t.Errorf("stats %+v, rows fold %d, for %d lines", st, rows, len(fl.Lines))
			}
			format, err := flowrecord.ParseFormat(fl.Format)
			if err != nil {
				t.Fatal(err)
			}
			p := flowrecord.NewParser(format)
			var rec flowrecord.Record
			for i, l := range fl.Lines[:50] {
				if err := p.Parse([]byte(l), &rec); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
			}
		})
	}
	if len(versions) != 3 {
		t.Errorf("record versions %v, want three", versions)
	}
}

type countRows struct{ n *int64 }

func (c *countRows) Write(r *connrows.Row) error { *c.n += r.Records; return nil }
func (c *countRows) Close() error                { return nil }

func TestTruthShape(t *testing.T) {
	tr := Generate(Options{Seed: 1}).Truth
	if tr.CrossAZ.CrossAZBytes <= 0 || tr.CrossAZ.CrossAZBytes >= tr.CrossAZ.KnownAZBytes || tr.CrossAZ.KnownAZBytes >= tr.CrossAZ.TotalBytes {
		t.Errorf("cross-AZ %+v", tr.CrossAZ)
	}
	var apps []string
	for _, p := range tr.Peers {
		apps = append(apps, p.App)
	}
	if strings.Join(apps, ",") != "worker,api,orders" {
		t.Errorf("peers of reporting %v, want worker (over the peering link), api and orders (sessions only a month ago)", apps)
	}
	if len(tr.LBBypass) != 3 {
		t.Errorf("bypasses %+v, want 3", tr.LBBypass)
	}
	if len(tr.DirectRDS) != 2 {
		t.Errorf("direct RDS %+v, want orders-fn and reports-fn", tr.DirectRDS)
	}
	if len(tr.Growth) != 10 || tr.Growth[0].Destination != "aws:service:s3" {
		t.Errorf("growth %+v, want S3 first", tr.Growth)
	}
}

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	s := Generate(Options{Seed: 1})
	if err := s.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"network-interfaces.json", "get-resources.json", "ip-ranges.json", "truth.json", "formats.json", "flow-logs/vpcflow_shop.log"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		b, _ := io.ReadAll(f)
		_ = f.Close()
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}

func TestPeeringPath(t *testing.T) {
	set := Generate(Options{Seed: 1, HoursPerDay: 1})
	for _, fl := range set.FlowLogs {
		if fl.LogGroup != "/vpcflow/data" {
			continue
		}
		for _, l := range fl.Lines {
			f := strings.Fields(l)
			// traffic-path is the 24th field of the data VPC's format.
			if strings.HasPrefix(f[8], "10.1.") && f[23] == "4" {
				return
			}
		}
	}
	t.Error("no record of the data VPC to the shop VPC has traffic-path 4 (peering)")
}

func TestConnections(t *testing.T) {
	one := Generate(Options{Seed: 4, HoursPerDay: 1})
	four := Generate(Options{Seed: 4, HoursPerDay: 1, Connections: 4})
	if !reflect.DeepEqual(one.Truth, four.Truth) {
		t.Error("the truth depends on the connections per conversation")
	}
	lines := func(s *Set) (n int) {
		for _, fl := range s.FlowLogs {
			n += len(fl.Lines)
		}
		return n
	}
	if l1, l4 := lines(one), lines(four); l4 < 3*l1 {
		t.Errorf("%d lines with four connections a conversation, %d with one", l4, l1)
	}
}
