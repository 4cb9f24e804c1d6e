package sizing

import (
	"math"
	"strings"
	"testing"
)

func figures() Figures {
	return Figures{
		RecordsPerCPUSecond: map[string]float64{"kinesis": 1e6, "s3": 2e6},
		LineBytes:           100,
		PayloadBytes:        30,
		RecordsPerPayload:   10000,
		RowsPerRecord:       0.25,
		RowBytes:            map[string]float64{"parquet": 50},
		ScanBytesPerRow:     map[string]float64{"q": 10},
		QueryDays:           map[string]float64{"q": 7},
		DynamoReadsWarm:     2,
	}
}

func TestPlan(t *testing.T) {
	e := Organisation()
	e.LambdaMemoryMB = 1769
	est, err := Plan(figures(), e, DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	// 1e6 records/s × 30 B = 30 MB/s against 0.5 MiB/s per shard.
	if want := int(math.Ceil(30e6 / (0.5 * (1 << 20)))); est.Shards != want {
		t.Errorf("shards %d, want %d", est.Shards, want)
	}
	if est.CPUsBusy != 1 || est.ParallelizationFactor != 1 || est.Concurrency != est.Shards {
		t.Errorf("cpu %v factor %d concurrency %d", est.CPUsBusy, est.ParallelizationFactor, est.Concurrency)
	}
	if est.RowsPerDay != 86400*1e6*0.25 {
		t.Errorf("rows a day %v", est.RowsPerDay)
	}
	if got, want := est.ScanBytesPerRun["q"], 10*est.RowsPerDay*7; got != want {
		t.Errorf("scan %v, want %v", got, want)
	}
	if est.DynamoReadsPerSecond != 200 {
		t.Errorf("reads a second %v", est.DynamoReadsPerSecond)
	}
	// The bill per billion is the month's scaled to 1e9 records.
	month, billion := Total(est.Monthly), Total(est.PerBillion)
	if ratio := month / billion; math.Abs(ratio-86400*1e6*30/1e9) > 1e-6 {
		t.Errorf("month/billion %v", ratio)
	}
}

func TestPlanNeedsMoreThanTenReaders(t *testing.T) {
	f := figures()
	f.RecordsPerCPUSecond["kinesis"] = 1000 // slow: a shard needs more CPU than ten readers give
	_, err := Plan(f, Organisation(), DefaultPrices())
	if err == nil || !strings.Contains(err.Error(), "Kinesis allows 10") {
		t.Fatalf("err %v", err)
	}
}

func TestPlanRefusesUnmeasured(t *testing.T) {
	e := Organisation()
	e.Mode = "nope"
	if _, err := Plan(figures(), e, DefaultPrices()); err == nil {
		t.Fatal("planned a mode with no figure")
	}
}

func TestTiered(t *testing.T) {
	tiers := []Tier{{10, 1}, {30, 0.5}, {0, 0.1}}
	for _, c := range []struct{ gb, want float64 }{
		{0, 0}, {5, 5}, {10, 10}, {20, 15}, {30, 20}, {130, 30},
	} {
		if got := tiered(c.gb, tiers); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("tiered(%v) = %v, want %v", c.gb, got, c.want)
		}
	}
}

func TestRender(t *testing.T) {
	est, err := Plan(figures(), Organisation(), DefaultPrices())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Render(&b, Guide{Figures: figures(), Estate: Organisation(), Prices: DefaultPrices(), Estimate: est, Command: "make sizing"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"page_title: \"Sizing an organisation\"", "make sizing", "| Kinesis shards | 58 |", "**total**"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("guide lacks %q", want)
		}
	}
}

func TestCount(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 12: "12", 1.5: "1.50", 1234: "1,234", 1234567: "1,234,567", 25e6: "25.0 M", 3e9: "3.00 G", 2e12: "2.00 T"} {
		if got := count(x); got != want {
			t.Errorf("count(%v) = %q, want %q", x, got, want)
		}
	}
}
