REVOKE PROCESS ON *.* FROM 'app'@'%';
REVOKE ALL PRIVILEGES ON `appdb`.* FROM 'app'@'%';
REVOKE UPDATE (`total`) ON `appdb`.`orders` FROM 'app'@'%';
REVOKE EXECUTE ON PROCEDURE `appdb`.`close_day` FROM 'readers';
REVOKE GRANT OPTION ON `appdb`.* FROM 'app'@'%';
