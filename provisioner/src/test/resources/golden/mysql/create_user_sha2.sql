CREATE USER 'app'@'%' IDENTIFIED WITH caching_sha2_password BY '<redacted>';
CREATE USER 'app'@'%' IDENTIFIED WITH sha256_password BY '<redacted>';
