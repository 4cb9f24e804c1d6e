package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// IAM is eventually consistent: a role or policy change is visible to IAM
// itself at once but can take seconds to reach other services and regions
// ("Changes that I make are not always immediately visible", IAM User Guide,
// troubleshooting). A call that depends on a fresh change is retried for a
// bounded time, and only for errors that mean "not visible yet".
const (
	// iamPropagationTimeout bounds the wait for an IAM change to be seen.
	iamPropagationTimeout = 2 * time.Minute
	iamRetryInitialWait   = 500 * time.Millisecond
	iamRetryMaxWait       = 10 * time.Second
)

// retryIAMPropagation calls op until it succeeds, fails with an error that
// isPropagationError does not accept, or timeout has passed. Waits between
// calls grow exponentially from half a second up to ten seconds, and each
// retry is logged with the error that caused it. An error the predicate
// rejects is returned at once, unwrapped; after the timeout the last error is
// returned wrapped with how long the provider waited.
func retryIAMPropagation(ctx context.Context, timeout time.Duration, op func() error, isPropagationError func(error) bool) error {
	return propagationRetry{}.do(ctx, timeout, op, isPropagationError)
}

// propagationRetry is the backoff behind retryIAMPropagation; tests replace
// its clock. Zero fields take the defaults.
type propagationRetry struct {
	initial, max time.Duration
	now          func() time.Time
	sleep        func(context.Context, time.Duration) error
}

func (r propagationRetry) do(ctx context.Context, timeout time.Duration, op func() error, isPropagationError func(error) bool) error {
	if r.initial <= 0 {
		r.initial = iamRetryInitialWait
	}
	if r.max <= 0 {
		r.max = iamRetryMaxWait
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.sleep == nil {
		r.sleep = sleepContext
	}

	start := r.now()
	deadline := start.Add(timeout)
	wait := r.initial
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil {
			return nil
		}
		if isPropagationError == nil || !isPropagationError(err) {
			return err
		}
		remaining := deadline.Sub(r.now())
		if remaining <= 0 {
			return fmt.Errorf("still failing after %s of waiting for an IAM change to propagate: %w", timeout, err)
		}
		if wait > remaining {
			wait = remaining
		}
		tflog.Info(ctx, "IAM change not visible yet; retrying", map[string]any{
			"attempt":   attempt,
			"wait":      wait.String(),
			"elapsed":   r.now().Sub(start).Round(time.Millisecond).String(),
			"timeout":   timeout.String(),
			"error":     err.Error(),
			"retry_why": "IAM is eventually consistent: a role or policy created or changed moments ago may not be visible to the service yet",
		})
		if sleepErr := r.sleep(ctx, wait); sleepErr != nil {
			return fmt.Errorf("waiting for an IAM change to propagate: %w (last error: %w)", sleepErr, err)
		}
		wait *= 2
		if wait > r.max {
			wait = r.max
		}
	}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// hasErrorCode reports whether err is an AWS API error with one of the codes.
func hasErrorCode(err error, codes ...string) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, c := range codes {
		if apiErr.ErrorCode() == c {
			return true
		}
	}
	return false
}

// isIAMNoSuchEntity is the propagation predicate for IAM reads and writes of
// an entity created moments ago.
func isIAMNoSuchEntity(err error) bool { return hasErrorCode(err, "NoSuchEntity") }
