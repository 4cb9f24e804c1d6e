package flowobject

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
)

// ParquetLines reads the rows of a Parquet flow log file as text lines of
// the fields its columns name, in the order of the columns. Columns that
// name no known field are left out. It reads a row group at a time, a few
// hundred rows at once, so its memory is bounded by the file's pages, not
// its size.
type ParquetLines struct {
	file   *parquet.File
	format flowrecord.Format
	cols   []int // the leaf column of each field of format
	groups []parquet.RowGroup
	group  int
	rows   parquet.Rows
	buf    []parquet.Row
	n, i   int
	row    int
	line   []byte
	byCol  []int // field position of each leaf column, -1 for none
	values [][]byte
	err    error
}

// parquetBatch is how many rows are read at once.
const parquetBatch = 256

// ColumnField returns the flow log field a Parquet column of VPC Flow Logs
// holds: the field's name with underscores for hyphens.
func ColumnField(column string) (flowrecord.FieldID, bool) {
	return flowrecord.Lookup(strings.ReplaceAll(column, "_", "-"))
}

// NewParquetLines opens a Parquet flow log file.
func NewParquetLines(r io.ReaderAt, size int64) (*ParquetLines, error) {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, &DataError{Err: fmt.Errorf("not a Parquet file: %w", err)}
	}
	p := &ParquetLines{file: f, groups: f.RowGroups(), buf: make([]parquet.Row, parquetBatch)}
	var ids []flowrecord.FieldID
	leaves := f.Schema().Columns()
	p.byCol = make([]int, len(leaves))
	for i, path := range leaves {
		p.byCol[i] = -1
		if len(path) != 1 {
			continue
		}
		id, ok := ColumnField(path[0])
		if !ok {
			continue
		}
		p.byCol[i] = len(ids)
		ids = append(ids, id)
		p.cols = append(p.cols, i)
	}
	if len(ids) == 0 {
		return nil, &DataError{Err: errors.New("the Parquet file has no column named as a flow log field")}
	}
	if p.format, err = flowrecord.NewFormat(ids...); err != nil {
		return nil, &DataError{Err: fmt.Errorf("the Parquet file's columns are not a flow log format: %w", err)}
	}
	p.values = make([][]byte, len(ids))
	return p, nil
}

// Next advances to the next row.
func (p *ParquetLines) Next() bool {
	for p.i >= p.n {
		if p.err != nil {
			return false
		}
		if p.rows == nil {
			if p.group >= len(p.groups) {
				return false
			}
			p.rows = p.groups[p.group].Rows()
			p.group++
		}
		n, err := p.rows.ReadRows(p.buf)
		p.n, p.i = n, 0
		if err != nil {
			_ = p.rows.Close() // read only
			p.rows = nil
			if !errors.Is(err, io.EOF) {
				p.err = &DataError{Err: fmt.Errorf("row group %d: %w", p.group, err)}
				if n == 0 {
					return false
				}
			}
		}
	}
	p.line = p.render(p.buf[p.i], p.line[:0])
	p.i++
	p.row++
	return true
}

// render writes a row as a text line.
func (p *ParquetLines) render(row parquet.Row, dst []byte) []byte {
	for i := range p.values {
		p.values[i] = nil
	}
	var num [24]byte
	for _, v := range row {
		c := v.Column()
		if c < 0 || c >= len(p.byCol) || p.byCol[c] < 0 || v.IsNull() {
			continue
		}
		var b []byte
		switch v.Kind() {
		case parquet.Int32:
			b = strconv.AppendInt(num[:0], int64(v.Int32()), 10)
		case parquet.Int64:
			b = strconv.AppendInt(num[:0], v.Int64(), 10)
		case parquet.Boolean:
			b = strconv.AppendBool(num[:0], v.Boolean())
		case parquet.Float:
			b = strconv.AppendFloat(num[:0], float64(v.Float()), 'f', -1, 32)
		case parquet.Double:
			b = strconv.AppendFloat(num[:0], v.Double(), 'f', -1, 64)
		default:
			b = v.ByteArray()
		}
		// A value of a field is one token of the line; an empty string is
		// what text files write as "-".
		p.values[p.byCol[c]] = append([]byte(nil), b...)
	}
	for i, b := range p.values {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if len(b) == 0 {
			dst = append(dst, '-')
			continue
		}
		dst = append(dst, b...)
	}
	return dst
}

// Line returns the current row as a text line.
func (p *ParquetLines) Line() []byte { return p.line }

// TooLong is false: rows are not cut.
func (p *ParquetLines) TooLong() bool { return false }

// LineNumber returns the 1-based number of the current row.
func (p *ParquetLines) LineNumber() int { return p.row }

// Format returns the format of the columns.
func (p *ParquetLines) Format() (flowrecord.Format, bool) { return p.format, true }

// Err returns the first error.
func (p *ParquetLines) Err() error { return p.err }

// Close releases the row group being read.
func (p *ParquetLines) Close() error {
	if p.rows != nil {
		err := p.rows.Close()
		p.rows = nil
		return err
	}
	return nil
}

// WriteParquet writes records, text lines in format, as VPC Flow Logs
// writes a Parquet file: a column per field, INT_32 for numbers of up to
// 32 bits, INT_64 for longer ones and times, STRING for the rest, every
// column optional, null for "-". It is for tests and tools that need such
// files without a flow log.
func WriteParquet(w io.Writer, format flowrecord.Format, lines []string) error {
	group := parquet.Group{}
	names := make([]string, format.Len())
	for i := range format.Len() {
		info := format.Field(i).Info()
		names[i] = strings.ReplaceAll(info.Name, "-", "_")
		var node parquet.Node
		switch {
		case info.Kind == flowrecord.KindUint && info.Bits <= 32:
			node = parquet.Int(32)
		case info.Kind == flowrecord.KindUint || info.Kind == flowrecord.KindTime:
			node = parquet.Int(64)
		default:
			node = parquet.String()
		}
		group[names[i]] = parquet.Optional(node)
	}
	schema := parquet.NewSchema("flow_logs", group)
	// A Group's columns are in the order of their names.
	colOf := make([]int, format.Len())
	for i, n := range names {
		path, ok := schema.Lookup(n)
		if !ok {
			return fmt.Errorf("column %s missing from the schema", n)
		}
		colOf[i] = path.ColumnIndex
	}
	pw := parquet.NewWriter(w, schema)
	rows := make([]parquet.Row, 0, len(lines))
	for n, l := range lines {
		toks := strings.Fields(l)
		if len(toks) != format.Len() {
			return fmt.Errorf("line %d has %d fields, the format %d", n+1, len(toks), format.Len())
		}
		row := make(parquet.Row, format.Len())
		for i, tok := range toks {
			c := colOf[i]
			info := format.Field(i).Info()
			var v parquet.Value
			switch {
			case tok == "-":
				row[c] = parquet.NullValue().Level(0, 0, c)
				continue
			case info.Kind == flowrecord.KindUint || info.Kind == flowrecord.KindTime:
				x, err := strconv.ParseInt(tok, 10, 64)
				if err != nil {
					return fmt.Errorf("line %d, %s: %w", n+1, info.Name, err)
				}
				if info.Kind == flowrecord.KindUint && info.Bits <= 32 {
					v = parquet.Int32Value(int32(x))
				} else {
					v = parquet.Int64Value(x)
				}
			default:
				v = parquet.ByteArrayValue([]byte(tok))
			}
			row[c] = v.Level(0, 1, c)
		}
		rows = append(rows, row)
	}
	if _, err := pw.WriteRows(rows); err != nil {
		return err
	}
	return pw.Close()
}
