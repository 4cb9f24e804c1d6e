-- EC2 instances that connected to another instance directly, on a port on
-- which a load balancer also reaches that instance (the load balancer
-- fronts it there), in the 7 days before <now>. Rows are keyed by the
-- resource: Arns[1] is the instance ARN.
WITH recent AS (
  SELECT client, server, serverport, uploaded + downloaded AS bytes
  FROM {{table}}
  WHERE logstatus = 'OK'
    AND action = 'ACCEPT'
    AND dt >= CAST(CAST({{now}} - INTERVAL '7' DAY AS DATE) AS VARCHAR)
    AND dt <= CAST(CAST({{now}} AS DATE) AS VARCHAR)
    AND "window" >= {{now}} - INTERVAL '7' DAY
    AND "window" < {{now}}
),
fronted AS (
  SELECT DISTINCT server.arns[1] AS instance_arn, serverport AS port
  FROM recent
  WHERE client.type = 'elasticloadbalancing:loadbalancer'
    AND server.type = 'ec2:instance'
)
SELECT
  r.client.arns[1] AS client_instance,
  r.server.arns[1] AS server_instance,
  r.serverport AS port,
  sum(r.bytes) AS bytes
FROM recent AS r
JOIN fronted AS f ON r.server.arns[1] = f.instance_arn AND r.serverport = f.port
WHERE r.client.type = 'ec2:instance'
  AND r.server.type = 'ec2:instance'
GROUP BY r.client.arns[1], r.server.arns[1], r.serverport
ORDER BY client_instance, server_instance, port
