GRANT PROCESS, RELOAD ON *.* TO 'app'@'%';
GRANT SELECT, INSERT ON `appdb`.* TO 'app'@'%';
GRANT ALL PRIVILEGES ON `appdb`.* TO 'readers' WITH GRANT OPTION;
GRANT SELECT, UPDATE ON `appdb`.`orders` TO 'app'@'%';
GRANT SELECT (`total`), UPDATE (`total`) ON `appdb`.`orders` TO 'app'@'%';
GRANT EXECUTE ON PROCEDURE `appdb`.`close_day` TO 'app'@'%';
GRANT EXECUTE, ALTER ROUTINE ON FUNCTION `appdb`.`tax` TO 'app'@'%' WITH GRANT OPTION;
GRANT SELECT ON `appdb`.`orders` TO 'app'@'%' WITH GRANT OPTION;
