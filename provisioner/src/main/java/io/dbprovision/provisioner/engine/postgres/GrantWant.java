package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.api.kinds.PostgresGrantDriftFields;
import io.dbprovision.proto.v1alpha1.DefaultPrivilegeObjectType;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A grant set expanded into concrete privileges: per target, each privilege and whether it comes WITH GRANT OPTION;
 * per default-privilege scope, the privileges; the role memberships. Both what is asked and what the catalog shows
 * take this shape, so diffs are set operations.
 */
record GrantWant(
        Map<GrantTarget, Map<String, Boolean>> objects, Map<DefaultScope, Set<String>> defaults, Set<String> roles) {

    /** Where default privileges apply: objects {@code grantedBy} creates later in a schema of a database. */
    record DefaultScope(String database, String schema, String grantedBy, DefaultPrivilegeObjectType type) {
        String field() {
            return PostgresGrantDriftFields.defaultPrivileges(database, schema, grantedBy, type);
        }

        String typeWord() {
            return PostgresGrantDriftFields.defaultsWord(type);
        }

        /** pg_default_acl.defaclobjtype of the kind. */
        char catalogType() {
            return switch (type) {
                case DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES -> 'r';
                case DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES -> 'S';
                case DEFAULT_PRIVILEGE_OBJECT_TYPE_FUNCTIONS -> 'f';
                default -> 'T';
            };
        }

        static DefaultPrivilegeObjectType fromCatalog(char type) {
            return switch (type) {
                case 'r' -> DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TABLES;
                case 'S' -> DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_SEQUENCES;
                case 'f' -> DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_FUNCTIONS;
                case 'T' -> DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_TYPES;
                default -> DefaultPrivilegeObjectType.DEFAULT_PRIVILEGE_OBJECT_TYPE_UNSPECIFIED;
            };
        }
    }

    static GrantWant empty() {
        return new GrantWant(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashSet<>());
    }

    void add(GrantTarget target, Set<String> privileges, boolean grantOption) {
        Map<String, Boolean> held = objects.computeIfAbsent(target, t -> new LinkedHashMap<>());
        for (String p : privileges) {
            held.merge(p, grantOption, Boolean::logicalOr);
        }
    }

    /** Databases named anywhere in the set, and (database, schema) pairs: the scopes of revoke_unlisted. */
    Set<String> databases() {
        Set<String> databases = new LinkedHashSet<>();
        objects.keySet().forEach(t -> databases.add(t.database()));
        defaults.keySet().forEach(d -> databases.add(d.database()));
        return databases;
    }

    Set<String> schemas(String database) {
        Set<String> schemas = new LinkedHashSet<>();
        objects.keySet().stream()
                .filter(t -> t.database().equals(database) && t.kind() != GrantTarget.Kind.DATABASE)
                .forEach(t -> schemas.add(t.schema()));
        defaults.keySet().stream().filter(d -> d.database().equals(database)).forEach(d -> schemas.add(d.schema()));
        return schemas;
    }
}
