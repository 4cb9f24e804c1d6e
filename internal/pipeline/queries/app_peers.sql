-- The applications (app tag) that the application <app> talked to, as
-- client or as server, in the 21 days before <now>, most bytes first.
-- A map subscript fails in Athena for a missing key, hence the contains
-- test before it. <app> stands for a SQL string expression, such as
-- 'web' (provider::vpcflow::sql_string writes one for any value).
WITH c AS (
  SELECT
    CASE WHEN contains(map_keys(client.tags), 'app') THEN client.tags['app'] END AS client_app,
    CASE WHEN contains(map_keys(server.tags), 'app') THEN server.tags['app'] END AS server_app,
    uploaded + downloaded AS bytes
  FROM {{table}}
  WHERE logstatus = 'OK'
    AND action = 'ACCEPT'
    AND dt >= CAST(CAST({{now}} - INTERVAL '21' DAY AS DATE) AS VARCHAR)
    AND dt <= CAST(CAST({{now}} AS DATE) AS VARCHAR)
    AND "window" >= {{now}} - INTERVAL '21' DAY
    AND "window" < {{now}}
)
SELECT peer AS app, sum(bytes) AS bytes
FROM (
  SELECT server_app AS peer, bytes FROM c WHERE client_app = {{app}}
  UNION ALL
  SELECT client_app AS peer, bytes FROM c WHERE server_app = {{app}}
) AS p
WHERE peer IS NOT NULL AND peer <> {{app}}
GROUP BY peer
ORDER BY bytes DESC, app
