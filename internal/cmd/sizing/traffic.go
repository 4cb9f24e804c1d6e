package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/parquetrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/sizing"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// payloadRecords is the number of events of the payload whose size per
// record is measured: about 1 MB of JSON, as large as CloudWatch Logs makes
// a subscription batch, and the handler benchmarks' payload.
const payloadRecords = 10_000

// both writes each row to two writers and keeps them open until closed
// itself, since the enricher closes its writer at each flow log's end.
type both struct {
	a, b connrows.Writer
	rows int
}

func (w *both) Write(r *connrows.Row) error {
	w.rows++
	if err := w.a.Write(r); err != nil {
		return err
	}
	return w.b.Write(r)
}

func (*both) Close() error { return nil }

// measureTraffic enriches the synthetic estate into one gzip NDJSON and one
// Parquet object and reads the traffic figures from them.
func measureTraffic(f *sizing.Figures) error {
	set := synthetic.Generate(synthetic.Options{Seed: 1})
	inv := inventory.New()
	for _, load := range []func() error{
		func() error { return inv.LoadNetworkInterfaces(bytes.NewReader(set.NetworkInterfaces), time.Time{}) },
		func() error { return inv.LoadTags(bytes.NewReader(set.Resources)) },
		func() error { return inv.LoadIPRanges(bytes.NewReader(set.IPRanges)) },
	} {
		if err := load(); err != nil {
			return err
		}
	}
	var jsonBuf, parquetBuf bytes.Buffer
	nd, err := connrows.NewNDJSON(&jsonBuf, connrows.NDJSONOptions{Gzip: true})
	if err != nil {
		return err
	}
	pq := parquetrows.NewWriter(&parquetBuf)
	w := &both{a: nd, b: pq}
	records, lineBytes := 0, 0
	for _, fl := range set.FlowLogs {
		e, err := enrich.New(inv, w, enrich.Options{})
		if err != nil {
			return err
		}
		if err := e.ReadLines(bytes.NewReader(fl.File())); err != nil {
			return err
		}
		if err := e.Close(); err != nil {
			return err
		}
		for _, l := range fl.Lines {
			lineBytes += len(l) + 1
		}
		records += len(fl.Lines)
	}
	if err := nd.Close(); err != nil {
		return err
	}
	if err := pq.Close(); err != nil {
		return err
	}
	if records == 0 || w.rows == 0 {
		return fmt.Errorf("the synthetic estate gave %d records and %d rows", records, w.rows)
	}
	gz := subscription.GeneratePayload(payloadRecords, 1)
	f.LineBytes = float64(lineBytes) / float64(records)
	f.PayloadBytes = float64(len(gz)) / payloadRecords
	f.RecordsPerPayload = payloadRecords
	f.RowsPerRecord = float64(w.rows) / float64(records)
	f.RowBytes = map[string]float64{
		"ndjson":  float64(jsonBuf.Len()) / float64(w.rows),
		"parquet": float64(parquetBuf.Len()) / float64(w.rows),
	}
	columns, err := columnBytes(parquetBuf.Bytes())
	if err != nil {
		return err
	}
	f.ScanBytesPerRow = map[string]float64{}
	f.QueryDays = map[string]float64{}
	for _, q := range queries.All() {
		read := 0
		for path, n := range columns {
			if names(q.SQL, path) {
				read += n
			}
		}
		f.ScanBytesPerRow[q.Name] = float64(read) / float64(w.rows)
		f.QueryDays[q.Name] = days(q.SQL)
	}
	fmt.Printf("sizing: %d records, %d rows, %d B NDJSON, %d B Parquet\n", records, w.rows, jsonBuf.Len(), parquetBuf.Len())
	return nil
}

// columnBytes returns the compressed bytes of each leaf column of a Parquet
// file, by its dotted lower-case path without the list levels.
func columnBytes(b []byte) (map[string]int, error) {
	file, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	res := map[string]int{}
	for _, rg := range file.Metadata().RowGroups {
		for _, c := range rg.Columns {
			var parts []string
			for _, p := range c.MetaData.PathInSchema {
				if p == "list" || p == "element" || p == "key_value" || p == "key" || p == "value" {
					continue
				}
				parts = append(parts, strings.ToLower(p))
			}
			res[strings.Join(parts, ".")] += int(c.MetaData.TotalCompressedSize)
		}
	}
	return res, nil
}

var (
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	sqlString  = regexp.MustCompile(`'(?:[^']|'')*'`)
	sqlWord    = regexp.MustCompile(`"?[a-z_][a-z0-9_]*"?(?:\."?[a-z_][a-z0-9_]*"?)*`)
)

// names says whether a query names a column (or a struct holding it).
func names(sql, column string) bool {
	text := sqlString.ReplaceAllString(sqlComment.ReplaceAllString(strings.ToLower(sql), ""), "''")
	for _, w := range sqlWord.FindAllString(text, -1) {
		w = strings.ReplaceAll(w, `"`, "")
		if w == column || strings.HasPrefix(column, w+".") {
			return true
		}
	}
	return false
}

var sqlInterval = regexp.MustCompile(`interval '(\d+)' (day|month)`)

// days is how many days of partitions a query reads: its longest interval,
// a month counted as 30 days plus the current month's half.
func days(sql string) float64 {
	longest := 1.0
	for _, m := range sqlInterval.FindAllStringSubmatch(strings.ToLower(sql), -1) {
		n, _ := strconv.ParseFloat(m[1], 64)
		if m[2] == "month" {
			n = n*30 + 15
		}
		longest = max(longest, n)
	}
	return longest
}
