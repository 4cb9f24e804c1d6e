package lambdaemu

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// AsyncInvoker plays Lambda's asynchronous invocation, as CloudWatch Logs
// subscription filters use it: an event that fails is retried twice
// (MaximumRetryAttempts 2), then sent with its outcome to the on-failure
// destination, or dropped without one.
type AsyncInvoker struct {
	Function    Invoker
	FunctionARN string
	MaxRetries  int // default 2; -1 for none
	// SQS and OnFailureQueueURL are the on-failure destination.
	SQS               *sqs.Client
	OnFailureQueueURL string

	Stats AsyncStats
}

// AsyncStats count what an AsyncInvoker did.
type AsyncStats struct {
	Events, Invocations, FunctionErrors, Timeouts, GivenUp int
	Reports                                                []Report
}

// Invoke delivers one event, with the retries; it returns the outcome of
// the last attempt.
func (a *AsyncInvoker) Invoke(ctx context.Context, event []byte) (Result, error) {
	retries := a.MaxRetries
	switch {
	case retries == 0:
		retries = 2
	case retries < 0:
		retries = 0
	}
	a.Stats.Events++
	var res Result
	var err error
	for attempt := 0; attempt <= retries; attempt++ {
		a.Stats.Invocations++
		res, err = a.Function.Invoke(ctx, event)
		if err != nil {
			return res, err
		}
		a.Stats.Reports = append(a.Stats.Reports, res.Report)
		if res.Error == "" {
			return res, nil
		}
		a.Stats.FunctionErrors++
		if res.TimedOut {
			a.Stats.Timeouts++
		}
	}
	a.Stats.GivenUp++
	if a.SQS == nil || a.OnFailureQueueURL == "" {
		return res, nil
	}
	msg := OnFailureMessage{Version: "1.0", Timestamp: time.Now().UTC().Format(time.RFC3339Nano), RequestPayload: event}
	msg.RequestContext.RequestID = res.Report.RequestID
	msg.RequestContext.FunctionARN = a.FunctionARN
	msg.RequestContext.Condition = "RetriesExhausted"
	msg.RequestContext.ApproximateInvokeCount = retries + 1
	msg.ResponseContext.StatusCode = 200
	msg.ResponseContext.ExecutedVersion = "$LATEST"
	msg.ResponseContext.FunctionError = "Unhandled"
	body, _ := json.Marshal(msg)
	if _, err := a.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(a.OnFailureQueueURL), MessageBody: aws.String(string(body))}); err != nil {
		return res, fmt.Errorf("sending to the on-failure destination: %w", err)
	}
	return res, nil
}
