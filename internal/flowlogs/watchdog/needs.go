package watchdog

import (
	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/pipelinepolicy"
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
	// own credentials read the account's VPCs, flow logs and log groups,
	// in each of ScanRegions.
	ScansOwnAccount bool
	ScanRegions     []string
	// TargetRoleARNs are the roles it assumes to scan other accounts, with
	// the external IDs of those that send one.
	TargetRoleARNs []string
	ExternalIDs    map[string]string
}

// Policy is the deployment with the defaults filled in, as
// pipelinepolicy renders and checks the execution role of mode watchdog.
func (d Deployment) Policy() pipelinepolicy.Watchdog {
	w := pipelinepolicy.Watchdog{
		Namespace: d.Namespace, EventBus: d.EventBus,
		EventSource: EventSource, DetailTypes: []string{DetailTypeFailed, DetailTypeRecovered},
		StateBucket: d.StateBucket, StatePrefix: d.StatePrefix,
	}
	if w.Namespace == "" {
		w.Namespace = DefaultNamespace
	}
	if w.EventBus == "" {
		w.EventBus = DefaultEventBus
	}
	if w.StateBucket != "" && w.StatePrefix == "" {
		w.StatePrefix = defaultStatePrefix
	}
	if d.ScansOwnAccount {
		w.ScanRegions = append(w.ScanRegions, d.ScanRegions...)
		if len(w.ScanRegions) == 0 {
			w.ScanRegions = []string{d.Region}
		}
	}
	for _, r := range d.TargetRoleARNs {
		w.TargetRoles = append(w.TargetRoles, pipelinepolicy.WatchdogTargetRole{RoleARN: r, ExternalID: d.ExternalIDs[r]})
	}
	return w
}

// Needs are the calls the watchdog makes with its execution role, for
// delivery.CheckServiceRole: a role that allows less makes the watchdog
// fail at run time, which is the silent failure it exists to prevent.
// They are pipelinepolicy's, which also renders the role of a
// vpcflow_enricher_function in mode watchdog.
func (d Deployment) Needs() []delivery.Need {
	return pipelinepolicy.WatchdogNeeds(d.Partition, d.Region, d.Account, d.Policy())
}
