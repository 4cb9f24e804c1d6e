package delivery

import (
	"strings"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

// confusions lists service principals people write instead of the right one,
// with why each is wrong. Entries come from real misconfigurations: typos of
// the flow logs principal, the EC2 and CloudWatch Logs principals (flow logs
// are an EC2 feature that writes to CloudWatch Logs), and the delivery
// principals of other log paths.
var confusions = map[string]map[string]string{
	ServiceVPCFlowLogs: {
		"vpc-flow-log.amazonaws.com":   "a misspelling: the service name is plural, flow-logs",
		"vpcflowlogs.amazonaws.com":    "a misspelling: the service name has hyphens",
		"vpc-flowlogs.amazonaws.com":   "a misspelling: the service name has hyphens",
		"flowlogs.amazonaws.com":       "not a service principal",
		"flow-logs.amazonaws.com":      "not a service principal: the name starts with vpc-",
		"vpc.amazonaws.com":            "not the flow logs service principal",
		"ec2.amazonaws.com":            "the EC2 principal, used by instance roles, not by VPC Flow Logs",
		"logs.amazonaws.com":           "the CloudWatch Logs principal; CloudWatch Logs receives the records but does not assume the role",
		ServiceLogDelivery:             "the log delivery principal, used for S3 and Firehose destinations, not for CloudWatch Logs",
		"vpc-flow-logs.amazonaws.cn":   "not a service principal: service principals end in amazonaws.com",
		"vpc-flow-logs.amazon.com":     "a misspelling of the amazonaws.com domain",
		"vpc-flow-logs":                "missing the .amazonaws.com domain",
		"vpc-flow-logs.amazonaws.com.": "a misspelling: it has a trailing dot",
	},
	ServiceLogDelivery: {
		"logs.amazonaws.com":          "the CloudWatch Logs principal, not the log delivery service",
		"delivery.logs.amazon.com":    "a misspelling of the amazonaws.com domain",
		"logdelivery.amazonaws.com":   "a misspelling of delivery.logs.amazonaws.com",
		"log-delivery.amazonaws.com":  "a misspelling of delivery.logs.amazonaws.com",
		"logs.delivery.amazonaws.com": "a misspelling: the parts are the other way round",
		ServiceVPCFlowLogs:            "the principal VPC Flow Logs uses for CloudWatch Logs roles; S3 and Firehose delivery use delivery.logs.amazonaws.com",
		"firehose.amazonaws.com":      "the Firehose principal, used by the delivery stream's own role, not by log delivery",
		"s3.amazonaws.com":            "the S3 principal, not the log delivery service",
	},
}

// nearMiss reports whether got looks like a mistaken spelling of want and why.
func nearMiss(got, want string) (string, bool) {
	if got == want {
		return "", false
	}
	if why, ok := confusions[want][got]; ok {
		return why, true
	}
	if strings.EqualFold(got, want) {
		return "a difference in letter case: service principals are lower case", true
	}
	if norm(got) == norm(want) {
		return "a misspelling: the punctuation differs", true
	}
	// Regional principals such as logs.us-east-1.amazonaws.com.
	if gs, gr, ok := regional(got); ok {
		if ws, wr, ok := regional(want); ok && gs == ws && gr != wr {
			return "the principal of region " + gr + ", but the resource is in " + wr, true
		}
	}
	if ws, wr, ok := regional(want); ok && got == ws+".amazonaws.com" {
		return "the global principal, but CloudWatch Logs uses the regional one for region " + wr, true
	}
	if d := policy.EditDistance(got, want); d > 0 && d <= 3 {
		return "a misspelling", true
	}
	return "", false
}

func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// regional splits "logs.us-east-1.amazonaws.com" into "logs" and "us-east-1".
func regional(s string) (service, region string, ok bool) {
	host, found := strings.CutSuffix(s, ".amazonaws.com")
	if !found {
		return "", "", false
	}
	service, region, found = strings.Cut(host, ".")
	if !found || strings.Count(region, "-") < 2 {
		return "", "", false
	}
	return service, region, true
}
