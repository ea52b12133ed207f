create database "app";
CREATE DATABASE "app" WITH OWNER = "app_owner" TEMPLATE = "template0" ENCODING = 'UTF8' LC_COLLATE = 'C.UTF-8' LC_CTYPE = 'C.UTF-8' TABLESPACE = "pg_default" CONNECTION LIMIT = 20 IS_TEMPLATE = FALSE;
