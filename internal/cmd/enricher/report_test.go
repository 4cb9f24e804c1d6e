package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/report"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/report/reporttest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

var reportShot = flag.String("report-screenshot", "", "also write the Chromium screenshot of enricher report's page to this file")

// useMoto starts a moto server for one test and points the AWS SDK's
// standard configuration at it through the environment; without TF_ACC it
// skips the test.
func useMoto(t *testing.T) {
	t.Helper()
	acctest.PreCheck(t)
	m, err := acctest.StartMoto()
	if err != nil {
		t.Fatal(err) // not a skip: the test needs a local AWS
	}
	t.Cleanup(m.Stop)
	for _, v := range m.Env() {
		t.Setenv(v.Name, v.Value) // empty for the variables Env unsets
	}
}

// upload copies a folder's files to a bucket below prefix.
func upload(t *testing.T, client *s3.Client, bucket, prefix, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		_, err = client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
			Key: aws.String(prefix + filepath.ToSlash(rel)), Body: bytes.NewReader(body)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func runReportCmd(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"report"}, args...), strings.NewReader(""), &stdout, &stderr); code != exitOK {
		t.Fatalf("enricher report %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// TestReportS3 draws the page of the demo's synthetic rows from a moto S3
// prefix, as gzip NDJSON and as Parquet, and from a local folder: the
// three pages are the same, with every named query's answer, and
// Chromium draws the charts of the page.
func TestReportS3(t *testing.T) {
	rows, truth, err := reporttest.Rows(synthetic.Options{Seed: 3, HoursPerDay: 1})
	if err != nil {
		t.Fatal(err)
	}
	jsonDir, parquetDir := t.TempDir(), t.TempDir()
	if _, err := reporttest.WriteStore(jsonDir, rows, reporttest.JSON, 500); err != nil {
		t.Fatal(err)
	}
	if _, err := reporttest.WriteStore(parquetDir, rows, reporttest.Parquet, 500); err != nil {
		t.Fatal(err)
	}

	useMoto(t)
	cfg, err := config.LoadDefaultConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "flow-log-rows"
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	upload(t, client, bucket, "connections/", jsonDir)
	upload(t, client, bucket, "parquet/connections/", parquetDir)

	start, end := report.QueriesStart(truth.Now).Format(time.RFC3339), truth.Now.Format(time.RFC3339)
	out := t.TempDir()
	pages := map[string]string{}
	for name, from := range map[string][]string{
		"s3-json":    {"--from", "s3://" + bucket + "/connections"},
		"s3-parquet": {"--from", "s3://" + bucket + "/parquet/connections/", "--format", "parquet"},
		"dir":        {"--from", jsonDir},
	} {
		page := filepath.Join(out, name+".html")
		_, stderr := runReportCmd(t, append(from, "--start", start, "--end", end, "--app", truth.App, "--title", "Synthetic estate", "--out", page)...)
		t.Logf("%s: %s", name, lastLine(stderr))
		// 70 days of traffic, an object each; the 2 decoys of the first
		// partition skipped.
		want, tail := "listings=70 partitions=70 objects=70 ", fmt.Sprintf(" skipped=2 rows=%d kept=%[1]d", len(rows))
		if !strings.HasPrefix(lastLine(stderr), want) || !strings.HasSuffix(lastLine(stderr), tail) {
			t.Errorf("%s: stderr %q, want %q...%q", name, stderr, want, tail)
		}
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		pages[name] = string(b)
	}
	if pages["s3-json"] != pages["dir"] || pages["s3-parquet"] != pages["dir"] {
		t.Error("the pages of the same rows differ between S3 and a folder, or NDJSON and Parquet")
	}
	for _, want := range []string{"<title>Synthetic estate</title>", "Which applications did reporting talk to", ">app_peers<", ">cross_az_share<",
		">destination_growth<", ">lambda_rds_direct<", ">lb_bypass<", `<svg class="map"`, fmt.Sprintf("%d rows", len(rows))} {
		if !strings.Contains(pages["dir"], want) {
			t.Errorf("no %q in the page", want)
		}
	}

	az, service, internet, apps := report.Palette()
	img := reporttest.Screenshot(t, filepath.Join(out, "s3-json.html"), 1280, 1800, *reportShot)
	reporttest.CheckScreenshot(t, img, reporttest.Colours{AZ: az, Service: service, Internet: internet, Apps: apps})
}

// TestReportPartial reads part of a week: only those partitions are read,
// and the page says which answers cover part of their period.
func TestReportPartial(t *testing.T) {
	rows, truth, err := reporttest.Rows(synthetic.Options{Seed: 3, HoursPerDay: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := reporttest.WriteStore(dir, rows, reporttest.JSON, 500); err != nil {
		t.Fatal(err)
	}
	page, stderr := runReportCmd(t, "--from", dir, "--start", truth.Now.AddDate(0, 0, -3).Format(time.RFC3339), "--end", truth.Now.Format(time.RFC3339))
	if !strings.HasPrefix(lastLine(stderr), "listings=3 partitions=3 objects=3 ") {
		t.Errorf("stderr %q", stderr)
	}
	for _, want := range []string{"this answer covers 3.0 days of the query&#39;s 7.0 days", "Not asked: name the application (enricher report --app NAME).",
		"Not answered: the rows read start at"} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in the page", want)
		}
	}
}

func TestReportFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"--start", "2024-06-01T00:00:00Z", "--end", "2024-06-02T00:00:00Z"}, "--from is required"},
		{[]string{"--from", dir, "--end", "2024-06-02T00:00:00Z"}, "--start and --end are required"},
		{[]string{"--from", dir, "--start", "2024-06-01", "--end", "2024-06-02T00:00:00Z"}, "want an RFC 3339 time"},
		{[]string{"--from", dir, "--start", "2024-06-02T00:00:00Z", "--end", "2024-06-02T00:00:00Z"}, "the range is empty"},
		{[]string{"--from", dir, "--start", "2024-06-01T00:00:00Z", "--end", "2024-06-02T00:00:00Z", "--format", "csv"}, `--format "csv": want json or parquet`},
		{[]string{"--from", dir, "--start", "2024-06-01T00:00:00Z", "--end", "2024-06-02T00:00:00Z", "extra"}, `unexpected argument "extra"`},
		{[]string{"--from", filepath.Join(dir, "missing"), "--start", "2024-06-01T00:00:00Z", "--end", "2024-06-02T00:00:00Z"}, "want s3://BUCKET/PREFIX or a local folder"},
		{[]string{"--from", "s3:///x", "--start", "2024-06-01T00:00:00Z", "--end", "2024-06-02T00:00:00Z"}, "names no bucket"},
	} {
		var stderr bytes.Buffer
		if code := run(append([]string{"report"}, tc.args...), strings.NewReader(""), io.Discard, &stderr); code != exitUsage || !strings.Contains(stderr.String(), tc.err) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), exitUsage, tc.err)
		}
	}
}

// TestReportOutFileKeptOnFailure leaves --out as it was when the rows
// cannot be read.
func TestReportOutFileKeptOnFailure(t *testing.T) {
	dir := t.TempDir()
	part := filepath.Join(dir, "dt=2024-06-01", "hour=00")
	if err := os.MkdirAll(part, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(part, "a.json.gz"), []byte("{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := run([]string{"report", "--from", dir, "--start", "2024-06-01T00:00:00Z", "--end", "2024-06-02T00:00:00Z", "--out", out}, strings.NewReader(""), io.Discard, &stderr)
	if b, _ := os.ReadFile(out); code != exitFail || string(b) != "old" || !strings.Contains(stderr.String(), "a.json.gz: line 1") {
		t.Errorf("exit %d, %s holds %q, stderr %q", code, out, b, stderr.String())
	}
}
