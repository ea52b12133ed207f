KILL CONNECTION 42;
drop database if exists `appdb`;
