package output

import (
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// ParquetWriter writes rows as a Parquet file with Row's schema, zstd
// compressed, which Athena reads natively.
type ParquetWriter struct {
	w    *parquet.GenericWriter[Row]
	rows []Row
}

// parquetBatch is how many rows are handed to the Parquet writer at once.
const parquetBatch = 1024

// zstdCodec compresses columns at zstd's fastest level, which already
// shrinks the repetitive endpoint columns to less than half of what Snappy
// gives, with a smaller encoder than the default level's.
var zstdCodec = &zstd.Codec{Level: zstd.SpeedFastest}

// RowGroupRows bounds the rows of a Parquet row group. The writer keeps a row
// group in memory until it is complete, so this bounds its memory however
// long the output; 16Ki rows of connections are a megabyte or two compressed,
// a size Athena reads efficiently.
const RowGroupRows = 16 << 10

// NewParquet returns a writer of a Parquet file to w.
func NewParquet(w io.Writer) *ParquetWriter {
	return &ParquetWriter{
		w: parquet.NewGenericWriter[Row](w,
			parquet.Compression(zstdCodec),
			parquet.MaxRowsPerRowGroup(RowGroupRows),
			parquet.CreatedBy("vpcflow-enricher", "", ""),
		),
		rows: make([]Row, 0, parquetBatch),
	}
}

// Write buffers one row.
func (p *ParquetWriter) Write(r *Row) error {
	p.rows = append(p.rows, *r)
	if len(p.rows) == cap(p.rows) {
		return p.flush()
	}
	return nil
}

func (p *ParquetWriter) flush() error {
	if len(p.rows) == 0 {
		return nil
	}
	_, err := p.w.Write(p.rows)
	clear(p.rows)
	p.rows = p.rows[:0]
	return err
}

// Close writes the buffered rows and the file footer.
func (p *ParquetWriter) Close() error {
	if err := p.flush(); err != nil {
		return err
	}
	return p.w.Close()
}

// ReadParquet reads back every row of a Parquet file written by
// ParquetWriter.
func ReadParquet(r io.ReaderAt, size int64) ([]Row, error) {
	return parquet.Read[Row](r, size)
}
