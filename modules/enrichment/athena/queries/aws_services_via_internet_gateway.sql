-- Traffic to AWS services that leaves through the internet gateway rather
-- than a VPC endpoint (traffic-path, log format version 5, Nitro instances).
SELECT server.awsservice AS service, server.region, sum(uploaded + downloaded) / 1e9 AS gb
FROM vpcflow_connections
WHERE server.type = 'aws:service' AND trafficpath = 'internet-gateway'
GROUP BY 1, 2 ORDER BY 3 DESC;
