create database "app";
CREATE DATABASE "app" WITH OWNER = "app_owner" ENCODING = 'UTF8' CONNECTION LIMIT = 20;
