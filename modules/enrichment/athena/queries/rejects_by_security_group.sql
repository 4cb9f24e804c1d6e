-- Rejected connections per security group of the server, last 24 hours.
SELECT sg, server.arns[1] AS server, serverport, sum(records) AS records
FROM vpcflow_connections CROSS JOIN UNNEST(server.securitygroupids) AS t(sg)
WHERE action = 'REJECT' AND dt >= date_format(current_date - interval '1' day, '%Y-%m-%d')
GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 50;
