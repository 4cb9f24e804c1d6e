package main

import "testing"

func TestMedians(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkHandleKinesis       	       5	  47584296 ns/op	   6.51 MB/s	   664258 records/cpu-s	    210153 records/s
BenchmarkHandleKinesis-2     	       5	  47584296 ns/op	   6.51 MB/s	   700000 records/cpu-s	    210153 records/s
BenchmarkHandleKinesis       	       5	  47584296 ns/op	   6.51 MB/s	   600000 records/cpu-s	    210153 records/s
BenchmarkHandleKinesisWindow 	       5	  30149841 ns/op	   1073952 records/cpu-s
PASS
`)
	got := medians(out, "records/cpu-s")
	if got["BenchmarkHandleKinesis"] != 664258 || got["BenchmarkHandleKinesisWindow"] != 1073952 || len(got) != 2 {
		t.Errorf("medians %v", got)
	}
}

func TestNamesAndDays(t *testing.T) {
	sql := `-- reads client.arns in a comment only
SELECT sum(uploaded), "window" FROM t WHERE client.availabilityzone IS NOT NULL AND x = 'crossaz'
  AND dt >= CAST(now() - INTERVAL '7' DAY AS DATE) AND y >= date_trunc('month', now()) - INTERVAL '2' MONTH`
	for column, want := range map[string]bool{
		"uploaded": true, "window": true, "client.availabilityzone": true,
		"client.arns": false, "crossaz": false, "downloaded": false, "server.availabilityzone": false,
	} {
		if got := names(sql, column); got != want {
			t.Errorf("names(%s) = %v, want %v", column, got, want)
		}
	}
	if !names("SELECT client FROM t", "client.addr") {
		t.Error("a struct named whole reads its fields")
	}
	if d := days(sql); d != 75 {
		t.Errorf("days %v, want 75", d)
	}
}
