CREATE USER 'app'@'%';
CREATE USER 'app'@'10.0.0.%' IDENTIFIED WITH mysql_native_password AS '<redacted>';
