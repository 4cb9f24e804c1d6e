-- The 10 destinations (servers) whose accepted bytes grew most from the
-- month before last to last month, the months being calendar months
-- before the one of <now>. A destination is the server's resource ARN,
-- aws:service:<code> for AWS service addresses, or its type (internet).
WITH m AS (
  SELECT
    CASE
      WHEN server.type = 'aws:service' THEN 'aws:service:' || server.awsservice
      WHEN server.arns[1] IS NOT NULL THEN server.arns[1]
      ELSE server.type
    END AS destination,
    "window" >= date_trunc('month', {{now}}) - INTERVAL '1' MONTH AS is_current,
    uploaded + downloaded AS bytes
  FROM {{table}}
  WHERE logstatus = 'OK'
    AND action = 'ACCEPT'
    AND dt >= CAST(CAST(date_trunc('month', {{now}}) - INTERVAL '2' MONTH AS DATE) AS VARCHAR)
    AND dt < CAST(CAST(date_trunc('month', {{now}}) AS DATE) AS VARCHAR)
    AND "window" >= date_trunc('month', {{now}}) - INTERVAL '2' MONTH
    AND "window" < date_trunc('month', {{now}})
)
SELECT
  destination,
  sum(CASE WHEN is_current THEN 0 ELSE bytes END) AS previous_bytes,
  sum(CASE WHEN is_current THEN bytes ELSE 0 END) AS current_bytes,
  sum(CASE WHEN is_current THEN bytes ELSE -bytes END) AS growth_bytes
FROM m
GROUP BY destination
ORDER BY growth_bytes DESC, destination
LIMIT 10
