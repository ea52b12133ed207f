package io.dbprovision.apiserver.reconcile.bench;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.Query;
import org.jooq.conf.StatementType;

/**
 * Records every statement the provisioner's engine sessions send while a recording is open — catalog reads and
 * writes, in the order they started, with their bind values, the database connection they ran on and the gRPC method
 * whose call sent them ({@link CallTags}) — and how long each took inside the provisioner (jOOQ start to end).
 * Installed as a jOOQ listener through {@code ProvisionerWiring.create(idle, List.of(recorder))}; the benchmark
 * replays what it recorded over plain JDBC ({@link SqlReplay}).
 *
 * <p>Unlike the engine benchmark's recorder, calls run concurrently here (a Database and a DatabaseUser converge at
 * the same time), so each statement keeps its own start time in its {@link ExecuteContext}. Bind values are read when
 * the recording is closed, outside the measured window.
 */
final class SqlRecorder implements ExecuteListener {
    private static final String STARTED = "dbprb.started";
    private static final String PENDING = "dbprb.pending";

    /**
     * One statement as the driver received it: SQL with {@code ?} and its binds, or inlined SQL; when it started
     * ({@link System#nanoTime()}) and how long it took inside the provisioner (0 if it had not ended).
     */
    record Recorded(
            String method, String url, String sql, List<Object> binds, boolean prepared, long startedAt, long nanos) {}

    /** What one window recorded, and the time its statements took inside the provisioner (summed). */
    record Recording(List<Recorded> statements, long statementNanos) {
        /** The statements sent by calls of {@code method}. */
        long count(String method) {
            return statements.stream().filter(s -> s.method().equals(method)).count();
        }
    }

    private static final class Pending {
        final String method;
        final String url;
        final String sql;
        final Query query;
        final boolean prepared;
        final long startedAt;
        volatile long nanos;

        Pending(String method, String url, String sql, Query query, boolean prepared, long startedAt) {
            this.method = method;
            this.url = url;
            this.sql = sql;
            this.query = query;
            this.prepared = prepared;
            this.startedAt = startedAt;
        }
    }

    private final List<Pending> pending = new ArrayList<>();
    private boolean recording;
    private long statementNanos;

    synchronized void begin() {
        pending.clear();
        statementNanos = 0;
        recording = true;
    }

    synchronized Recording end() {
        recording = false;
        List<Recorded> statements = new ArrayList<>();
        for (Pending p : pending) {
            List<Object> binds = p.prepared && p.query != null ? new ArrayList<>(p.query.getBindValues()) : List.of();
            statements.add(new Recorded(p.method, p.url, p.sql, binds, p.prepared, p.startedAt, p.nanos));
        }
        pending.clear();
        return new Recording(List.copyOf(statements), statementNanos);
    }

    @Override
    public void start(ExecuteContext ctx) {
        ctx.data(STARTED, System.nanoTime());
    }

    @Override
    public void executeStart(ExecuteContext ctx) {
        boolean prepared = ctx.settings().getStatementType() != StatementType.STATIC_STATEMENT;
        String url = url(ctx);
        String method = CallTags.current();
        long started = ctx.data(STARTED) instanceof Long start ? start : System.nanoTime();
        Pending p = new Pending(method, url, ctx.sql(), ctx.query(), prepared, started);
        synchronized (this) {
            if (recording) {
                pending.add(p);
                ctx.data(PENDING, p);
            }
        }
    }

    @Override
    public void end(ExecuteContext ctx) {
        if (ctx.data(STARTED) instanceof Long start) {
            long took = System.nanoTime() - start;
            if (ctx.data(PENDING) instanceof Pending p) {
                p.nanos = took;
            }
            synchronized (this) {
                if (recording) {
                    statementNanos += took;
                }
            }
        }
    }

    /** The JDBC URL of the connection (both drivers answer from memory), naming the database the statement ran in. */
    private static String url(ExecuteContext ctx) {
        try {
            return ctx.connection().getMetaData().getURL();
        } catch (SQLException | RuntimeException e) {
            return "";
        }
    }
}
