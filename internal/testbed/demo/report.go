package demo

import (
	"context"
	"os"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/report"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// writeReport draws the HTML report of the rows under dir (gzip NDJSON
// or Parquet) into path, as enricher report does: over every window the
// named queries read when asked at the estate's Now, with the estate's
// application of app_peers.
func writeReport(ctx context.Context, dir, path string, truth synthetic.Truth) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = report.Write(ctx, f, report.Dir(dir), report.Request{
		Selection: report.Selection{Start: report.QueriesStart(truth.Now), End: truth.Now},
		Title:     "Connections of the synthetic estate (make demo)",
		App:       truth.App,
	})
	if err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
