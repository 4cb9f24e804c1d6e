// Package handler holds the Lambda handlers of the enricher's bootstrap
// (internal/cmd/lambda/enricher): enrichment of CloudWatch Logs
// subscription payloads into rows in S3, delivered directly or through a
// Kinesis stream with or without tumbling windows, enrichment of the flow
// log files VPC Flow Logs delivers to S3 (named by S3 event notifications
// in an SQS queue), and the scheduled compaction of staged rows into large
// objects. Each mode is chosen by VPCFLOW_MODE and configured from the
// function's environment (enrich_env.go). The inventory function and the
// coverage watchdog have packages and bootstraps of their own
// (inventoryhandler, watchdoghandler), so that this one links neither EC2
// nor the coverage scan.
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
//   - Flow log files in S3, named by S3 event notifications in an SQS queue
//     (S3Handler): the unit of input is a part of a file, its lines
//     PartRecords at a time from the first, and its name
//     (s3sink.ObjectName) is the file's bucket, key and version (the
//     version id, or the ETag in a bucket without versioning; the file is
//     read with that version or that ETag as If-Match, so the content is
//     the one named) and the part's number. A file does not change under a
//     version, so every reading of it cuts the same parts and writes the
//     same keys: SQS delivering a message twice, a message visible again
//     after its visibility timeout, a batch retried, the same creation
//     notified twice or in both the S3 and EventBridge forms. A message
//     whose file fails part way is named in the batch item failures and
//     read again from its first part, replacing the parts already stored;
//     the other messages of the batch are deleted. A file replaced under
//     the same key without versioning is a new file: the notification of
//     the old content finds the ETag changed (412) and stores nothing, the
//     new content's notification counts it. A file deleted before it is
//     read is kept as one rejection, since no retry brings it back.
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
// The same holds for an SQS event source mapping: without
// ReportBatchItemFailures in its function response types, Lambda ignores the
// batch item failures of the S3 handler and deletes every message of the
// batch.
//
// # Large objects: staging and compaction
//
// Each payload's rows make an object per hour partition, so a busy shard
// makes up to 86,400 objects a day per partition, where Athena wants a few
// objects of about 128 MB. With VPCFLOW_OUTPUT_STAGING=true the record
// modes write the same objects under PREFIX/_staging/ instead, which Athena
// skips (an underscore folder), and the same binary in contract.ModeCompact, run on
// a schedule, merges each closed partition (its hour ended
// VPCFLOW_COMPACT_GRACE ago, 1h by default: flow log delivery delay, the
// tumbling window and retries) into Parquet objects under PREFIX/, cut at
// 128 MiB, and deletes the parts it merged (package compaction). A
// partition gets at most one group of objects per compaction run that
// found new parts in it: one for the parts that arrived before it closed,
// one more per later run that found late parts.
//
// Kinesis Data Firehose with dynamic partitioning was the other design:
// it buffers and partitions by itself, but delivers at least once with no
// key the rows could be de-duplicated on short of a column the queries
// would all have to filter, and moto's Firehose writes each put straight to
// S3 without buffering or dynamic partitioning, so neither the object bound
// nor the exactly-once argument could be tested here. Staging and
// compaction keep both testable on moto, with the same binary.
//
// Compaction keeps every record counted once:
//
//   - The merged objects of a group are named after a hash of the names of
//     the parts merged, their rows in part name order, so merging the same
//     parts again writes the same keys with the same bytes.
//   - The objects are written first, then a manifest listing the parts
//     (PREFIX/_compacted/PARTITION/GROUP.json), then the parts are deleted.
//     A run that stops before the manifest leaves objects without one,
//     which the next run deletes before merging the parts, all still staged,
//     again; a run that stops after it leaves parts that the manifest
//     holds, which the next run deletes without merging.
//   - A part's name is a function of its input alone (above), so a payload
//     delivered again after its part was compacted stores a part of the
//     same name, which a manifest holds: it is deleted, not merged twice.
//     Manifests are kept for that reason.
//   - Runs must not overlap (the compaction function's reserved
//     concurrency is 1), since a run takes objects without a manifest for
//     those of a run that stopped.
//
// Rejected records stay under PREFIX/_rejected/, as without staging.
//
// A batch item failure is only a partial success when the event source
// mapping has ReportBatchItemFailures; without it Lambda takes the response
// as a success and drops the records from the one named. The
// vpcflow_event_source_mapping resource therefore refuses an enricher
// mapping without it.
package handler
