package report

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/report/reporttest"
)

var screenshot = flag.String("screenshot", "", "also write the Chromium screenshot of the synthetic report to this file")

const shotW, shotH = 1280, 1800

// palette is the colours reporttest.CheckScreenshot looks for.
func palette() reporttest.Colours {
	az, service, internet, apps := Palette()
	return reporttest.Colours{AZ: az, Service: service, Internet: internet, Apps: apps}
}

// TestChromiumScreenshot renders the synthetic report, has headless
// Chromium take a screenshot of it, and checks that the charts are drawn.
func TestChromiumScreenshot(t *testing.T) {
	page := filepath.Join(t.TempDir(), "report.html")
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
	img := reporttest.Screenshot(t, page, shotW, shotH, *screenshot)
	reporttest.CheckScreenshot(t, img, palette())
}
