-- Cross-AZ bytes per client application, last 7 days.
SELECT client.tags['app'] AS app, sum(uploaded + downloaded) / 1e9 AS gb
FROM vpcflow_connections
WHERE crossaz AND dt >= date_format(current_date - interval '7' day, '%Y-%m-%d')
GROUP BY 1 ORDER BY 2 DESC;
