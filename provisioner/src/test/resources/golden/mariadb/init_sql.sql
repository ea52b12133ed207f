USE `appdb`;
SET ROLE 'readers';
INSERT INTO t VALUES ('{0}', '?');
SET ROLE NONE;
