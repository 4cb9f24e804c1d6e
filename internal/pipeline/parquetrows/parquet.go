// Package parquetrows writes and reads the enricher's rows (connrows.Row) as
// Parquet files, zstd compressed, which Athena reads natively. It is apart
// from package output so that what needs only the row schema (the Glue
// table, the provider) does not link the Parquet library.
package parquetrows

import (
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

// Writer writes rows as a Parquet file with connrows.Row's schema.
type Writer struct {
	w    *parquet.GenericWriter[connrows.Row]
	rows []connrows.Row
}

// batch is how many rows are handed to the Parquet writer at once.
const batch = 1024

// zstdCodec compresses columns at zstd's fastest level, which already
// shrinks the repetitive endpoint columns to less than half of what Snappy
// gives, with a smaller encoder than the default level's.
var zstdCodec = &zstd.Codec{Level: zstd.SpeedFastest}

// RowGroupRows bounds the rows of a Parquet row group. The writer keeps a row
// group in memory until it is complete, so this bounds its memory however
// long the output; 16Ki rows of connections are a megabyte or two compressed,
// a size Athena reads efficiently.
const RowGroupRows = 16 << 10

// NewWriter returns a writer of a Parquet file to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{
		w: parquet.NewGenericWriter[connrows.Row](w,
			parquet.Compression(zstdCodec),
			parquet.MaxRowsPerRowGroup(RowGroupRows),
			parquet.CreatedBy("vpcflow-enricher", "", ""),
		),
		rows: make([]connrows.Row, 0, batch),
	}
}

// Write buffers one row.
func (p *Writer) Write(r *connrows.Row) error {
	p.rows = append(p.rows, *r)
	if len(p.rows) == cap(p.rows) {
		return p.flush()
	}
	return nil
}

func (p *Writer) flush() error {
	if len(p.rows) == 0 {
		return nil
	}
	_, err := p.w.Write(p.rows)
	clear(p.rows)
	p.rows = p.rows[:0]
	return err
}

// Close writes the buffered rows and the file footer.
func (p *Writer) Close() error {
	if err := p.flush(); err != nil {
		return err
	}
	return p.w.Close()
}

// Read reads back every row of a Parquet file written by Writer.
func Read(r io.ReaderAt, size int64) ([]connrows.Row, error) {
	return parquet.Read[connrows.Row](r, size)
}
