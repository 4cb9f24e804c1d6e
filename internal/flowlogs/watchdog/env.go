package watchdog

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/coveragescan"
)

// Environment of the watchdog function (the enricher binary with
// VPCFLOW_MODE=watchdog).
const (
	// EnvTargets is a JSON list of the accounts and regions to scan,
	// [{"account_id":"…","region":"…","role_arn":"…","external_id":"…"}];
	// empty scans the function's own account and region.
	EnvTargets = "VPCFLOW_WATCHDOG_TARGETS"
	// EnvStateBucket holds the previous run's failing flow logs; without
	// it every run announces every failing flow log.
	EnvStateBucket = "VPCFLOW_WATCHDOG_STATE_BUCKET"
	// EnvStatePrefix prefixes the state objects; "vpcflow-watchdog/" by default.
	EnvStatePrefix = "VPCFLOW_WATCHDOG_STATE_PREFIX"
	// EnvNamespace is the CloudWatch namespace; "VPCFlow" by default.
	EnvNamespace = "VPCFLOW_WATCHDOG_NAMESPACE"
	// EnvEventBus receives the events; "default" by default.
	EnvEventBus = "VPCFLOW_WATCHDOG_EVENT_BUS"
	// EnvTrafficType is the traffic every VPC must log; ALL by default.
	EnvTrafficType = "VPCFLOW_WATCHDOG_TRAFFIC_TYPE"
	// EnvExcludeVPCs is a comma-separated list of VPC IDs left out of the count.
	EnvExcludeVPCs = "VPCFLOW_WATCHDOG_EXCLUDE_VPC_IDS"
)

// Target is one account and region of EnvTargets.
type Target struct {
	AccountID  string `json:"account_id"`
	Region     string `json:"region"`
	RoleARN    string `json:"role_arn"`
	ExternalID string `json:"external_id"`
}

// Config is the watchdog's configuration read from its environment.
type Config struct {
	// Targets are the accounts and regions to scan; one target without
	// account or role (the function's own) when the environment names none.
	Targets     []Target
	Options     coveragescan.Options
	Namespace   string
	EventBus    string
	StateBucket string
	StatePrefix string
}

// ConfigFromEnv reads the configuration; a value that cannot be read is an
// error naming its variable, so a cold start fails rather than watching
// nothing.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Targets:   []Target{{}},
		Namespace: getenv(EnvNamespace), EventBus: getenv(EnvEventBus),
		StateBucket: getenv(EnvStateBucket), StatePrefix: getenv(EnvStatePrefix),
	}
	if s := strings.TrimSpace(getenv(EnvTargets)); s != "" {
		var list []Target
		if err := json.Unmarshal([]byte(s), &list); err != nil {
			return c, fmt.Errorf("%s is not a JSON list of {account_id, region, role_arn, external_id}: %w", EnvTargets, err)
		}
		for i, t := range list {
			if t.AccountID == "" && t.RoleARN == "" && len(list) > 1 {
				return c, fmt.Errorf("%s[%d] names neither account_id nor role_arn", EnvTargets, i)
			}
		}
		if len(list) > 0 {
			c.Targets = list
		}
	}
	c.Options.TrafficType = strings.ToUpper(strings.TrimSpace(getenv(EnvTrafficType)))
	if c.Options.TrafficType != "" && c.Options.TrafficType != coveragescan.TrafficAll &&
		c.Options.TrafficType != coveragescan.TrafficAccept && c.Options.TrafficType != coveragescan.TrafficReject {
		return c, fmt.Errorf("%s=%q: want one of %s", EnvTrafficType, c.Options.TrafficType, strings.Join(coveragescan.TrafficTypes, ", "))
	}
	for _, id := range strings.Split(getenv(EnvExcludeVPCs), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.Options.ExcludeVPCIDs = append(c.Options.ExcludeVPCIDs, id)
		}
	}
	return c, nil
}

// Deployment is what the configuration means for the function's role, in
// the function's account and region.
func (c Config) Deployment(partition, account, region string) Deployment {
	d := Deployment{Partition: partition, Account: account, Region: region, Namespace: c.Namespace, EventBus: c.EventBus,
		StateBucket: c.StateBucket, StatePrefix: c.StatePrefix}
	for _, t := range c.Targets {
		if t.RoleARN == "" {
			// Scanned with the function's own credentials, in the
			// target's region (the handler's default is the function's).
			d.ScansOwnAccount = true
			r := t.Region
			if r == "" {
				r = region
			}
			if !slices.Contains(d.ScanRegions, r) {
				d.ScanRegions = append(d.ScanRegions, r)
			}
			continue
		}
		d.TargetRoleARNs = append(d.TargetRoleARNs, t.RoleARN)
		if t.ExternalID != "" {
			if d.ExternalIDs == nil {
				d.ExternalIDs = map[string]string{}
			}
			d.ExternalIDs[t.RoleARN] = t.ExternalID
		}
	}
	return d
}
