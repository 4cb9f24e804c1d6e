package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // the input or output could not be read or written
	exitUsage = 2 // unusable arguments
)

const usage = `Usage:
  enricher parse [--format FMT] < lines
      Print each flow log record as a JSON object keyed by AWS field names.
  enricher enrich --enis FILE [--tags FILE] [--ip-ranges FILE] [flags] < input
      Enrich flow log records into aggregated connections.
` + reportUsage + `  enricher reenrich --log-group NAME --from TIME --to TIME --bucket B --table T
      Enrich closed hours of a log group again and replace their rows in S3.
  enricher help
      Print this text.

Lines that cannot be parsed are reported on stderr with their line number
and reason; the last line on stderr is "read=N written=W rejected=R", where
read = written + rejected. When the input or output fails, the records whose
rows did not reach the output are counted as unwritten=U instead of written,
so that read = written + rejected + unwritten. The exit status is 0 unless
the arguments are unusable (2) or input or output fails (1).

enrich --out FILE writes to a temporary file beside FILE and renames it
over FILE only when the whole run succeeded: a failed run leaves FILE as it
was. An --enis file with no network interfaces is refused, since nothing
could be attributed; --allow-empty-inventory runs anyway, with a warning.
`

// run is the command line; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		_, _ = fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "parse":
		return runParse(args[1:], stdin, stdout, stderr)
	case "enrich":
		return runEnrich(args[1:], stdin, stdout, stderr)
	case "report":
		return runReport(args[1:], stdout, stderr)
	case "reenrich":
		return runReenrich(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		_, _ = fmt.Fprint(stdout, usage)
		return exitOK
	}
	_, _ = fmt.Fprintf(stderr, "enricher: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// formatFlag is a log format given on the command line.
type formatFlag struct{ f flowrecord.Format }

func (f *formatFlag) String() string {
	if f.f.Len() == 0 {
		return ""
	}
	return f.f.Header()
}

func (f *formatFlag) Set(s string) error {
	format, err := flowrecord.ParseFormat(s)
	if err != nil {
		return err
	}
	f.f = format
	return nil
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func runParse(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("enricher parse", stderr)
	var format formatFlag
	fs.Var(&format, "format", "log format of lines without an S3 header line: a log_format value (\"${version} ${srcaddr} ...\") or field names (default: the default VPC flow log format)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		_, _ = fmt.Fprintf(stderr, "enricher parse: unexpected argument %q: records are read from stdin\n", fs.Arg(0))
		return exitUsage
	}
	if format.f.Len() == 0 {
		format.f = flowrecord.DefaultFormat
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	rd := flowrecord.NewReader(stdin, format.f)
	var buf []byte
	written := 0
	for rd.Next() {
		if err := rd.LineErr(); err != nil {
			_, _ = fmt.Fprintln(stderr, err)
			continue
		}
		buf = rd.Record().AppendJSON(buf[:0])
		buf = append(buf, '\n')
		if _, err := out.Write(buf); err != nil {
			_, _ = fmt.Fprintf(stderr, "enricher parse: writing output: %v\n", err)
			return exitFail
		}
		written++
	}
	st := rd.Stats()
	status := exitOK
	if err := out.Flush(); err != nil {
		_, _ = fmt.Fprintf(stderr, "enricher parse: writing output: %v\n", err)
		status = exitFail
	}
	if err := rd.Err(); err != nil {
		_, _ = fmt.Fprintf(stderr, "enricher parse: reading input: %v\n", err)
		status = exitFail
	}
	_, _ = fmt.Fprintf(stderr, "read=%d written=%d rejected=%d\n", st.Records+st.Rejected, written, st.Rejected)
	return status
}

// enrichConfig is what the enrich flags say.
type enrichConfig struct {
	enis, tags, ipRanges string
	format               formatFlag
	window, lateness     time.Duration
	maxKeys              int
	outFormat            string
	out                  string
	gzip                 bool
	subscription         bool
	monitored            string
	internetAddrs        bool
	allowEmptyInventory  bool
}

func parseEnrichFlags(args []string, stderr io.Writer) (*enrichConfig, bool) {
	fs := newFlagSet("enricher enrich", stderr)
	c := &enrichConfig{}
	fs.StringVar(&c.enis, "enis", "", "`FILE` of aws ec2 describe-network-interfaces output (required)")
	fs.StringVar(&c.tags, "tags", "", "`FILE` of aws resourcegroupstaggingapi get-resources output")
	fs.StringVar(&c.ipRanges, "ip-ranges", "", "`FILE` of AWS ip-ranges.json, to name the AWS services behind public addresses")
	fs.Var(&c.format, "format", "log format of records without an S3 header line, and of subscription events (default: the default VPC flow log format)")
	fs.DurationVar(&c.window, "window", 60*time.Second, "aggregation window, a whole number of seconds")
	fs.DurationVar(&c.lateness, "lateness", 0, "how long past its end a window waits for late records (default: one window)")
	fs.IntVar(&c.maxKeys, "max-keys", 100_000, "most connections kept open at once; beyond it the oldest window is written early")
	fs.StringVar(&c.outFormat, "output", "ndjson", "output format: ndjson or parquet")
	fs.StringVar(&c.out, "out", "-", "output `FILE`, or - for stdout")
	fs.BoolVar(&c.gzip, "gzip", false, "gzip the NDJSON output (default: when --out ends in .gz)")
	fs.BoolVar(&c.subscription, "subscription", false, "read CloudWatch Logs subscription payloads (a gzip payload, or lines of base64 awslogs.data or Lambda events) instead of flow log lines")
	fs.BoolVar(&c.internetAddrs, "internet-addrs", false, "keep each internet address an endpoint of its own (default: all internet addresses are one endpoint, so that public services do not make a row per record)")
	fs.BoolVar(&c.allowEmptyInventory, "allow-empty-inventory", false, "run even when --enis lists no network interface: no address is attributed, every row has empty owner columns")
	fs.StringVar(&c.monitored, "monitored", "", "comma-separated interface, subnet and VPC IDs whose flow logs reach this input (default: every interface in --enis); decides which copy of a flow logged by both ends is counted")
	if err := fs.Parse(args); err != nil {
		return nil, false
	}
	fail := func(format string, a ...any) (*enrichConfig, bool) {
		_, _ = fmt.Fprintf(stderr, "enricher enrich: "+format+"\n", a...)
		return nil, false
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q: input is read from stdin", fs.Arg(0))
	}
	if c.enis == "" {
		return fail("--enis is required: the describe-network-interfaces output that says who owns each address")
	}
	if c.window < time.Second || c.window%time.Second != 0 {
		return fail("--window %v: want a positive whole number of seconds, such as 60s or 5m", c.window)
	}
	if c.lateness < 0 {
		return fail("--lateness %v: want zero or more", c.lateness)
	}
	if c.lateness%time.Second != 0 {
		return fail("--lateness %v: want a whole number of seconds", c.lateness)
	}
	if c.maxKeys <= 0 {
		return fail("--max-keys %d: want at least 1", c.maxKeys)
	}
	switch c.outFormat {
	case "ndjson", "parquet":
	default:
		return fail("--output %q: want ndjson or parquet", c.outFormat)
	}
	gzipSet, latenessSet := false, false
	fs.Visit(func(f *flag.Flag) {
		gzipSet = gzipSet || f.Name == "gzip"
		latenessSet = latenessSet || f.Name == "lateness"
	})
	if latenessSet && c.lateness == 0 {
		// enrich.Options reads zero as "the default" and a negative
		// lateness as none.
		c.lateness = -1
	}
	if !gzipSet {
		c.gzip = c.outFormat == "ndjson" && strings.HasSuffix(c.out, ".gz")
	}
	if c.gzip && c.outFormat == "parquet" {
		return fail("--gzip applies to ndjson output only; Parquet compresses its columns itself")
	}
	return c, true
}

// monitoredFunc returns the Monitored option for a list of interface,
// subnet and VPC IDs, or nil for the default.
func monitoredFunc(list string) func(interfaceID, subnetID, vpcID string) bool {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	set := map[string]bool{}
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			set[id] = true
		}
	}
	return func(interfaceID, subnetID, vpcID string) bool {
		return set[interfaceID] || set[subnetID] || set[vpcID]
	}
}

// loadInventory loads the inventory files; empty paths are skipped.
func loadInventory(enis, tags, ipRanges string) (*inventory.Inventory, error) {
	inv := inventory.New()
	loads := []struct {
		path string
		what string
		load func(io.Reader) error
	}{
		// Without history, the snapshot holds for every record time.
		{enis, "network interfaces", func(r io.Reader) error { return inv.LoadNetworkInterfaces(r, time.Time{}) }},
		{tags, "tags", inv.LoadTags},
		{ipRanges, "ip ranges", inv.LoadIPRanges},
	}
	for _, l := range loads {
		if l.path == "" {
			continue
		}
		f, err := os.Open(l.path)
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", l.what, err)
		}
		err = l.load(bufio.NewReader(f))
		_ = f.Close() // read-only: nothing to lose
		if err != nil {
			return nil, fmt.Errorf("loading %s from %s: %w", l.what, l.path, err)
		}
	}
	return inv, nil
}

func runEnrich(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, ok := parseEnrichFlags(args, stderr)
	if !ok {
		return exitUsage
	}
	inv, err := loadInventory(c.enis, c.tags, c.ipRanges)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "enricher enrich: %v\n", err)
		return exitUsage
	}
	if inv.Len() == 0 {
		if !c.allowEmptyInventory {
			_, _ = fmt.Fprintf(stderr, "enricher enrich: --enis %s lists no network interface, so no address could be attributed to an interface, subnet, VPC or tag: "+
				"every row would have empty owner columns. Give the output of aws ec2 describe-network-interfaces, "+
				"or --allow-empty-inventory to enrich without it.\n", c.enis)
			return exitUsage
		}
		_, _ = fmt.Fprintf(stderr, "enricher enrich: WARNING: --enis %s lists no network interface; running anyway (--allow-empty-inventory): "+
			"no address is attributed, every row has empty owner columns.\n", c.enis)
	}

	// The output goes to stdout, or to a temporary file beside --out that
	// replaces it only once everything succeeded.
	var file *os.File
	dst := &errWriter{w: stdout}
	if c.out != "-" {
		if file, err = createTemp(c.out); err != nil {
			_, _ = fmt.Fprintf(stderr, "enricher enrich: %v\n", err)
			return exitUsage
		}
		defer func() {
			// Removes the temporary file unless it was renamed.
			_ = file.Close()
			_ = os.Remove(file.Name())
		}()
		dst = &errWriter{w: file}
	}
	bw := bufio.NewWriterSize(dst, 256<<10)
	var w connrows.Writer
	if c.outFormat == "parquet" {
		w = parquetrows.NewWriter(bw)
	} else if w, err = connrows.NewNDJSON(bw, connrows.NDJSONOptions{Gzip: c.gzip}); err != nil {
		_, _ = fmt.Fprintf(stderr, "enricher enrich: %v\n", err)
		return exitFail
	}

	rejects := bufio.NewWriter(stderr)
	e, err := enrich.New(inv, w, enrich.Options{
		Format:        c.format.f,
		Window:        c.window,
		Lateness:      c.lateness,
		MaxKeys:       c.maxKeys,
		Monitored:     monitoredFunc(c.monitored),
		InternetAddrs: c.internetAddrs,
		Reject:        func(r enrich.Rejection) { _, _ = fmt.Fprintln(rejects, r.Error()) },
	})
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "enricher enrich: %v\n", err)
		return exitUsage
	}

	status := exitOK
	fail := func(err error) {
		if err != nil && status == exitOK {
			_ = rejects.Flush()
			_, _ = fmt.Fprintf(stderr, "enricher enrich: %v\n", err)
			status = exitFail
		}
	}
	if c.subscription {
		fail(e.ReadSubscription(stdin))
	} else {
		fail(e.ReadLines(stdin))
	}
	fail(e.Close())
	fail(bw.Flush())
	if file != nil {
		fail(file.Sync())
		fail(file.Close())
		if status == exitOK {
			fail(os.Rename(file.Name(), c.out))
		} else {
			_, _ = fmt.Fprintf(stderr, "enricher enrich: %s left as it was; nothing was written to it\n", c.out)
		}
	}
	_ = rejects.Flush()
	st := e.Stats()
	_, _ = fmt.Fprintf(stderr, "headers=%d folded=%d duplicates=%d nodata=%d skipdata=%d rows=%d early_flushes=%d late=%d\n",
		st.Headers, st.Folded, st.Duplicates, st.NoData, st.SkipData, st.Rows, st.EarlyFlushes, st.Late)
	// The rows reached the output only if it never failed, and, for a
	// file, only if it was renamed into place.
	written, unwritten := st.Written, 0
	if dst.err != nil || (file != nil && status != exitOK) {
		written, unwritten = 0, st.Written
		if status == exitOK {
			fail(fmt.Errorf("writing output: %w", dst.err))
		}
	}
	if unwritten > 0 || status != exitOK {
		_, _ = fmt.Fprintf(stderr, "read=%d written=%d rejected=%d unwritten=%d\n", st.Read, written, st.Rejected, unwritten)
	} else {
		_, _ = fmt.Fprintf(stderr, "read=%d written=%d rejected=%d\n", st.Read, written, st.Rejected)
	}
	return status
}

// errWriter remembers the first error of its writer, so that the final
// counts can tell whether the rows reached the output.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	e.err = err
	return n, err
}

// createTemp creates the temporary file that replaces path on success: in
// the same directory, so the rename is atomic, with the mode of the file it
// replaces (0644 for a new one).
func createTemp(path string) (*os.File, error) {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("--out %s is not a regular file; the output replaces the file by renaming a temporary file over it", path)
		}
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating the temporary output file beside %s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, fmt.Errorf("creating the temporary output file beside %s: %w", path, err)
	}
	return f, nil
}

// errUsage marks configuration errors of the Lambda function.
var errUsage = errors.New("configuration")

// envDuration reads a duration from the environment.
func envDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := getenv(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %s=%q: %v", errUsage, name, s, err)
	}
	return d, nil
}

// envInt reads an integer from the environment.
func envInt(getenv func(string) string, name string, def int) (int, error) {
	s := getenv(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %s=%q: %v", errUsage, name, s, err)
	}
	return n, nil
}
