GRANT CONNECT, TEMPORARY ON DATABASE "app" TO "app";
GRANT USAGE, CREATE ON SCHEMA "public" TO "app";
grant SELECT, INSERT on "public"."orders" to "app";
grant INSERT on "public"."orders" to "app" with grant option;
GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "app";
GRANT USAGE ON SEQUENCE "public"."ids" TO "app";
GRANT USAGE ON ALL SEQUENCES IN SCHEMA "public" TO "app" WITH GRANT OPTION;
GRANT EXECUTE ON FUNCTION "public"."f" TO "app";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "public" TO "app";
