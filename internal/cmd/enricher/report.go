package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/report"
)

const reportUsage = `  enricher report --from s3://BUCKET/PREFIX|DIR --start RFC3339 --end RFC3339
                  [--format json|parquet] [--app NAME] [--out FILE]
      Draw the HTML report of the rows of a time range, with the answers of
      the named queries asked at --end.
`

// reportConfig is what the report flags say.
type reportConfig struct {
	from, format, app, title, out string
	start, end                    time.Time
	top                           int
}

// timeFlag is a moment given as RFC 3339.
type timeFlag struct{ t *time.Time }

func (f timeFlag) String() string {
	if f.t == nil || f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f timeFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time such as 2024-06-10T00:00:00Z")
	}
	*f.t = t.UTC()
	return nil
}

func parseReportFlags(args []string, stderr io.Writer) (*reportConfig, bool) {
	fs := newFlagSet("enricher report", stderr)
	c := &reportConfig{}
	fs.StringVar(&c.from, "from", "", "where the rows are: s3://BUCKET/PREFIX (the enricher's output_prefix, holding dt=.../hour=... partitions) or a local `DIR` laid out the same way (required)")
	fs.Var(timeFlag{&c.start}, "start", "first window to read, RFC 3339 (required)")
	fs.Var(timeFlag{&c.end}, "end", "end of the windows read, excluded, RFC 3339; the named queries are asked at this moment (required)")
	fs.StringVar(&c.format, "format", "", "read every object of the partitions as `json` (gzip NDJSON) or parquet (default: by file name, refusing a prefix that holds both)")
	fs.StringVar(&c.app, "app", "", "application (app tag) whose peers the app_peers answer lists (default: that answer is left out)")
	fs.StringVar(&c.title, "title", "", "title of the page (default \"VPC traffic report\")")
	fs.IntVar(&c.top, "top", report.DefaultTop, "number of top talkers shown")
	fs.StringVar(&c.out, "out", "-", "output `FILE`, or - for stdout")
	if err := fs.Parse(args); err != nil {
		return nil, false
	}
	fail := func(format string, a ...any) (*reportConfig, bool) {
		_, _ = fmt.Fprintf(stderr, "enricher report: "+format+"\n", a...)
		return nil, false
	}
	switch {
	case fs.NArg() > 0:
		return fail("unexpected argument %q: name the rows with --from", fs.Arg(0))
	case c.from == "":
		return fail("--from is required: s3://BUCKET/PREFIX, where the enricher writes its rows (its output_prefix, \"connections/\" by default), or a local folder laid out the same way")
	case c.start.IsZero() || c.end.IsZero():
		return fail("--start and --end are required: the range of windows to read, such as --start 2024-06-03T00:00:00Z --end 2024-06-10T00:00:00Z")
	case !c.start.Before(c.end):
		return fail("--start %s is not before --end %s: the range is empty", c.start.Format(time.RFC3339), c.end.Format(time.RFC3339))
	case c.top < 1:
		return fail("--top %d: want at least 1", c.top)
	}
	switch c.format {
	case "", report.FormatJSON, report.FormatParquet:
	default:
		return fail("--format %q: want %s", c.format, strings.Join(report.Formats, " or "))
	}
	return c, true
}

func runReport(args []string, stdout, stderr io.Writer) int {
	c, ok := parseReportFlags(args, stderr)
	if !ok {
		return exitUsage
	}
	ctx := context.Background()
	store, err := openStore(ctx, c.from)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "enricher report: %v\n", err)
		return exitUsage
	}

	// As for enrich: a temporary file beside --out replaces it only once
	// the page is complete.
	var file *os.File
	dst := stdout
	if c.out != "-" {
		if file, err = createTemp(c.out); err != nil {
			_, _ = fmt.Fprintf(stderr, "enricher report: %v\n", err)
			return exitUsage
		}
		defer func() {
			// Removes the temporary file unless it was renamed.
			_ = file.Close()
			_ = os.Remove(file.Name())
		}()
		dst = file
	}
	bw := bufio.NewWriterSize(dst, 64<<10)
	st, err := report.Write(ctx, bw, store, report.Request{
		Selection: report.Selection{Start: c.start, End: c.end, Format: c.format},
		Title:     c.title, App: c.app, Top: c.top,
	})
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && file != nil {
		if err = file.Sync(); err == nil {
			if err = file.Close(); err == nil {
				err = os.Rename(file.Name(), c.out)
			}
		}
	}
	_, _ = fmt.Fprintf(stderr, "listings=%d partitions=%d objects=%d bytes=%d skipped=%d rows=%d kept=%d\n",
		st.Listings, st.Partitions, st.Objects, st.Bytes, st.Skipped, st.Rows, st.Kept)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "enricher report: %v\n", err)
		if file != nil {
			_, _ = fmt.Fprintf(stderr, "enricher report: %s left as it was\n", c.out)
		}
		return exitFail
	}
	if st.Objects == 0 {
		_, _ = fmt.Fprintf(stderr, "enricher report: WARNING: no row objects in the dt=/hour= partitions of %s from %s to %s: the page is empty\n",
			store, c.start.Format(time.RFC3339), c.end.Format(time.RFC3339))
	}
	return exitOK
}

// openStore returns the store of --from: an S3 prefix or a local folder.
func openStore(ctx context.Context, from string) (report.Store, error) {
	rest, ok := strings.CutPrefix(from, "s3://")
	if !ok {
		fi, err := os.Stat(from)
		if err != nil {
			return nil, fmt.Errorf("--from %s: %w (want s3://BUCKET/PREFIX or a local folder)", from, err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("--from %s is not a folder: want the folder that holds the dt=.../hour=... partitions, or s3://BUCKET/PREFIX", from)
		}
		return report.Dir(from), nil
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return nil, fmt.Errorf("--from %s names no bucket: want s3://BUCKET/PREFIX", from)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	// A custom endpoint (AWS_ENDPOINT_URL), such as a local AWS, serves
	// buckets by path.
	local := cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != ""
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = local
		// Objects written without checksums are read without one.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return &s3Store{s3: client, bucket: bucket, prefix: prefix}, nil
}

// s3API is what the report reads of S3.
type s3API interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// s3Store is a report.Store under an S3 prefix.
type s3Store struct {
	s3             s3API
	bucket, prefix string
}

func (s *s3Store) List(ctx context.Context, prefix string, fn func(report.Object) error) error {
	pages := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(s.prefix + prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(o.Key), s.prefix)
			if err := fn(report.Object{Key: key, Size: aws.ToInt64(o.Size)}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *s3Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + key)})
	if err != nil {
		return nil, err
	}
	return out.Body, nil
}

func (s *s3Store) String() string { return "s3://" + s.bucket + "/" + s.prefix }
