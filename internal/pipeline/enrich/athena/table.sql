-- Athena tables over the enriched connections the vpcflow enricher writes.
-- Generated from connrows.Row by the tests of internal/pipeline/enrich/athena
-- (go test ./internal/pipeline/enrich/athena -update); vpcflow_connections_table
-- creates the same table in the Glue Data Catalog.
--
-- Replace BUCKET and PREFIX. Rows are stored under Hive-style partitions of
-- their window's start (UTC): s3://BUCKET/PREFIX/dt=YYYY-MM-DD/hour=HH/.
-- Partition projection finds them without MSCK REPAIR TABLE or crawlers;
-- move the start of projection.dt.range to the first day you have.
--
-- A table reads one file format, because its SerDe is fixed, so there is one
-- definition per format with the same columns: vpcflow_connections for
-- gzip NDJSON (*.json.gz) and vpcflow_connections_parquet for Parquet. Keep
-- each format under its own PREFIX. Queries are the same for both tables.
--
-- Column names are the PascalCase keys of the rows; Athena folds them to
-- lower case and both SerDes match keys case-insensitively. End and Window
-- are reserved words: quote them in queries ("end", "window").
-- Timestamps in NDJSON are RFC 3339 in UTC with whole seconds
-- (2014-12-14T04:06:50Z), hence timestamp.formats; Parquet stores them as
-- TIMESTAMP(MILLIS, UTC). internal/pipeline/enrich/SCHEMA.md describes every column.

CREATE EXTERNAL TABLE IF NOT EXISTS vpcflow_connections (
  `Protocol` string,
  `Uploaded` bigint,
  `Downloaded` bigint,
  `UploadedPackets` bigint,
  `DownloadedPackets` bigint,
  `Start` timestamp,
  `End` timestamp,
  `Window` timestamp,
  `Action` string,
  `ServerPort` int,
  `CrossAz` boolean,
  `TrafficPath` string,
  `Records` bigint,
  `Duplicates` bigint,
  `LogStatus` string,
  `InterfaceId` string,
  `AccountId` string,
  `Client` struct<
    `Addr`: string,
    `Arns`: array<string>,
    `InterfaceId`: string,
    `SubnetId`: string,
    `VpcId`: string,
    `AccountId`: string,
    `SecurityGroupIds`: array<string>,
    `AvailabilityZone`: string,
    `AvailabilityZoneId`: string,
    `Region`: string,
    `Type`: string,
    `LoadBalancerType`: string,
    `Rfc1918`: boolean,
    `Rfc6598`: boolean,
    `Ula`: boolean,
    `Public`: boolean,
    `Tags`: map<string, string>,
    `AwsService`: string
  >,
  `Server` struct<
    `Addr`: string,
    `Arns`: array<string>,
    `InterfaceId`: string,
    `SubnetId`: string,
    `VpcId`: string,
    `AccountId`: string,
    `SecurityGroupIds`: array<string>,
    `AvailabilityZone`: string,
    `AvailabilityZoneId`: string,
    `Region`: string,
    `Type`: string,
    `LoadBalancerType`: string,
    `Rfc1918`: boolean,
    `Rfc6598`: boolean,
    `Ula`: boolean,
    `Public`: boolean,
    `Tags`: map<string, string>,
    `AwsService`: string
  >
)
PARTITIONED BY (`dt` string, `hour` string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
WITH SERDEPROPERTIES (
  'timestamp.formats' = "yyyy-MM-dd'T'HH:mm:ss'Z'"
)
LOCATION 's3://BUCKET/PREFIX/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://BUCKET/PREFIX/dt=${dt}/hour=${hour}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS vpcflow_connections_parquet (
  `Protocol` string,
  `Uploaded` bigint,
  `Downloaded` bigint,
  `UploadedPackets` bigint,
  `DownloadedPackets` bigint,
  `Start` timestamp,
  `End` timestamp,
  `Window` timestamp,
  `Action` string,
  `ServerPort` int,
  `CrossAz` boolean,
  `TrafficPath` string,
  `Records` bigint,
  `Duplicates` bigint,
  `LogStatus` string,
  `InterfaceId` string,
  `AccountId` string,
  `Client` struct<
    `Addr`: string,
    `Arns`: array<string>,
    `InterfaceId`: string,
    `SubnetId`: string,
    `VpcId`: string,
    `AccountId`: string,
    `SecurityGroupIds`: array<string>,
    `AvailabilityZone`: string,
    `AvailabilityZoneId`: string,
    `Region`: string,
    `Type`: string,
    `LoadBalancerType`: string,
    `Rfc1918`: boolean,
    `Rfc6598`: boolean,
    `Ula`: boolean,
    `Public`: boolean,
    `Tags`: map<string, string>,
    `AwsService`: string
  >,
  `Server` struct<
    `Addr`: string,
    `Arns`: array<string>,
    `InterfaceId`: string,
    `SubnetId`: string,
    `VpcId`: string,
    `AccountId`: string,
    `SecurityGroupIds`: array<string>,
    `AvailabilityZone`: string,
    `AvailabilityZoneId`: string,
    `Region`: string,
    `Type`: string,
    `LoadBalancerType`: string,
    `Rfc1918`: boolean,
    `Rfc6598`: boolean,
    `Ula`: boolean,
    `Public`: boolean,
    `Tags`: map<string, string>,
    `AwsService`: string
  >
)
PARTITIONED BY (`dt` string, `hour` string)
STORED AS PARQUET
LOCATION 's3://BUCKET/PREFIX/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://BUCKET/PREFIX/dt=${dt}/hour=${hour}/'
);
