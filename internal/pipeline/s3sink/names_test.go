package s3sink

import (
	"strings"
	"testing"
)

func TestNamesRoundTrip(t *testing.T) {
	const (
		arn   = "arn:aws:kinesis:us-east-1:123456789012:stream/flows"
		first = "49590338271490256608559692538361571095921575989136588898"
		last  = "49590338271490256608559692540925702759324208523137515618"
	)
	tests := []struct {
		name string
		in   string
		want Name
	}{
		{
			name: "kinesis",
			in:   KinesisName(arn, "shardId-000000000003", first, last) + NDJSON.Ext(),
			want: Name{Kind: 'k', Source: shortHash(arn) + "-shardId-000000000003", First: first, Last: last},
		},
		{
			name: "logs",
			in:   LogsName("123456789012", "/vpc/flows", []string{"to-lambda"}, "eni-0a1b2c3d4e5f60718-all", "3195310660696698337880902507980421114328961542429") + Parquet.Ext(),
			want: Name{Kind: 'l', Source: shortHash("123456789012", "/vpc/flows", "to-lambda") + "-eni-0a1b2c3d4e5f60718-all", First: "3195310660696698337880902507980421114328961542429"},
		},
		{
			name: "log stream with slashes and brackets",
			in:   LogsName("1", "g", nil, "2024/05/01/[$LATEST]abc", "7"),
			want: Name{Kind: 'l', Source: shortHash("1", "g") + "-2024_2F05_2F01_2F_5B_24LATEST_5Dabc", First: "7"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(strings.TrimSuffix(tt.in, NDJSON.Ext()), "/") {
				t.Fatalf("name %q has a slash", tt.in)
			}
			got, err := ParseName(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseName(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNamesDiffer(t *testing.T) {
	names := map[string]string{
		"base":          LogsName("1", "g", []string{"f"}, "s", "1"),
		"other owner":   LogsName("2", "g", []string{"f"}, "s", "1"),
		"other group":   LogsName("1", "h", []string{"f"}, "s", "1"),
		"other filter":  LogsName("1", "g", []string{"f2"}, "s", "1"),
		"other stream":  LogsName("1", "g", []string{"f"}, "t", "1"),
		"other event":   LogsName("1", "g", []string{"f"}, "s", "2"),
		"kinesis":       KinesisName("a", "shardId-1", "1", "2"),
		"other stream2": KinesisName("b", "shardId-1", "1", "2"),
		"other shard":   KinesisName("a", "shardId-2", "1", "2"),
		"other range":   KinesisName("a", "shardId-1", "1", "3"),
	}
	seen := map[string]string{}
	for what, n := range names {
		if other, ok := seen[n]; ok {
			t.Errorf("%s and %s share the name %q", what, other, n)
		}
		seen[n] = what
	}
}

func TestEscapeName(t *testing.T) {
	long := strings.Repeat("a/", 300)
	tests := []struct{ in, want string }{
		{"eni-0a1b2c3d4e5f60718-all", "eni-0a1b2c3d4e5f60718-all"},
		{"a_b", "a_5Fb"},
		{"a/b c", "a_2Fb_20c"},
		{"é", "_C3_A9"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := EscapeName(tt.in); got != tt.want {
				t.Errorf("EscapeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	t.Run("long", func(t *testing.T) {
		a, b := EscapeName(long), EscapeName(long+"b")
		if len(a) > maxEscaped || len(b) > maxEscaped || a == b {
			t.Errorf("long names %q and %q", a, b)
		}
	})
}

func TestParseNameErrors(t *testing.T) {
	for _, in := range []string{"", "x-1", "k-abc-1", "l-abc", "k-abc-x-y", "part-0000.json.gz"} {
		t.Run(in, func(t *testing.T) {
			if n, err := ParseName(in); err == nil {
				t.Errorf("ParseName(%q) = %+v, want an error", in, n)
			}
		})
	}
}

func TestCompareSeq(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1},
		{"10", "9", 1},
		{"0010", "10", 0},
		{"49590338271490256608559692538361571095921575989136588898", "49590338271490256608559692538361571095921575989136588899", -1},
		{"49590338271490256608559692538361571095921575989136588898", "9", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"_"+tt.b, func(t *testing.T) {
			if got := CompareSeq(tt.a, tt.b); got != tt.want {
				t.Errorf("CompareSeq(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
