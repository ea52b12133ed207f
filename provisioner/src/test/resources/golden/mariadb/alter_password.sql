ALTER USER 'app'@'%' IDENTIFIED BY PASSWORD '<redacted>';
