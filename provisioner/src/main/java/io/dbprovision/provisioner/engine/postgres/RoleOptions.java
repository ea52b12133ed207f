package io.dbprovision.provisioner.engine.postgres;

/**
 * The role attributes one CREATE ROLE / ALTER ROLE statement sets; a null field is left out of the statement. The
 * password is never here: it travels as a SCRAM verifier in its own secret-carrying step.
 */
public record RoleOptions(
        Boolean login,
        Boolean superuser,
        Boolean createDb,
        Boolean createRole,
        Boolean inherit,
        Boolean replication,
        Boolean bypassRls,
        Integer connectionLimit,
        String validUntil) {

    public static final RoleOptions NONE = new RoleOptions(null, null, null, null, null, null, null, null, null);

    public boolean empty() {
        return equals(NONE);
    }

    public RoleOptions withLogin(Boolean v) {
        return new RoleOptions(
                v, superuser, createDb, createRole, inherit, replication, bypassRls, connectionLimit, validUntil);
    }

    public RoleOptions withSuperuser(Boolean v) {
        return new RoleOptions(
                login, v, createDb, createRole, inherit, replication, bypassRls, connectionLimit, validUntil);
    }

    public RoleOptions withCreateDb(Boolean v) {
        return new RoleOptions(
                login, superuser, v, createRole, inherit, replication, bypassRls, connectionLimit, validUntil);
    }

    public RoleOptions withCreateRole(Boolean v) {
        return new RoleOptions(
                login, superuser, createDb, v, inherit, replication, bypassRls, connectionLimit, validUntil);
    }

    public RoleOptions withInherit(Boolean v) {
        return new RoleOptions(
                login, superuser, createDb, createRole, v, replication, bypassRls, connectionLimit, validUntil);
    }

    public RoleOptions withReplication(Boolean v) {
        return new RoleOptions(
                login, superuser, createDb, createRole, inherit, v, bypassRls, connectionLimit, validUntil);
    }

    public RoleOptions withBypassRls(Boolean v) {
        return new RoleOptions(
                login, superuser, createDb, createRole, inherit, replication, v, connectionLimit, validUntil);
    }

    public RoleOptions withConnectionLimit(Integer v) {
        return new RoleOptions(login, superuser, createDb, createRole, inherit, replication, bypassRls, v, validUntil);
    }

    public RoleOptions withValidUntil(String v) {
        return new RoleOptions(
                login, superuser, createDb, createRole, inherit, replication, bypassRls, connectionLimit, v);
    }
}
