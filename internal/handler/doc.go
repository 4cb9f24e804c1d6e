// Package handler holds the Lambda handlers of the enricher's bootstrap
// (internal/cmd/lambda/enricher): enrichment of CloudWatch Logs
// subscription payloads into rows in S3, delivered directly or through a
// Kinesis stream with or without tumbling windows. Each mode is chosen by
// VPCFLOW_MODE and configured from the function's environment
// (enrich_env.go). The inventory function and the coverage watchdog have
// packages and bootstraps of their own (inventoryhandler,
// watchdoghandler), so that this one links neither EC2 nor the coverage
// scan.
//
// # Every record counted once
//
// Lambda delivers events at least once: it retries a failed invocation,
// splits a failing Kinesis batch in two (BisectBatchOnFunctionError),
// retries from the record a response names (ReportBatchItemFailures),
// delivers records again after a lost checkpoint, and a producer may put
// the same payload twice. The enrichment handlers count every log event
// exactly once whatever of this happens, because the S3 key of every
// object they write is a function of its input alone, never of how that
// input was batched, and an object written again replaces the first:
//
//   - The unit of input is a CloudWatch Logs subscription payload. Its
//     name (s3sink.LogsName) is its log group's owner, name and
//     subscription filters, its log stream and its first log event id;
//     CloudWatch Logs gives every log event an id of its own, so a payload
//     has the same name wherever and however often it arrives.
//   - CloudWatch Logs straight to Lambda (LogsHandler): each event is one
//     payload; its rows are written under the payload's name, one object
//     per Hive partition. A retry, or the same event delivered twice,
//     writes the same keys.
//   - Kinesis without a tumbling window (KinesisHandler, no shardId in the
//     event): each Kinesis record is one payload, stored as the CloudWatch
//     Logs handler stores it. Batch boundaries, bisection, retries from a
//     batch item failure, redelivered records and a payload put twice on the
//     stream all lead to the same keys. This is the default of the
//     modules: it holds for any behaviour of the event source mapping.
//   - Kinesis with a tumbling window: the window's rows are merged in the
//     state Lambda carries between the invocations of a shard's window, and
//     written at its final invocation under the shard and the first and
//     last sequence numbers of the records folded (s3sink.KinesisName).
//     Lambda retries a failed invocation with the state it had before it,
//     so a retry folds the same records into the same state. Parts stored
//     early (when the state nears Lambda's 1 MB) are cut at records that
//     depend only on the rows since the part began, so a retry cuts them at
//     the same records. Records at or below the highest sequence number
//     folded (Seen) are skipped, which absorbs redelivery within the
//     window, and the ids of the last 4,096 payloads folded are kept in
//     the state, which absorbs a payload put twice. A copy that lands in a
//     later window than its original, or more than 4,096 payloads after
//     it, is counted twice: this mode makes fewer, larger objects, and
//     exchanges that bound for them.
//
// Records that cannot be used are never failed, since a retry would not
// change them: they are counted and kept, each with its reason, as gzip
// NDJSON under PREFIX/_rejected/ (s3sink.RejectedDir), named after their
// payload, so that a retry replaces them too. Failures that a retry can
// cure (S3, the inventory) fail the invocation or name the record to
// retry from; after the event source mapping's retries, what is given up
// goes to its on-failure destination. So, for every run:
//
//	records in = records in rows + records kept as rejected + records given up
//
// which the fault matrix of package lambdaemu checks through the real
// bootstrap under the Lambda emulator, in every mode, for S3 failures,
// timeouts, inventory failures, redelivery, producer duplicates and a
// poison record.
//
// A batch item failure is only a partial success when the event source
// mapping has ReportBatchItemFailures; without it Lambda takes the response
// as a success and drops the records from the one named. The
// vpcflow_event_source_mapping resource therefore refuses an enricher
// mapping without it.
package handler
