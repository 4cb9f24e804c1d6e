package report

import (
	"context"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

var screenshot = flag.String("screenshot", "", "also write the Chromium screenshot of the synthetic report to this file")

const shotW, shotH = 1280, 1800

// TestChromiumScreenshot renders the synthetic report, has headless
// Chromium take a screenshot of it, and checks that the charts are drawn.
func TestChromiumScreenshot(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium not found: install it with: apt-get update && apt-get install -y chromium")
	}
	dir := t.TempDir()
	page, shot := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.png")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	m := Build(slices.Values(syntheticRows(t)), 0)
	m.Title = "Synthetic estate"
	if err := Render(f, m); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--hide-scrollbars",
		"--window-size="+strconv.Itoa(shotW)+","+strconv.Itoa(shotH), "--screenshot="+shot, "file://"+page)
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	t.Logf("screenshot in %s", time.Since(start).Round(time.Millisecond))

	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, out)
	}
	if *screenshot != "" {
		if err := os.WriteFile(*screenshot, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err = os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != shotW || b.Dy() != shotH {
		t.Fatalf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), shotW, shotH)
	}
	checkScreenshot(t, img)
}

func checkScreenshot(t *testing.T, img image.Image) {
	t.Helper()
	background, white := rgb("#f1f5f9"), rgb("#ffffff")
	distinct := map[color.RGBA]bool{}
	counts := map[string]int{}
	watched := append([]string{colourAZ, colourService, colourInternet}, appColours...)
	// The bounding box of the application colours: the traffic map.
	box := image.Rectangle{Min: image.Pt(shotW, shotH)}
	for y := range shotH {
		for x := range shotW {
			c := rgba(img.At(x, y))
			distinct[c] = true
			for _, w := range watched {
				if near(c, rgb(w)) {
					counts[w]++
					if slices.Contains(appColours, w) {
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
	for _, c := range []struct {
		colour, what string
		least        int
	}{
		{colourAZ, "AZ pair bars", 2000},
		{colourService, "AWS service bars and nodes", 2000},
		{colourInternet, "internet node", 200},
		{appColours[0], "first application's node", 200},
		{appColours[1], "second application's node", 200},
	} {
		if counts[c.colour] < c.least {
			t.Errorf("%s: %d pixels of %s, want %d or more", c.what, counts[c.colour], c.colour, c.least)
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
			if c := rgba(img.At(x, y)); !near(c, white) && !near(c, background) {
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
