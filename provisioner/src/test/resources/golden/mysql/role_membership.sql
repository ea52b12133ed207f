GRANT 'readers' TO 'app'@'%';
GRANT 'readers' TO 'readers';
SET DEFAULT ROLE ALL TO 'app'@'%';
REVOKE 'readers' FROM 'app'@'%';
SET DEFAULT ROLE NONE TO 'app'@'%';
