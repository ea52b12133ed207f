ALTER USER 'app'@'%' IDENTIFIED WITH caching_sha2_password BY '<redacted>';
