drop database if exists "app";
