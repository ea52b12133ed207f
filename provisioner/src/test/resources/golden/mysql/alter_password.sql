ALTER USER 'app'@'%' IDENTIFIED WITH mysql_native_password AS '<redacted>';
