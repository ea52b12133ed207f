CREATE DATABASE IF NOT EXISTS `appdb` CHARACTER SET `utf8mb4` COLLATE `utf8mb4_unicode_ci`;
CREATE DATABASE IF NOT EXISTS `appdb` CHARACTER SET `latin1`;
CREATE DATABASE IF NOT EXISTS `appdb` COLLATE `utf8mb4_bin`;
create database if not exists `appdb`;
