GRANT 'readers' TO 'app'@'%';
GRANT 'readers' TO 'readers';
SET DEFAULT ROLE 'readers' FOR 'app'@'%';
REVOKE 'readers' FROM 'app'@'%';
SET DEFAULT ROLE NONE FOR 'app'@'%';
