package inventorysync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/contract"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventoryevents"
)

// CloudTrailAPI is the part of the CloudTrail client the sync uses.
type CloudTrailAPI interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

var _ CloudTrailAPI = (*cloudtrail.Client)(nil)

// Replayer applies an event of the past as the inventory handler applies
// a delivered one.
type Replayer func(ctx context.Context, ev events.CloudWatchEvent) error

// CloudTrail keeps management events for 90 days, which LookupEvents
// serves at 2 calls a second per account and region.
const (
	MaxReplayWindow          = 90 * 24 * time.Hour
	DefaultReplayWindow      = 24 * time.Hour
	DefaultMaxReplayPages    = 40
	cloudTrailPageSize       = 50
	cloudTrailCallsPerSecond = 2
)

// replay reads the inventory's API calls of the replay window from
// CloudTrail, one event name at a time (LookupEvents takes one attribute),
// and applies each as if EventBridge had delivered it. Events apply
// commutatively and idempotently, so events that were delivered are
// rewritten unchanged and events that were lost take their place at their
// own times: the past is healed, not only the present.
func (s *Syncer) replay(ctx context.Context, t Target, c CloudTrailAPI, at time.Time, rep *Report) error {
	window := s.ReplayWindow
	if window <= 0 {
		window = DefaultReplayWindow
	}
	window = min(window, MaxReplayWindow)
	maxPages := s.MaxReplayPages
	if maxPages <= 0 {
		maxPages = DefaultMaxReplayPages
	}
	pace := s.replayPace
	if pace == nil {
		tick := time.NewTicker(time.Second / cloudTrailCallsPerSecond)
		defer tick.Stop()
		pace = func(ctx context.Context) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
				return nil
			}
		}
	}
	var errs []error
	pages := 0
	for _, name := range inventoryevents.EventNames() {
		in := &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}},
			StartTime:        aws.Time(at.Add(-window)),
			EndTime:          aws.Time(at),
			MaxResults:       aws.Int32(cloudTrailPageSize),
		}
		for {
			if pages >= maxPages {
				rep.ReplayTruncated = true
				return errors.Join(errs...)
			}
			if pages > 0 {
				if err := pace(ctx); err != nil {
					return err
				}
			}
			out, err := c.LookupEvents(ctx, in)
			pages++
			if err != nil {
				return errors.Join(append(errs, fmt.Errorf("looking up %s events of %s in CloudTrail: %w", name, t, err))...)
			}
			rep.ReplayPages++
			for _, e := range out.Events {
				ev, err := FromCloudTrail(e, t.AccountID, t.Region)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if err := s.Replay(ctx, ev); err != nil {
					errs = append(errs, fmt.Errorf("replaying %s event %s: %w", name, aws.ToString(e.EventId), err))
					continue
				}
				rep.Replayed++
			}
			if aws.ToString(out.NextToken) == "" {
				break
			}
			in.NextToken = out.NextToken
		}
	}
	return errors.Join(errs...)
}

// FromCloudTrail returns the EventBridge event that delivers a CloudTrail
// management event: its detail is the CloudTrail record LookupEvents
// returns as text.
func FromCloudTrail(e cttypes.Event, account, region string) (events.CloudWatchEvent, error) {
	detail := aws.ToString(e.CloudTrailEvent)
	if detail == "" {
		return events.CloudWatchEvent{}, fmt.Errorf("CloudTrail event %s has no record", aws.ToString(e.EventId))
	}
	return events.CloudWatchEvent{
		Version:    "0",
		ID:         "cloudtrail:" + aws.ToString(e.EventId),
		DetailType: contract.DetailAPICall,
		Source:     contract.SourceEC2,
		AccountID:  account,
		Time:       aws.ToTime(e.EventTime),
		Region:     region,
		Detail:     []byte(detail),
	}, nil
}
