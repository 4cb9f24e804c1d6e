package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const hostile = `<script>alert("x")</script>&'`

// fixture is a small model with every section filled and a tag value that
// must be escaped.
func fixture() Model {
	evil := instance("i-evil", hostile, "evil-1", "us-east-1c", "use1-az4")
	worker := instance("i-w", "worker", "worker-1", "us-east-1a", "use1-az1")
	rejected := conn(internet, web1, 22, 300, 0)
	rejected.Action = "REJECT"
	late := conn(web2, api2, 443, 2<<20, 30<<20)
	late.End = t0.Add(26 * time.Hour)
	lb := &connrows.Endpoint{Type: "elasticloadbalancing:loadbalancer", LoadBalancerType: "application",
		ARNs: []string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/shop/50dc6c495c0c9188"}}
	b := NewBuilder(Options{Now: t0.Add(48 * time.Hour), App: "web", From: t0.Add(-24 * time.Hour)})
	for _, r := range []connrows.Row{
		conn(internet, web1, 443, 20<<10, 400<<10),
		conn(lb, api1, 443, 1<<10, 9<<10),
		conn(web1, api1, 443, 5<<10, 60<<10),
		late,
		conn(worker, s3, 443, 3<<30, 50<<20),
		conn(worker, dynamodb, 443, 20<<10, 80<<10),
		conn(billingFn, ordersDB, 5432, 8<<10, 20<<10),
		conn(evil, api1, 9000, 512, 100),
		conn(web1, evil, 8080, 1<<20, 1<<20),
		rejected,
		{LogStatus: connrows.LogStatusNoData, InterfaceID: "eni-1", Start: t0, End: t0},
	} {
		b.Add(&r)
	}
	m := b.Model()
	m.Title = "Fixture report"
	return m
}

func render(t *testing.T, m Model) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestRenderGolden(t *testing.T) {
	got := render(t, fixture())
	if again := render(t, fixture()); again != got {
		t.Fatal("two renderings differ")
	}
	path := filepath.Join("testdata", "report.golden.html")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs; run go test ./internal/testbed/report -run TestRenderGolden -update and review the diff", path)
	}
}

func TestRenderEscapes(t *testing.T) {
	got := render(t, fixture())
	if strings.Contains(got, "<script") || strings.Contains(got, `alert("x")`) {
		t.Error("tag value not escaped")
	}
	if !strings.Contains(got, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;") {
		t.Error("escaped tag value missing")
	}
}

// externalRef matches anything that could make a browser fetch or run
// something: URLs, url(), @import, src and href attributes, scripts.
var externalRef = regexp.MustCompile(`(?i)https?:|//[a-z0-9]|\burl\(|@import|\b(src|href|xlink:href|srcset|action)\s*=|<(script|link|iframe|img|object|embed|image|use|base)\b|javascript:`)

func TestRenderSelfContained(t *testing.T) {
	for name, m := range map[string]Model{
		"fixture":   fixture(),
		"synthetic": Build(slices.Values(syntheticRows(t)), 0),
		"empty":     {},
	} {
		got := render(t, m)
		if refs := externalRef.FindAllString(got, -1); refs != nil {
			t.Errorf("%s: external references %q", name, refs)
		}
		if !strings.HasPrefix(got, "<!DOCTYPE html>") || !strings.Contains(got, "<style>") {
			t.Errorf("%s: not a styled HTML page", name)
		}
	}
}

func TestRenderContents(t *testing.T) {
	got := render(t, fixture())
	for _, want := range []string{
		"<title>Fixture report</title>",
		"2024-06-01 10:00 – 2024-06-02 12:00 UTC (26.0 hours) · 11 rows",
		`<svg class="map"`, `<svg class="bars"`,
		">CLIENTS<", ">SERVERS<", ">worker<", ">aws:s3<", ">lambda:function billing-fn<",
		"us-east-1b ↔ us-east-1c", "3.0 GiB", "from worker",
		"<td>worker-1<small>worker</small></td><td>aws:s3</td><td>tcp/443</td>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q", want)
		}
	}
	// Edges without bytes, or naming no app, are drawn or left out.
	zero := build(conn(web1, api1, 443, 0, 0), conn(internet, web1, 443, 0, 0))
	zero.Edges = append(zero.Edges, Edge{Client: "ghost", Server: "web"})
	if got := render(t, zero); strings.Count(got, `<path class="edge"`) != 2 {
		t.Error("edges without bytes")
	}
	if empty := render(t, Model{}); !strings.Contains(empty, "No accepted connections.") || strings.Contains(empty, "<svg") {
		t.Error("empty model")
	}
}

func TestHumanBytes(t *testing.T) {
	for b, want := range map[int64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 20: "5.0 MiB",
		3<<30 + 50<<20: "3.0 GiB", 2 << 40: "2.0 TiB", 3 << 50: "3.0 PiB", 5000 << 50: "5000.0 PiB", -2048: "-2.0 KiB",
	} {
		if got := HumanBytes(b); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", b, got, want)
		}
	}
}

// TestLayoutMerges keeps the map readable however many applications there
// are: at most maxNodes per column, the rest merged.
func TestLayoutMerges(t *testing.T) {
	var rows []connrows.Row
	for i := range 40 {
		c := instance("i-c"+string(rune('A'+i)), "client-"+string(rune('A'+i)), "", "", "")
		rows = append(rows, conn(c, api1, 443, int64(1000+i), 0), conn(c, web1, 443, 10, 0))
	}
	v := layoutMap(build(rows...))
	var left, more int
	for _, n := range v.Nodes {
		if n.X == 2 {
			left++
		}
		if n.Name == "25 more" {
			more++
		}
	}
	if left != maxNodes || more != 1 || len(v.Nodes) != maxNodes+2 || len(v.Edges) != 2*maxNodes {
		t.Errorf("%d nodes on the left, %d merged, %d nodes, %d edges", left, more, len(v.Nodes), len(v.Edges))
	}
}
