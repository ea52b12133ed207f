package io.dbprovision.provisioner.engine;

/**
 * Every failure an engine call reports, one class per way a caller reacts to it. The gRPC layer maps each once to a
 * status with details ({@code service.ErrorMapping}). Messages never contain a secret: a failure of a statement that
 * carries one is reported without the server's message text (see {@code JdbcSession}).
 */
public abstract sealed class EngineException extends RuntimeException
        permits EngineException.InvalidDefinition,
                EngineException.InstanceUnavailable,
                EngineException.ConnectionsBusy,
                EngineException.EngineRefused,
                EngineException.Unsupported {
    private EngineException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** The request cannot be carried out as written: a field's value is refused before any SQL runs. */
    public static final class InvalidDefinition extends EngineException {
        private final String field;

        /** @param field the request field's path, such as {@code user.name} or {@code grants.postgres.grants[0]} */
        public InvalidDefinition(String field, String message) {
            super(field + ": " + message, null);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** The server cannot be reached or refused the admin login: nothing was done; retrying later may work. */
    public static final class InstanceUnavailable extends EngineException {
        private final String host;
        private final int port;

        public InstanceUnavailable(String host, int port, String cause, Throwable throwable) {
            super("cannot connect to " + host + ":" + port + ": " + cause, throwable);
            this.host = host;
            this.port = port;
        }

        public String host() {
            return host;
        }

        public int port() {
            return port;
        }
    }

    /**
     * The server is reachable, but every connection this provisioner keeps to it for the request's login is in use
     * by other calls and none came free in time: nothing was done; retrying once the others are done will work. Not
     * {@link InstanceUnavailable}: nothing is wrong with the server, and a caller should say so.
     */
    public static final class ConnectionsBusy extends EngineException {
        private final String host;
        private final int port;
        private final int connections;
        private final long waitedMillis;

        public ConnectionsBusy(String host, int port, int connections, long waitedMillis) {
            super(
                    "all " + connections + " connections to " + host + ":" + port
                            + " are in use by other calls; waited "
                            + String.format(java.util.Locale.ROOT, "%.1f", waitedMillis / 1000.0) + " s for one",
                    null);
            this.host = host;
            this.port = port;
            this.connections = connections;
            this.waitedMillis = waitedMillis;
        }

        public String host() {
            return host;
        }

        public int port() {
            return port;
        }

        /** The pool's size: how many calls to the server (for this login) can run at once. */
        public int connections() {
            return connections;
        }

        public long waitedMillis() {
            return waitedMillis;
        }
    }

    /** The engine refused a statement; SQLSTATE and vendor code say why (privileges, dependent objects, ...). */
    public static final class EngineRefused extends EngineException {
        private final String object;
        private final String sqlState;
        private final int vendorCode;

        /**
         * @param object what the statement was about, such as {@code user app} (the step's purpose)
         * @param message the engine's message, or a generic one when the statement carried a secret
         */
        public EngineRefused(String object, String sqlState, int vendorCode, String message, Throwable cause) {
            super(object + ": " + message, cause);
            this.object = object;
            this.sqlState = sqlState == null ? "" : sqlState;
            this.vendorCode = vendorCode;
        }

        public String object() {
            return object;
        }

        public String sqlState() {
            return sqlState;
        }

        public int vendorCode() {
            return vendorCode;
        }
    }

    /** The engine (or this provisioner for it) does not have the requested feature. */
    public static final class Unsupported extends EngineException {
        public Unsupported(String message) {
            super(message, null);
        }
    }
}
