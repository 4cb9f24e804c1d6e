package flowobject

import (
	"errors"
	"strings"
	"time"
)

// Key is what the key of a flow log file says about it. VPC Flow Logs
// names its files
//
//	[PREFIX/]AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/[HH/]FILE
//
// or, with Hive-compatible prefixes,
//
//	[PREFIX/]AWSLogs/aws-account-id=ACCOUNT/aws-service=vpcflowlogs/aws-region=REGION/year=YYYY/month=MM/day=DD/[hour=HH/]FILE
//
// where FILE is ACCOUNT_vpcflowlogs_REGION_FLOWLOGID_YYYYMMDDTHHmmZ_HASH
// followed by .log.gz or .log.parquet (Amazon VPC User Guide, "Flow log
// files").
type Key struct {
	Prefix    string // what comes before AWSLogs/, without its slash
	Account   string
	Region    string
	FlowLogID string
	// Time is the time in the file name, to the minute.
	Time time.Time
	// Hive is true for Hive-compatible prefixes, Hourly for per-hour
	// partitions.
	Hive, Hourly bool
	Kind         Kind
}

// ParseKey reads the key of a flow log file.
func ParseKey(key string) (Key, error) {
	var k Key
	i := strings.Index(key, "AWSLogs/")
	if i < 0 || (i > 0 && key[i-1] != '/') {
		return k, errors.New("no AWSLogs/ folder in the key")
	}
	k.Prefix = strings.TrimSuffix(key[:i], "/")
	segs := strings.Split(key[i+len("AWSLogs/"):], "/")
	if len(segs) != 7 && len(segs) != 8 {
		return k, errors.New("not the folder layout of VPC Flow Logs")
	}
	k.Hourly = len(segs) == 8
	file := segs[len(segs)-1]
	strip := func(seg, name string) string {
		if v, ok := strings.CutPrefix(seg, name+"="); ok {
			k.Hive = true
			return v
		}
		return seg
	}
	k.Account = strip(segs[0], "aws-account-id")
	if strip(segs[1], "aws-service") != "vpcflowlogs" {
		return k, errors.New("not a VPC Flow Logs key: the service folder is not vpcflowlogs")
	}
	k.Region = strip(segs[2], "aws-region")
	switch {
	case strings.HasSuffix(file, ".log.gz"):
		k.Kind, file = Text, strings.TrimSuffix(file, ".log.gz")
	case strings.HasSuffix(file, ".log.parquet"):
		k.Kind, file = Parquet, strings.TrimSuffix(file, ".log.parquet")
	default:
		return k, errors.New("the file name ends neither in .log.gz nor in .log.parquet")
	}
	parts := strings.Split(file, "_")
	if len(parts) != 6 || parts[0] != k.Account || parts[1] != "vpcflowlogs" || parts[2] != k.Region {
		return k, errors.New("the file name is not ACCOUNT_vpcflowlogs_REGION_FLOWLOGID_TIME_HASH")
	}
	k.FlowLogID = parts[3]
	t, err := time.Parse("20060102T1504Z", parts[4])
	if err != nil {
		return k, errors.New("the file name's time is not YYYYMMDDTHHmmZ")
	}
	k.Time = t
	return k, nil
}
