create schema if not exists "reporting";
CREATE SCHEMA IF NOT EXISTS "reporting" AUTHORIZATION "app_owner";
ALTER SCHEMA "reporting" OWNER TO "app_owner";
