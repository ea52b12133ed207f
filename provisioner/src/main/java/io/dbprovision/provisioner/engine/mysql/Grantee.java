package io.dbprovision.provisioner.engine.mysql;

/**
 * Who holds privileges on MySQL/MariaDB: an account {@code 'user'@'host'}, or a MariaDB native role, which has no
 * host (its rows in the grant tables carry Host ''). A MySQL 8 role is an account {@code 'role'@'%'}.
 */
public sealed interface Grantee {
    /** The User column of the grant tables. */
    String user();

    /** The Host column of the grant tables ('' for a MariaDB role). */
    String host();

    /** How plans and diffs name it. */
    String label();

    record Account(String user, String host) implements Grantee {
        @Override
        public String label() {
            return user + "@" + host;
        }
    }

    record Role(String user) implements Grantee {
        @Override
        public String host() {
            return "";
        }

        @Override
        public String label() {
            return user;
        }
    }
}
