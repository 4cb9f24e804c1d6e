package demo

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/output"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/report"
)

// writeReport draws the HTML report of the rows under dir (gzip NDJSON
// or Parquet) into path.
func writeReport(dir, path string) error {
	var rows []output.Row
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var rs []output.Row
		switch {
		case strings.HasSuffix(p, ".json.gz"):
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer func() { _ = f.Close() }() // read only
			rs, err = report.ReadNDJSON(f)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		case strings.HasSuffix(p, ".parquet"):
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer func() { _ = f.Close() }() // read only
			st, err := f.Stat()
			if err != nil {
				return err
			}
			if rs, err = output.ReadParquet(f, st.Size()); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		rows = append(rows, rs...)
		return nil
	})
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	m := report.Build(slices.Values(rows), 0)
	m.Title = "Connections of the synthetic estate (make demo)"
	if err := report.Render(f, m); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
