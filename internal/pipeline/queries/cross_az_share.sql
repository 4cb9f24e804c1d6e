-- Share of the bytes that cross Availability Zones, over the 7 days before
-- <now>: accepted connections only. known_az_bytes are the bytes between
-- two ends whose zones are both known (network interfaces in the VPCs); the
-- share is of those, since internet and AWS service addresses have no zone.
SELECT
  sum(CASE WHEN crossaz THEN uploaded + downloaded ELSE 0 END) AS cross_az_bytes,
  sum(CASE WHEN (client.availabilityzoneid IS NOT NULL OR client.availabilityzone IS NOT NULL)
            AND (server.availabilityzoneid IS NOT NULL OR server.availabilityzone IS NOT NULL)
           THEN uploaded + downloaded ELSE 0 END) AS known_az_bytes,
  sum(uploaded + downloaded) AS total_bytes,
  round(
    CAST(sum(CASE WHEN crossaz THEN uploaded + downloaded ELSE 0 END) AS DOUBLE)
    / NULLIF(sum(CASE WHEN (client.availabilityzoneid IS NOT NULL OR client.availabilityzone IS NOT NULL)
                       AND (server.availabilityzoneid IS NOT NULL OR server.availabilityzone IS NOT NULL)
                      THEN uploaded + downloaded ELSE 0 END), 0),
    6) AS cross_az_share
FROM {{table}}
WHERE logstatus = 'OK'
  AND action = 'ACCEPT'
  AND dt >= CAST(CAST({{now}} - INTERVAL '7' DAY AS DATE) AS VARCHAR)
  AND dt <= CAST(CAST({{now}} AS DATE) AS VARCHAR)
  AND "window" >= {{now}} - INTERVAL '7' DAY
  AND "window" < {{now}}
