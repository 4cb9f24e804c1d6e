package handler

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/compaction"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/s3sink"
)

// CompactHandler runs the compaction on each scheduled event.
type CompactHandler struct {
	Compactor *compaction.Compactor
	Logger    *slog.Logger
}

// HandleCompact compacts every closed partition and returns what it did.
// A failure leaves nothing that the next run does not finish (see
// compaction.Compactor.Run), so the error only marks the invocation as
// failed, which the function's Errors metric shows.
func (h *CompactHandler) HandleCompact(ctx context.Context, _ events.CloudWatchEvent) (compaction.Stats, error) {
	start := time.Now()
	st, err := h.Compactor.Run(ctx)
	log := h.Logger
	if log == nil {
		log = slog.Default()
	}
	attrs := []any{
		"partitions", st.Partitions, "open", st.Open, "deferred", st.Deferred,
		"parts", st.Parts, "redelivered", st.Redelivered, "orphans", st.Orphans,
		"objects", st.Objects, "rows", st.Rows, "records", st.Records,
		"bytes_in", st.BytesIn, "bytes_out", st.BytesOut,
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
	}
	if err != nil {
		log.Error("compaction failed", append(attrs, "error", err.Error())...)
		return st, err
	}
	log.Info("compaction done", attrs...)
	return st, nil
}

// CompactFromEnv builds the compaction handler from the function's
// environment, with an S3 client of the default configuration and JSON log
// lines on standard output.
func CompactFromEnv(ctx context.Context, getenv func(string) string) (*CompactHandler, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return NewCompactFromEnv(getenv, s3Client(cfg), slog.New(slog.NewJSONHandler(os.Stdout, nil)))
}

// NewCompactFromEnv builds the compaction handler from an environment and
// an S3 client.
func NewCompactFromEnv(getenv func(string) string, client s3sink.ObjectsAPI, log *slog.Logger) (*CompactHandler, error) {
	env, err := contract.ParseCompaction(getenv)
	if err != nil {
		return nil, err
	}
	store, err := s3sink.NewObjects(client, env.Bucket)
	if err != nil {
		return nil, err
	}
	opts := compaction.Options{Prefix: env.Prefix, Format: env.Format, Grace: env.Grace, MaxObjectBytes: env.MaxObjectBytes}
	c, err := compaction.New(store, opts)
	if err != nil {
		return nil, err
	}
	return &CompactHandler{Compactor: c, Logger: log}, nil
}
