package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/compaction"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/handler"
)

// compact runs the compaction the configuration schedules, when the
// enricher stages its rows (VPCFLOW_OUTPUT_STAGING): the compaction's
// handler in this process, with the enricher's bucket, prefix and format,
// which are the compaction function's. The estate's hours ended long ago,
// so every partition is closed.
func compact(ctx context.Context, c *clients, pl *pipeline) (compaction.Stats, bool, error) {
	if staged, _ := strconv.ParseBool(pl.env[contract.EnvOutputStaging]); !staged {
		return compaction.Stats{}, false, nil
	}
	h, err := handler.NewCompactFromEnv(func(k string) string { return pl.env[k] }, c.s3, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return compaction.Stats{}, true, fmt.Errorf("the compaction of the staged rows: %w", err)
	}
	st, err := h.HandleCompact(ctx, events.CloudWatchEvent{})
	return st, true, err
}
