package io.dbprovision.api.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;
import org.junit.jupiter.api.Test;

/** The names are an interface between the provisioner and the API server (and users' alerts): fixed here. */
class PostgresGrantDriftFieldsTest {
    @Test
    void namesOfEachScope() {
        assertEquals("grants.database.app", PostgresGrantDriftFields.database("app"));
        assertEquals("grants.schema.app.public", PostgresGrantDriftFields.schema("app", "public"));
        assertEquals(
                "grants.table.app.public.orders", PostgresGrantDriftFields.object("table", "app", "public", "orders"));
        assertEquals("grants.sequence.app.public.*", PostgresGrantDriftFields.object("sequence", "app", "public", "*"));
        assertEquals(
                "defaultPrivileges.app.public.owner.tables",
                PostgresGrantDriftFields.defaultPrivileges(
                        "app", "public", "owner", DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES));
        assertEquals(
                "defaultPrivileges.app.s.o.functions",
                PostgresGrantDriftFields.defaultPrivileges(
                        "app", "s", "o", DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_FUNCTIONS));
        assertEquals(
                "types",
                PostgresGrantDriftFields.defaultsWord(DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TYPES));
        assertEquals(
                "sequences",
                PostgresGrantDriftFields.defaultsWord(
                        DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES));
    }
}
