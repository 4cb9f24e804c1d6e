// Package reporttest gives the tests of the report and of the commands
// that draw it the synthetic estate's rows laid out as the enricher stores
// them, and a Chromium screenshot check of a page. It imports no package
// of the report, so that the report's own tests can use it.
package reporttest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// collector keeps the rows an enricher writes.
type collector struct{ rows []connrows.Row }

func (c *collector) Write(r *connrows.Row) error { c.rows = append(c.rows, *r); return nil }
func (c *collector) Close() error                { return nil }

// Rows enriches a synthetic estate's flow logs as the demo's pipeline does
// (every flow log's records through one enricher each) and returns the
// rows and what the named queries must answer on them.
func Rows(opts synthetic.Options) ([]connrows.Row, synthetic.Truth, error) {
	set := synthetic.Generate(opts)
	inv := inventory.New()
	if err := inv.LoadNetworkInterfaces(bytes.NewReader(set.NetworkInterfaces), time.Time{}); err != nil {
		return nil, set.Truth, err
	}
	if err := inv.LoadTags(bytes.NewReader(set.Resources)); err != nil {
		return nil, set.Truth, err
	}
	if err := inv.LoadIPRanges(bytes.NewReader(set.IPRanges)); err != nil {
		return nil, set.Truth, err
	}
	c := &collector{}
	for _, fl := range set.FlowLogs {
		e, err := enrich.New(inv, c, enrich.Options{})
		if err != nil {
			return nil, set.Truth, err
		}
		if err := e.ReadLines(bytes.NewReader(fl.File())); err != nil {
			return nil, set.Truth, err
		}
		if err := e.Close(); err != nil {
			return nil, set.Truth, err
		}
	}
	return c.rows, set.Truth, nil
}

// Formats of WriteStore.
const (
	JSON    = "json"
	Parquet = "parquet"
)

// Decoys are the objects WriteStore adds that a reader must skip as
// Athena does; each holds text that is no row, so reading one fails.
var Decoys = []string{
	"_rejected/000001.json.gz",
	"dt=%s/hour=%s/_staging/000001.json.gz",
	"dt=%s/hour=%s/.000001.json.gz.tmp",
}

// WriteStore writes rows below dir as the enricher keys them in S3,
// dt=YYYY-MM-DD/hour=HH/NAME (connrows.PartitionPath), in objects of at
// most perObject rows, gzip NDJSON (NAME.json.gz) or Parquet
// (NAME.parquet), plus the Decoys in the first partition. It returns the
// keys written, decoys included.
func WriteStore(dir string, rows []connrows.Row, format string, perObject int) ([]string, error) {
	parts := map[string][]connrows.Row{}
	var order []string
	for _, r := range rows {
		p := connrows.PartitionPath(r.Window)
		if parts[p] == nil {
			order = append(order, p)
		}
		parts[p] = append(parts[p], r)
	}
	slices.Sort(order)
	var keys []string
	for _, p := range order {
		rs := parts[p]
		for i := 0; i < len(rs); i += perObject {
			var buf bytes.Buffer
			var w connrows.Writer
			name := fmt.Sprintf("%s/%06d", p, i/perObject)
			if format == Parquet {
				w, name = parquetrows.NewWriter(&buf), name+".parquet"
			} else {
				nw, err := connrows.NewNDJSON(&buf, connrows.NDJSONOptions{Gzip: true})
				if err != nil {
					return nil, err
				}
				w, name = nw, name+".json.gz"
			}
			for j := i; j < min(i+perObject, len(rs)); j++ {
				if err := w.Write(&rs[j]); err != nil {
					return nil, err
				}
			}
			if err := w.Close(); err != nil {
				return nil, err
			}
			if err := put(dir, name, buf.Bytes()); err != nil {
				return nil, err
			}
			keys = append(keys, name)
		}
	}
	if len(order) > 0 {
		// order[0] is dt=YYYY-MM-DD/hour=HH.
		day, hour := order[0][3:13], order[0][len(order[0])-2:]
		for _, d := range Decoys {
			name := d
			if strings.Contains(d, "%s") {
				name = fmt.Sprintf(d, day, hour)
			}
			if err := put(dir, name, []byte("not a row\n")); err != nil {
				return nil, err
			}
			keys = append(keys, name)
		}
	}
	return keys, nil
}

func put(dir, key string, data []byte) error {
	path := filepath.Join(dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// Colours are the chart colours a screenshot must show.
type Colours struct {
	AZ, Service, Internet string
	Apps                  []string
}

// Screenshot has headless Chromium draw a page of w×h pixels and returns
// the picture; it fails the test, never skips it, when Chromium is
// missing. A non-empty keep also writes the PNG there.
func Screenshot(t *testing.T, page string, w, h int, keep string) image.Image {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium not found: install it with: apt-get update && apt-get install -y chromium")
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--hide-scrollbars",
		"--window-size="+strconv.Itoa(w)+","+strconv.Itoa(h), "--screenshot="+shot, "file://"+page)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, out)
	}
	if keep != "" {
		if err := os.WriteFile(keep, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
	return img
}

// CheckScreenshot checks that a screenshot of a report shows its charts:
// many colours, the bars of zone pairs and AWS services, the internet and
// the first two applications' nodes, and a traffic map across the page
// whose middle the edges fill.
func CheckScreenshot(t *testing.T, img image.Image, c Colours) {
	t.Helper()
	b := img.Bounds()
	background, white := rgb("#f1f5f9"), rgb("#ffffff")
	distinct := map[color.RGBA]bool{}
	counts := map[string]int{}
	watched := append([]string{c.AZ, c.Service, c.Internet}, c.Apps...)
	// The bounding box of the application colours: the traffic map.
	box := image.Rectangle{Min: b.Max}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			px := rgba(img.At(x, y))
			distinct[px] = true
			for _, w := range watched {
				if near(px, rgb(w)) {
					counts[w]++
					if slices.Contains(c.Apps, w) {
						box = box.Union(image.Rect(x, y, x+1, y+1))
					}
				}
			}
		}
	}
	t.Logf("%d colours; pixels of the chart colours: %v; map in %v", len(distinct), counts, box)
	if len(distinct) < 500 {
		t.Errorf("only %d colours: blank?", len(distinct))
	}
	for _, w := range []struct {
		colour, what string
		least        int
	}{
		{c.AZ, "AZ pair bars", 2000},
		{c.Service, "AWS service bars and nodes", 2000},
		{c.Internet, "internet node", 200},
		{c.Apps[0], "first application's node", 200},
		{c.Apps[1], "second application's node", 200},
	} {
		if counts[w.colour] < w.least {
			t.Errorf("%s: %d pixels of %s, want %d or more", w.what, counts[w.colour], w.colour, w.least)
		}
	}
	// The map spans the page, and edges fill its middle.
	if box.Dx() < 1000 || box.Dy() < 300 {
		t.Fatalf("traffic map nodes only within %v", box)
	}
	middle := image.Rect(box.Min.X+300, box.Min.Y, box.Max.X-300, box.Max.Y)
	painted := 0
	for y := middle.Min.Y; y < middle.Max.Y; y++ {
		for x := middle.Min.X; x < middle.Max.X; x++ {
			if px := rgba(img.At(x, y)); !near(px, white) && !near(px, background) {
				painted++
			}
		}
	}
	if share := float64(painted) / float64(middle.Dx()*middle.Dy()); share < 0.1 {
		t.Errorf("edges cover %.1f%% of the middle of the map %v", 100*share, middle)
	}
}

func rgba(c color.Color) color.RGBA {
	r, g, b, _ := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}
}

func rgb(hex string) color.RGBA {
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		panic(err)
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { return max(x, y)-min(x, y) <= 2 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}
