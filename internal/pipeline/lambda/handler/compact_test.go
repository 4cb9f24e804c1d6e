package handler

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
)

func TestOutputStagingFromEnv(t *testing.T) {
	client, bucket := motoS3(t)
	for _, staged := range []string{"", "false", "true"} {
		env := map[string]string{contract.EnvOutputBucket: bucket, contract.EnvInventoryTable: "t", contract.EnvOutputStaging: staged}
		cfg, _, err := enrichConfigFromEnv(context.Background(), func(k string) string { return env[k] }, client, nil)
		if err != nil {
			t.Fatal(err)
		}
		key := cfg.Sink.Key("dt=2024-06-01/hour=10", "l-x")
		want := "connections/dt=2024-06-01/hour=10/l-x.json.gz"
		if staged == "true" {
			want = "connections/" + contract.StagingDir + "/dt=2024-06-01/hour=10/l-x.json.gz"
		}
		if key != want || cfg.Sink.Staging() != (staged == "true") {
			t.Errorf("%s=%q: rows at %s, want %s", contract.EnvOutputStaging, staged, key, want)
		}
		if rk := cfg.Sink.RejectedKey("l-x"); rk != "connections/"+s3sink.RejectedDir+"/l-x.json.gz" {
			t.Errorf("%s=%q: rejected records at %s", contract.EnvOutputStaging, staged, rk)
		}
	}
}

func TestNewCompactFromEnv(t *testing.T) {
	client, bucket := motoS3(t)
	tests := []struct {
		name string
		env  map[string]string
		want string // a fragment of the error; "" for none
	}{
		{"defaults", map[string]string{contract.EnvOutputBucket: bucket}, ""},
		{"tuned", map[string]string{contract.EnvOutputBucket: bucket, contract.EnvOutputFormat: "parquet", contract.EnvCompactGrace: "45m", contract.EnvCompactMaxObjectBytes: "1048576"}, ""},
		{"no bucket", map[string]string{}, contract.EnvOutputBucket + " is required"},
		{"bad format", map[string]string{contract.EnvOutputBucket: bucket, contract.EnvOutputFormat: "csv"}, contract.EnvOutputFormat},
		{"bad grace", map[string]string{contract.EnvOutputBucket: bucket, contract.EnvCompactGrace: "an hour"}, contract.EnvCompactGrace},
		{"negative grace", map[string]string{contract.EnvOutputBucket: bucket, contract.EnvCompactGrace: "-1h"}, contract.EnvCompactGrace},
		{"bad size", map[string]string{contract.EnvOutputBucket: bucket, contract.EnvCompactMaxObjectBytes: "0"}, contract.EnvCompactMaxObjectBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewCompactFromEnv(func(k string) string { return tt.env[k] }, client, quietLog)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				// An empty bucket: nothing to compact, nothing fails.
				st, err := h.HandleCompact(context.Background(), events.CloudWatchEvent{})
				if err != nil || st.Objects != 0 || st.Parts != 0 {
					t.Errorf("a run on an empty bucket: %+v, %v", st, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want one with %q", err, tt.want)
			}
		})
	}
}
