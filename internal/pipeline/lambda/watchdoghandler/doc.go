// Package watchdoghandler holds the Lambda handler of the flow log
// coverage watchdog (VPCFLOW_MODE=watchdog): on an EventBridge schedule it
// scans the targets' flow logs and publishes metrics and events. It is a
// package of its own, apart from the enrichment handlers of package
// handler, so that the enricher's bootstrap does not link the coverage
// scan and its clients (internal/pipeline/lambda/lambdazip lists which binary serves which
// mode).
package watchdoghandler
