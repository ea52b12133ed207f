CREATE USER 'app'@'%';
CREATE USER 'app'@'10.0.0.%' IDENTIFIED BY PASSWORD '<redacted>';
