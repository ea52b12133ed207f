package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.ClickHouseGrant;
import io.dbprovision.proto.v1alpha1.ClickHouseGrantLevel;
import io.dbprovision.proto.v1alpha1.MySQLGrant;
import io.dbprovision.proto.v1alpha1.MySQLGrantLevel;
import java.util.List;

/** Which fields each grant level needs: {@code ON db.*} needs a database, {@code ON db.t} a database and a table. */
final class GrantChecks {
    private GrantChecks() {}

    static void mysql(List<MySQLGrant> grants, FieldPath path, Findings findings) {
        for (int i = 0; i < grants.size(); i++) {
            MySQLGrant grant = grants.get(i);
            FieldPath item = path.index(i);
            MySQLGrantLevel level = grant.getLevel();
            boolean needsDatabase = level != MySQLGrantLevel.MYSQL_GRANT_LEVEL_GLOBAL;
            boolean needsTable = level == MySQLGrantLevel.MYSQL_GRANT_LEVEL_TABLE
                    || level == MySQLGrantLevel.MYSQL_GRANT_LEVEL_COLUMN;
            require(needsDatabase, !grant.getDatabase().isEmpty(), item.child("database"), level.name(), findings);
            forbid(!needsDatabase, !grant.getDatabase().isEmpty(), item.child("database"), findings);
            require(needsTable, !grant.getTable().isEmpty(), item.child("table"), level.name(), findings);
            forbid(!needsTable, !grant.getTable().isEmpty(), item.child("table"), findings);
            boolean column = level == MySQLGrantLevel.MYSQL_GRANT_LEVEL_COLUMN;
            require(column, grant.getColumnsCount() > 0, item.child("columns"), level.name(), findings);
            forbid(!column, grant.getColumnsCount() > 0, item.child("columns"), findings);
            boolean procedure = level == MySQLGrantLevel.MYSQL_GRANT_LEVEL_PROCEDURE;
            require(procedure, !grant.getProcedure().isEmpty(), item.child("procedure"), level.name(), findings);
            forbid(!procedure, !grant.getProcedure().isEmpty(), item.child("procedure"), findings);
            boolean function = level == MySQLGrantLevel.MYSQL_GRANT_LEVEL_FUNCTION;
            require(function, !grant.getFunction().isEmpty(), item.child("function"), level.name(), findings);
            forbid(!function, !grant.getFunction().isEmpty(), item.child("function"), findings);
        }
    }

    static void clickhouse(List<ClickHouseGrant> grants, FieldPath path, Findings findings) {
        for (int i = 0; i < grants.size(); i++) {
            ClickHouseGrant grant = grants.get(i);
            FieldPath item = path.index(i);
            ClickHouseGrantLevel level = grant.getLevel();
            boolean needsDatabase = level != ClickHouseGrantLevel.CLICKHOUSE_GRANT_LEVEL_GLOBAL;
            boolean needsTable = level == ClickHouseGrantLevel.CLICKHOUSE_GRANT_LEVEL_TABLE;
            require(needsDatabase, !grant.getDatabase().isEmpty(), item.child("database"), level.name(), findings);
            forbid(!needsDatabase, !grant.getDatabase().isEmpty(), item.child("database"), findings);
            require(needsTable, !grant.getTable().isEmpty(), item.child("table"), level.name(), findings);
            forbid(!needsTable, !grant.getTable().isEmpty(), item.child("table"), findings);
        }
    }

    private static void require(boolean needed, boolean present, FieldPath path, String level, Findings findings) {
        if (needed && !present) {
            findings.error(FieldError.required(path, "required at level " + spelling(level)));
        }
    }

    private static void forbid(boolean unwanted, boolean present, FieldPath path, Findings findings) {
        if (unwanted && present) {
            findings.error(FieldError.forbidden(path, "not allowed at this level"));
        }
    }

    private static String spelling(String enumName) {
        return enumName.substring(enumName.lastIndexOf('_') + 1).toLowerCase();
    }
}
