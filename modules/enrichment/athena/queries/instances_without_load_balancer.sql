-- Instances reached by other instances without going through a load balancer.
SELECT server.arns[1] AS instance, serverport, count(DISTINCT client.arns[1]) AS clients
FROM vpcflow_connections
WHERE client.type = 'ec2:instance' AND server.type = 'ec2:instance' AND action = 'ACCEPT'
GROUP BY 1, 2;
