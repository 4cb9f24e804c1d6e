package conns

import (
	"context"
	"sort"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// CallCounter counts AWS operations, once per call whatever its retries.
type CallCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *CallCounter) install(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("vpcflowCallCounter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.add(awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx))
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

func (c *CallCounter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[op]++
}

// Count returns how many times the operation ("IAM.GetRole") was called.
func (c *CallCounter) Count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[op]
}

// Total returns the number of AWS calls made.
func (c *CallCounter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

// Snapshot returns the operations called, sorted, with their counts.
func (c *CallCounter) Snapshot() []OperationCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]OperationCount, 0, len(c.counts))
	for op, n := range c.counts {
		out = append(out, OperationCount{Operation: op, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Operation < out[j].Operation })
	return out
}

// OperationCount is one line of a CallCounter snapshot.
type OperationCount struct {
	Operation string
	Count     int
}
