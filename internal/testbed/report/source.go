package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
)

// Store holds row objects keyed as the enricher writes them below its
// prefix: dt=YYYY-MM-DD/hour=HH/NAME (connrows.PartitionPath).
type Store interface {
	// List calls fn for every object whose key starts with prefix, keys
	// relative to the store, in any order, and stops at fn's first
	// error. fn reads objects of the store while it runs.
	List(ctx context.Context, prefix string, fn func(Object) error) error
	// Open returns an object's content. When it is an *os.File, Parquet
	// objects are read in place; other readers are copied to a
	// temporary file first, since Parquet is read from its end.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// String names the store in messages: s3://bucket/prefix, or a path.
	String() string
}

// Object is an object of a Store.
type Object struct {
	Key  string
	Size int64
}

// Formats of row objects.
const (
	FormatJSON    = "json"    // gzip NDJSON, as connrows.NDJSONWriter writes
	FormatParquet = "parquet" // Parquet, as parquetrows.Writer writes
)

// Formats are the values Selection.Format takes, besides empty.
var Formats = []string{FormatJSON, FormatParquet}

// Selection says which rows of a store to read.
type Selection struct {
	// Start and End bound the rows' Window: [Start, End).
	Start, End time.Time
	// Format is FormatJSON or FormatParquet: every object of the selected
	// partitions is read as that format, whatever its name, as Athena
	// reads a table's location. Empty: by name (.json.gz, .json, .gz
	// as NDJSON, .parquet as Parquet), and a store holding both is
	// refused, since Athena would count them in two tables.
	Format string
}

// ScanStats count what Scan read.
type ScanStats struct {
	Listings   int   // List calls: one per day of the range
	Partitions int   // hour partitions with objects in the range
	Objects    int   // objects read
	Bytes      int64 // their size
	Skipped    int   // objects left out: in _ or . folders or files, or outside dt=/hour= partitions
	Rows       int   // rows read
	Kept       int   // rows whose window is in the range
}

// Scan reads the rows of the hour partitions of the range, one object at
// a time, and calls fn for those whose window is in the range. It lists
// one day at a time (PREFIX/dt=DAY/), never the whole store, and skips
// what Athena skips: folders and files whose names start with _ or .
// (_rejected, staging), and objects outside dt=/hour= partitions.
func Scan(ctx context.Context, store Store, sel Selection, fn func(*connrows.Row) error) (ScanStats, error) {
	var st ScanStats
	if err := sel.check(); err != nil {
		return st, err
	}
	start, end := sel.Start.UTC(), sel.End.UTC()
	partitions := map[string]bool{}
	formats := map[string]string{} // format → first object of it
	read := func(o Object) error {
		format := sel.Format
		if format == "" {
			if format = formatOf(o.Key); format == "" {
				return fmt.Errorf("%s: not a row object by its name (want .json.gz or .parquet); pass --format json or --format parquet to read every object of the partitions as that format", join(store, o.Key))
			}
			formats[format] = cmp.Or(formats[format], o.Key)
			if len(formats) > 1 {
				return fmt.Errorf("%s holds both gzip NDJSON (%s) and Parquet (%s) rows: Athena reads them as two tables, and reading both would count their rows twice; pass --format json or --format parquet",
					store, formats[FormatJSON], formats[FormatParquet])
			}
		}
		partitions[path.Dir(o.Key)] = true
		st.Objects++
		st.Bytes += o.Size
		err := readObject(ctx, store, o.Key, format, func(r *connrows.Row) error {
			st.Rows++
			if r.Window.Before(start) || !r.Window.Before(end) {
				return nil
			}
			st.Kept++
			return fn(r)
		})
		if err != nil {
			return fmt.Errorf("reading %s: %w", join(store, o.Key), err)
		}
		return nil
	}
	for day := start.Truncate(24 * time.Hour); day.Before(end); day = day.AddDate(0, 0, 1) {
		prefix := "dt=" + day.Format("2006-01-02") + "/"
		st.Listings++
		// Each object is read as it is listed: nothing grows with the
		// number of objects but the set of partitions.
		var readErr error
		err := store.List(ctx, prefix, func(o Object) error {
			hour, ok := partitionHour(o.Key)
			if !ok || hidden(o.Key) {
				st.Skipped++
				return nil
			}
			if !hour.Before(end) || !hour.Add(time.Hour).After(start) {
				return nil
			}
			readErr = read(o)
			return readErr
		})
		if readErr != nil {
			return st, readErr
		}
		if err != nil {
			return st, fmt.Errorf("listing %s: %w", join(store, prefix), err)
		}
	}
	st.Partitions = len(partitions)
	return st, nil
}

func (sel Selection) check() error {
	switch {
	case sel.Start.IsZero() || sel.End.IsZero():
		return errors.New("the range needs a start and an end")
	case !sel.Start.Before(sel.End):
		return fmt.Errorf("the range is empty: start %s is not before end %s", sel.Start.UTC().Format(time.RFC3339), sel.End.UTC().Format(time.RFC3339))
	}
	switch sel.Format {
	case "", FormatJSON, FormatParquet:
		return nil
	}
	return fmt.Errorf("format %q: want %s or %s", sel.Format, FormatJSON, FormatParquet)
}

func join(store Store, key string) string {
	return strings.TrimSuffix(store.String(), "/") + "/" + key
}

// partitionHour reads the hour partition of a key,
// dt=YYYY-MM-DD/hour=HH/...
func partitionHour(key string) (time.Time, bool) {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) < 3 || parts[2] == "" {
		return time.Time{}, false
	}
	day, ok := strings.CutPrefix(parts[0], "dt=")
	if !ok {
		return time.Time{}, false
	}
	hs, ok := strings.CutPrefix(parts[1], "hour=")
	if !ok {
		return time.Time{}, false
	}
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return time.Time{}, false
	}
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 || h > 23 {
		return time.Time{}, false
	}
	return d.Add(time.Duration(h) * time.Hour), true
}

// hidden reports whether a key is in a folder, or is a file, that Athena
// (like Hive) ignores: names starting with _ or .
func hidden(key string) bool {
	for part := range strings.SplitSeq(key, "/") {
		if strings.HasPrefix(part, "_") || strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

func formatOf(key string) string {
	switch {
	case strings.HasSuffix(key, ".parquet"):
		return FormatParquet
	case strings.HasSuffix(key, ".json.gz"), strings.HasSuffix(key, ".json"), strings.HasSuffix(key, ".gz"):
		return FormatJSON
	}
	return ""
}

func readObject(ctx context.Context, store Store, key, format string, fn func(*connrows.Row) error) error {
	rc, err := store.Open(ctx, key)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }() // read only
	if format == FormatJSON {
		return ScanNDJSON(rc, fn)
	}
	f, ok := rc.(*os.File)
	if !ok {
		// Parquet is read from its footer: keep the object on disk, not
		// in memory.
		tmp, err := os.CreateTemp("", "vpcflow-report-*.parquet")
		if err != nil {
			return err
		}
		defer func() {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}()
		if _, err := io.Copy(tmp, rc); err != nil {
			return err
		}
		f = tmp
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return ScanParquet(f, fi.Size(), fn)
}

// Dir is a Store in a local folder, laid out as the enricher's S3 prefix
// (as make demo copies it).
type Dir string

// List walks the folder of the prefix, if there is one.
func (d Dir) List(ctx context.Context, prefix string, fn func(Object) error) error {
	root := filepath.Join(string(d), filepath.FromSlash(prefix))
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(string(d), p)
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		return fn(Object{Key: filepath.ToSlash(rel), Size: info.Size()})
	})
}

// Open opens a file of the folder.
func (d Dir) Open(_ context.Context, key string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(string(d), filepath.FromSlash(key)))
}

func (d Dir) String() string { return string(d) }

// Request is what a report over a store shows.
type Request struct {
	Selection
	// Title heads the page.
	Title string
	// App is the application of the app_peers answer; empty leaves it
	// out.
	App string
	// Top is the number of top talkers (DefaultTop when <= 0).
	Top int
}

// Write reads the rows of a store's range as Scan does, summarises them
// while reading (a Builder, so memory grows with the distinct groups, not
// the rows), answers the named queries asked at the range's end, and
// writes the page to w. It is the report of make demo and of the enricher
// report command.
func Write(ctx context.Context, w io.Writer, store Store, req Request) (ScanStats, error) {
	b := NewBuilder(Options{Top: req.Top, Now: req.End, App: req.App, From: req.Start})
	st, err := Scan(ctx, store, req.Selection, func(r *connrows.Row) error {
		b.Add(r)
		return nil
	})
	if err != nil {
		return st, err
	}
	m := b.Model()
	m.Title = req.Title
	return st, Render(w, m)
}
