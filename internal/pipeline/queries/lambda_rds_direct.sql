-- Lambda functions that connected to an RDS database directly rather than
-- through RDS Proxy, in the 7 days before <now>. Connections through a
-- proxy reach a server of type rds:db-proxy; the interfaces of RDS and RDS
-- Proxy only tell which is which when tagged vpcflow:resource-arn (see
-- package attribution).
SELECT
  client.arns[1] AS function_arn,
  server.arns[1] AS db_arn,
  sum(uploaded + downloaded) AS bytes,
  sum(records) AS records
FROM {{table}}
WHERE logstatus = 'OK'
  AND action = 'ACCEPT'
  AND client.type = 'lambda:function'
  AND server.type = 'rds:db'
  AND dt >= CAST(CAST({{now}} - INTERVAL '7' DAY AS DATE) AS VARCHAR)
  AND dt <= CAST(CAST({{now}} AS DATE) AS VARCHAR)
  AND "window" >= {{now}} - INTERVAL '7' DAY
  AND "window" < {{now}}
GROUP BY client.arns[1], server.arns[1]
ORDER BY function_arn, db_arn
