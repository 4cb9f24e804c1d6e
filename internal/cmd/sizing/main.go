// Command sizing measures the enricher (the handler benchmarks for CPU per
// record; the synthetic estate enriched for rows per record, bytes per row
// and the Parquet columns each named query reads) and writes the sizing
// guide from those figures: templates/guides/sizing.md.tmpl, which
// `make docs` renders into docs/guides/sizing.md. `make sizing` runs both.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/sizing"
)

// benchModes maps a handler benchmark to the deployed mode it measures.
var benchModes = map[string]string{
	"BenchmarkHandleSubscription":  "subscription",
	"BenchmarkHandleKinesis":       "kinesis",
	"BenchmarkHandleKinesisWindow": "kinesis-window",
	"BenchmarkHandleS3":            "s3",
}

// benchDetails says what each benchmark does per invocation.
var benchDetails = map[string]string{
	"BenchmarkHandleSubscription":  "a 1 MB CloudWatch Logs event to gzip NDJSON objects",
	"BenchmarkHandleKinesis":       "a 1 MB payload on a Kinesis record to gzip NDJSON objects",
	"BenchmarkHandleKinesisWindow": "a 1 MB payload folded into the window's state; the rows are stored once a window",
	"BenchmarkHandleS3":            "a gzip flow log file of 10,000 records read from S3 to Parquet objects",
}

func main() {
	out := flag.String("out", "templates/guides/sizing.md.tmpl", "where to write the guide's template")
	count := flag.Int("count", 5, "runs of each benchmark; the median is used")
	benchtime := flag.String("benchtime", "20x", "go test -benchtime of each run")
	benchFile := flag.String("bench-output", "", "read `go test -bench` output from this file instead of running the benchmarks")
	warm := flag.Float64("dynamo-warm", 0, "DynamoDB reads per 10,000 records with a warm cache (internal/testbed/churn TestReadsPer10000Records: 0 within the cache's TTL)")
	cold := flag.Float64("dynamo-cold", 44880, "the same with a cold cache (TestReadsPer10000Records at 1,000 interfaces: 4,488 reads for 1,000 records)")
	flag.Parse()
	if err := run(*out, *count, *benchtime, *benchFile, *warm, *cold); err != nil {
		fmt.Fprintln(os.Stderr, "sizing:", err)
		os.Exit(1)
	}
}

func run(out string, count int, benchtime, benchFile string, warm, cold float64) error {
	var benchOut []byte
	var err error
	if benchFile != "" {
		benchOut, err = os.ReadFile(benchFile)
	} else {
		benchOut, err = runBenchmarks(count, benchtime)
	}
	if err != nil {
		return err
	}
	cpu := medians(benchOut, "records/cpu-s")
	f := sizing.Figures{RecordsPerCPUSecond: map[string]float64{}, DynamoReadsWarm: warm, DynamoReadsCold: cold}
	for name, v := range cpu {
		if mode, ok := benchModes[name]; ok {
			f.RecordsPerCPUSecond[mode] = v
		}
	}
	if err := measureTraffic(&f); err != nil {
		return err
	}
	est, err := sizing.Plan(f, sizing.Organisation(), sizing.DefaultPrices())
	if err != nil {
		return err
	}
	g := sizing.Guide{Figures: f, Estate: sizing.Organisation(), Prices: sizing.DefaultPrices(), Estimate: est,
		Command: "make sizing   # go run ./internal/cmd/sizing && make docs",
		Method: map[string]string{
			"cpu":      fmt.Sprintf("median of %d runs of the handler benchmarks (`go test -bench 'BenchmarkHandle' -cpu 1 ./internal/pipeline/lambda/handler`), process CPU time", count),
			"line":     "the synthetic estate's records (`internal/testbed/synthetic`)",
			"payload":  "a generated subscription payload of 10,000 events, gzip as CloudWatch Logs sends it",
			"rows":     "the synthetic estate enriched with a one-minute window",
			"rowbytes": "the synthetic estate's rows in one object per format",
			"dynamo":   "`TestReadsPer10000Records` in `internal/testbed/churn` (moto, calls counted by a client middleware; `CHURN_READS_INTERFACES=1000`); a record costs the same reads whatever the number of interfaces: its address, its /28, the interface's history and tags, 2 more per internet peer, which the 1-minute negative cache reads again each minute",
		}}
	for name, mode := range benchModes {
		if d := benchDetails[name]; d != "" {
			g.Method["cpu:"+mode] = "`" + name + "`: " + d
		}
	}
	if s3, ok := f.RecordsPerCPUSecond["s3"]; ok && s3 > 0 {
		e := sizing.Organisation()
		e.Mode = "s3"
		if est3, err := sizing.Plan(f, e, sizing.DefaultPrices()); err == nil {
			g.S3 = &est3
		}
	}
	var buf bytes.Buffer
	if err := sizing.Render(&buf, g); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("sizing: wrote %s: %d shards, concurrency %d, %.2f USD per billion records\n", out, est.Shards, est.Concurrency, sizing.Total(est.PerBillion))
	return nil
}

func runBenchmarks(count int, benchtime string) ([]byte, error) {
	names := make([]string, 0, len(benchModes))
	for n := range benchModes {
		names = append(names, strings.TrimPrefix(n, "Benchmark"))
	}
	slices.Sort(names)
	args := []string{"test", "-run", "^$", "-bench", "^Benchmark(" + strings.Join(names, "|") + ")$",
		"-benchtime", benchtime, "-count", strconv.Itoa(count), "-cpu", "1", "./internal/pipeline/lambda/handler"}
	fmt.Fprintln(os.Stderr, "sizing: go", strings.Join(args, " "))
	cmd := exec.CommandContext(context.Background(), "go", args...)
	cmd.Stderr = os.Stderr
	return cmd.Output()
}

var benchLine = regexp.MustCompile(`^(Benchmark\w+?)(-\d+)?\s+\d+\s`)

// medians returns, by benchmark name, the median of a metric over the runs
// in go test -bench output.
func medians(out []byte, unit string) map[string]float64 {
	values := map[string][]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		fields := strings.Fields(line)
		for i := 1; i+1 < len(fields); i++ {
			if fields[i+1] == unit {
				if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
					values[m[1]] = append(values[m[1]], v)
				}
			}
		}
	}
	res := map[string]float64{}
	for name, vs := range values {
		slices.Sort(vs)
		res[name] = vs[len(vs)/2]
	}
	return res
}
