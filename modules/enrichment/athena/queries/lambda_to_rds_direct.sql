-- Lambda functions that connect to RDS directly rather than through RDS Proxy.
SELECT DISTINCT client.arns[1] AS function, server.arns[1] AS db
FROM vpcflow_connections
WHERE client.type = 'lambda:function' AND server.type = 'rds:db';
