package provider

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

// fakeRetryClock advances only when the code under test sleeps.
type fakeRetryClock struct {
	t     time.Time
	slept []time.Duration
}

func (c *fakeRetryClock) now() time.Time { return c.t }

func (c *fakeRetryClock) sleep(_ context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	return nil
}

var (
	errPropagating = &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "The role with name r cannot be found."}
	errBroken      = &smithy.GenericAPIError{Code: "InvalidParameter", Message: "Unable to assume given IAM role."}
)

func TestRetryIAMPropagation(t *testing.T) {
	t.Parallel()
	s := time.Second
	ms := time.Millisecond
	cases := []struct {
		name      string
		timeout   time.Duration
		results   []error // what successive calls return; nil after the list
		wantCalls int
		wantSlept []time.Duration
		wantErr   string // substring; "" means success
		wantIs    error
	}{
		{
			name:      "succeeds at once",
			timeout:   time.Minute,
			wantCalls: 1,
		},
		{
			name:      "propagation error then success backs off exponentially",
			timeout:   time.Minute,
			results:   []error{errPropagating, errPropagating, errPropagating},
			wantCalls: 4,
			wantSlept: []time.Duration{500 * ms, 1 * s, 2 * s},
		},
		{
			name:      "error the predicate rejects fails at once",
			timeout:   time.Minute,
			results:   []error{errBroken},
			wantCalls: 1,
			wantErr:   "Unable to assume given IAM role",
			wantIs:    errBroken,
		},
		{
			name:      "propagation error then a real error stops retrying",
			timeout:   time.Minute,
			results:   []error{errPropagating, errBroken},
			wantCalls: 2,
			wantSlept: []time.Duration{500 * ms},
			wantIs:    errBroken,
			wantErr:   "Unable to assume",
		},
		{
			name:      "wait is capped at the maximum",
			timeout:   time.Minute,
			results:   []error{errPropagating, errPropagating, errPropagating, errPropagating, errPropagating, errPropagating, errPropagating},
			wantCalls: 8,
			wantSlept: []time.Duration{500 * ms, 1 * s, 2 * s, 4 * s, 8 * s, 10 * s, 10 * s},
		},
		{
			name:      "timeout bounds the total wait and wraps the last error",
			timeout:   3 * s,
			results:   []error{errPropagating, errPropagating, errPropagating, errPropagating, errPropagating, errPropagating},
			wantCalls: 4,
			// 0.5 + 1 = 1.5s elapsed; the next 2s wait is cut to the 1.5s left.
			wantSlept: []time.Duration{500 * ms, 1 * s, 1500 * ms},
			wantErr:   "still failing after 3s",
			wantIs:    errPropagating,
		},
		{
			name:      "zero timeout calls once",
			timeout:   0,
			results:   []error{errPropagating},
			wantCalls: 1,
			wantErr:   "still failing after 0s",
			wantIs:    errPropagating,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeRetryClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			calls := 0
			op := func() error {
				calls++
				if calls <= len(tc.results) {
					return tc.results[calls-1]
				}
				return nil
			}
			r := propagationRetry{now: clock.now, sleep: clock.sleep}
			err := r.do(context.Background(), tc.timeout, op, isIAMNoSuchEntity)

			if calls != tc.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tc.wantCalls)
			}
			if !reflect.DeepEqual(clock.slept, tc.wantSlept) {
				t.Errorf("slept %v, want %v", clock.slept, tc.wantSlept)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tc.wantIs)
			}
		})
	}
}

func TestRetryIAMPropagation_cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	op := func() error {
		calls++
		cancel()
		return errPropagating
	}
	err := retryIAMPropagation(ctx, time.Minute, op, isIAMNoSuchEntity)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errPropagating) {
		t.Fatalf("error = %v, want it to wrap context.Canceled and the last error", err)
	}
	if calls != 1 {
		t.Errorf("calls = %d, want 1", calls)
	}
}

// TestRetryIAMPropagation_defaults runs the backoff with its default
// waits and a 0.7s timeout on an injected clock: the number of attempts and
// the waits are asserted, never the time the test took.
func TestRetryIAMPropagation_defaults(t *testing.T) {
	t.Parallel()
	clock := &fakeRetryClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	calls := 0
	err := propagationRetry{now: clock.now, sleep: clock.sleep}.do(context.Background(), 700*time.Millisecond, func() error {
		calls++
		return errPropagating
	}, isIAMNoSuchEntity)
	if err == nil || !errors.Is(err, errPropagating) {
		t.Fatalf("error = %v, want the propagation error after the timeout", err)
	}
	// 0.5s, then the 1s wait is cut to the 0.2s left: three calls.
	if calls != 3 {
		t.Errorf("calls = %d, want 3", calls)
	}
	if want := []time.Duration{500 * time.Millisecond, 200 * time.Millisecond}; !reflect.DeepEqual(clock.slept, want) {
		t.Errorf("slept %v, want %v", clock.slept, want)
	}
}

// TestSleepContext checks the sleep retryIAMPropagation uses by default:
// it returns at once, with the context's error, when the context ends.
func TestSleepContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleepContext on a cancelled context = %v, want context.Canceled", err)
	}
	if err := sleepContext(context.Background(), 0); err != nil {
		t.Errorf("sleepContext(0) = %v, want nil", err)
	}
}

func TestHasErrorCode(t *testing.T) {
	t.Parallel()
	wrapped := errors.Join(errors.New("context"), errPropagating)
	if !hasErrorCode(wrapped, "Throttling", "NoSuchEntity") {
		t.Error("wrapped NoSuchEntity not recognised")
	}
	if hasErrorCode(errors.New("NoSuchEntity"), "NoSuchEntity") {
		t.Error("a plain error with the code in its text must not match")
	}
}
