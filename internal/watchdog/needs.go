package watchdog

import (
	"fmt"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/delivery"
)

// Deployment is how the watchdog function is set up, as far as its role
// is concerned: where it runs, where it publishes, what it scans.
type Deployment struct {
	Partition, Account, Region string
	// Namespace and EventBus as the function's environment sets them; the
	// defaults when empty.
	Namespace, EventBus string
	// StateBucket and StatePrefix hold the state; none without a bucket.
	StateBucket, StatePrefix string
	// ScansOwnAccount is true when a target has no role: the function's
	// own credentials read the account's VPCs, flow logs and log groups.
	ScansOwnAccount bool
	// TargetRoleARNs are the roles it assumes to scan other accounts.
	TargetRoleARNs []string
}

func (d Deployment) partition() string {
	if d.Partition == "" {
		return "aws"
	}
	return d.Partition
}

// Needs are the calls the watchdog makes with its execution role, for
// delivery.CheckServiceRole: a role that allows less makes the watchdog
// fail at run time, which is the silent failure it exists to prevent.
func (d Deployment) Needs() []delivery.Need {
	ns, bus := d.Namespace, d.EventBus
	if ns == "" {
		ns = DefaultNamespace
	}
	if bus == "" {
		bus = DefaultEventBus
	}
	var needs []delivery.Need
	if d.ScansOwnAccount {
		needs = append(needs,
			delivery.Need{Action: "ec2:DescribeVpcs", Resource: "*"},
			delivery.Need{Action: "ec2:DescribeFlowLogs", Resource: "*"},
			delivery.Need{Action: "logs:DescribeLogGroups", Resource: fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", d.partition(), d.Region, d.Account)},
			delivery.Need{Action: "s3:ListAllMyBuckets", Resource: "*", Optional: true,
				Why: "without it the watchdog cannot tell whether the buckets of S3 flow logs still exist, and the scan fails for regions that have any"},
		)
	}
	needs = append(needs,
		delivery.Need{Action: "cloudwatch:PutMetricData", Resource: "*", Context: map[string][]string{"cloudwatch:namespace": {ns}}},
		delivery.Need{Action: "events:PutEvents", Resource: d.eventBusARN(bus)},
	)
	if d.StateBucket != "" {
		prefix := d.StatePrefix
		if prefix == "" {
			prefix = defaultStatePrefix
		}
		key := fmt.Sprintf("arn:%s:s3:::%s/%s%s/%s.json", d.partition(), d.StateBucket, prefix, d.Account, d.Region)
		fix := fmt.Sprintf("arn:%s:s3:::%s/%s*", d.partition(), d.StateBucket, prefix)
		needs = append(needs,
			delivery.Need{Action: "s3:GetObject", Resource: key, FixResource: fix},
			delivery.Need{Action: "s3:PutObject", Resource: key, FixResource: fix},
		)
	}
	for _, r := range d.TargetRoleARNs {
		needs = append(needs, delivery.Need{Action: "sts:AssumeRole", Resource: r})
	}
	return needs
}

func (d Deployment) eventBusARN(bus string) string {
	if strings.HasPrefix(bus, "arn:") {
		return bus
	}
	return fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", d.partition(), d.Region, d.Account, bus)
}
