GRANT "reader" TO "app";
REVOKE "reader" FROM "app";
