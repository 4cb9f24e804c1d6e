package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

// PutLogEvents limits: events and bytes (each event's message plus 26) a
// call.
const (
	maxBatchEvents = 10_000
	maxBatchBytes  = 1_048_576
	eventOverhead  = 26
)

// push puts a flow log's records into a log group as flow logs deliver
// them: a log stream per network interface, NAME-all, and returns the
// PutLogEvents calls made. Event timestamps are the time of the push; the
// records carry their own start and end.
func push(ctx context.Context, c *clients, group string, fl synthetic.FlowLog) (int, error) {
	format, err := flowrecord.ParseFormat(fl.Format)
	if err != nil {
		return 0, err
	}
	field := format.Index(flowrecord.FieldInterfaceID)
	if field < 0 {
		return 0, fmt.Errorf("the format of %s has no interface-id", fl.LogGroup)
	}
	streams := map[string][]string{}
	var order []string
	for _, l := range fl.Lines {
		f := strings.Fields(l)
		eni := "unknown"
		if field < len(f) && f[field] != "-" {
			eni = f[field]
		}
		if _, ok := streams[eni]; !ok {
			order = append(order, eni)
		}
		streams[eni] = append(streams[eni], l)
	}
	calls := 0
	now := time.Now().UnixMilli()
	for _, eni := range order {
		stream := eni + "-all"
		_, err := c.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)})
		var exists *cwltypes.ResourceAlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			return calls, fmt.Errorf("creating log stream %s in %s: %w", stream, group, err)
		}
		lines := streams[eni]
		for len(lines) > 0 {
			var batch []cwltypes.InputLogEvent
			size := 0
			for _, l := range lines {
				if len(batch) == maxBatchEvents || size+len(l)+eventOverhead > maxBatchBytes {
					break
				}
				batch = append(batch, cwltypes.InputLogEvent{Message: aws.String(l), Timestamp: aws.Int64(now)})
				size += len(l) + eventOverhead
			}
			out, err := c.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: batch})
			if err != nil {
				return calls, fmt.Errorf("PutLogEvents to %s/%s: %w", group, stream, err)
			}
			if r := out.RejectedLogEventsInfo; r != nil && (r.TooOldLogEventEndIndex != nil || r.TooNewLogEventStartIndex != nil || r.ExpiredLogEventEndIndex != nil) {
				return calls, fmt.Errorf("PutLogEvents to %s/%s rejected events: too old up to %d, too new from %d, expired up to %d",
					group, stream, aws.ToInt32(r.TooOldLogEventEndIndex), aws.ToInt32(r.TooNewLogEventStartIndex), aws.ToInt32(r.ExpiredLogEventEndIndex))
			}
			calls++
			lines = lines[len(batch):]
		}
	}
	return calls, nil
}
