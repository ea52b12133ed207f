package io.dbprovision.provisioner.engine.jdbc;

import io.dbprovision.provisioner.engine.EngineException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Turns driver failures into {@link EngineException}s, once, without letting a secret through: connection failures
 * (SQLSTATE class 08, refused sockets) make the instance unavailable, and so does a refused login (class 28) while a
 * connection is being made; any other failure is the engine refusing a statement — class 28 included once the
 * session is logged in: there it is about an account the statement names (MariaDB's 1133 "Can't find any matching
 * row in the user table" for a GRANT to a user that does not exist), not about the admin's login. jOOQ's own exception text repeats the statement, so only the driver's message is
 * used, the driver exception is attached only for statements without a secret, and a statement that carries one gets
 * a generic message, since a server may quote back what it could not parse.
 */
final class SqlErrors {
    private SqlErrors() {}

    /**
     * Whether a statement failed because the connection under it was lost (or could not be had): not a refusal of
     * the statement. Invalid authorization (class 28) on a session that is logged in is a refusal.
     */
    static boolean isConnectionFailure(Throwable failure) {
        SQLException sql = sqlException(failure);
        if (sql == null) {
            return rootCause(failure) instanceof IOException;
        }
        String state = sql.getSQLState();
        if (state != null && state.startsWith("28")) {
            return false;
        }
        return (state != null && state.startsWith("08"))
                || sql instanceof SQLTransientConnectionException
                || sql instanceof SQLNonTransientConnectionException
                || (state == null && rootCause(sql) instanceof IOException);
    }

    /** A failure to obtain a connection. */
    static EngineException.InstanceUnavailable unavailable(ConnectionSettings settings, Throwable failure) {
        SQLException sql = sqlException(failure);
        String state = sql == null ? null : sql.getSQLState();
        String cause = describe(failure, settings.password());
        if (state != null && state.startsWith("28")) {
            cause = "admin login refused: " + cause;
        }
        return new EngineException.InstanceUnavailable(settings.host(), settings.port(), cause, null);
    }

    /**
     * A failure while running a statement or a read.
     *
     * @param object what the statement was about (a step's purpose)
     * @param sensitive true when the statement carried a secret
     */
    static EngineException statement(ConnectionSettings settings, String object, boolean sensitive, Throwable failure) {
        if (isConnectionFailure(failure)) {
            return unavailable(settings, failure);
        }
        SQLException sql = sqlException(failure);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        int code = sql == null ? 0 : sql.getErrorCode();
        if (sensitive) {
            return new EngineException.EngineRefused(
                    object,
                    state,
                    code,
                    "the server refused the statement (SQLSTATE " + (state.isEmpty() ? "unknown" : state) + ", code "
                            + code + ")",
                    null);
        }
        String message =
                sql == null ? describe(failure, settings.password()) : scrub(sql.getMessage(), settings.password());
        return new EngineException.EngineRefused(object, state, code, message, sql);
    }

    static SQLException sqlException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                // Hikari reports a timeout with the driver's last failure as cause: the driver's says more.
                if (sql instanceof SQLTransientConnectionException && sql.getCause() instanceof SQLException inner) {
                    return inner;
                }
                return sql;
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** The driver's first message line and the root cause's, without jOOQ's statement text. */
    private static String describe(Throwable failure, String password) {
        SQLException sql = sqlException(failure);
        Throwable first = sql != null ? sql : failure;
        String message = firstLine(first.getMessage());
        Throwable root = rootCause(first);
        if (root != first && root.getMessage() != null && !message.contains(root.getMessage())) {
            message = message + " (" + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")";
        }
        return scrub(message, password);
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "no message";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    /** Belt and braces: the admin password never appears in a message, whoever put it there. */
    static String scrub(String message, String password) {
        if (message == null) {
            return "no message";
        }
        if (password == null || password.length() < 3) {
            return message;
        }
        return message.replace(password, io.dbprovision.provisioner.engine.Step.REDACTED);
    }
}
