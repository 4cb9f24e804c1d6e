package contract

import (
	"strings"
	"testing"
	"time"
)

func TestParseCompaction(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Compaction
		wantErr string
	}{
		{"defaults", map[string]string{EnvOutputBucket: "b"},
			Compaction{Bucket: "b", Prefix: DefaultOutputPrefix, Format: FormatNDJSON}, ""},
		{"all set", map[string]string{EnvOutputBucket: "b", EnvOutputPrefix: "p/", EnvOutputFormat: "parquet",
			EnvCompactGrace: "30m", EnvCompactMaxObjectBytes: "1024"},
			Compaction{Bucket: "b", Prefix: "p/", Format: FormatParquet, Grace: 30 * time.Minute, MaxObjectBytes: 1024}, ""},
		{"no bucket", map[string]string{}, Compaction{}, EnvOutputBucket + " is required"},
		{"bad format", map[string]string{EnvOutputBucket: "b", EnvOutputFormat: "csv"}, Compaction{}, `unknown output format "csv"`},
		{"bad grace", map[string]string{EnvOutputBucket: "b", EnvCompactGrace: "-1h"}, Compaction{}, "positive Go duration"},
		{"bad size", map[string]string{EnvOutputBucket: "b", EnvCompactMaxObjectBytes: "0"}, Compaction{}, "positive number of bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCompaction(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
