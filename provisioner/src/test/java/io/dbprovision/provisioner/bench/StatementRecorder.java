package io.dbprovision.provisioner.bench;

import java.util.ArrayList;
import java.util.List;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.Query;
import org.jooq.conf.StatementType;

/**
 * Records every statement the provisioner's engine sessions send while a recording is open — reads and writes, in
 * order, with their bind values — and how long each took inside the provisioner (jOOQ start to end: rendering,
 * binding, the round trip to the engine and fetching). Installed as a jOOQ listener on the sessions
 * ({@code ProvisionerWiring.create(idle, List.of(recorder))}); the benchmark replays what it recorded over plain JDBC.
 *
 * <p>What it keeps per statement is cheap to take (the SQL string and a reference to the query); bind values are
 * extracted only when the recording is closed, outside the timed call. The benchmark makes one call at a time.
 */
final class StatementRecorder implements ExecuteListener {
    /** One statement as the engine's driver received it: SQL with {@code ?} and its binds, or inlined SQL. */
    record Recorded(String sql, List<Object> binds, boolean prepared) {}

    /**
     * What one call sent; the time its statements took inside the provisioner; when the first one started and the
     * last one ended ({@link System#nanoTime()}, 0 when none ran).
     */
    record Recording(
            List<Recorded> statements,
            long statementNanos,
            long firstStart,
            long lastEnd,
            long renderNanos,
            long executeNanos,
            long fetchNanos) {}

    private record Pending(String sql, Query query, boolean prepared) {}

    private final List<Pending> pending = new ArrayList<>();
    private boolean recording;
    private long statementNanos;
    private long startedAt;
    private long firstStart;
    private long lastEnd;
    private long executeStartedAt;
    private long executeEndedAt;
    /** Sums over the call's statements: jOOQ start to executeStart (render, prepare, bind), execute, then to end. */
    private long renderNanos;

    private long executeNanos;
    private long fetchNanos;

    synchronized void begin() {
        pending.clear();
        statementNanos = 0;
        firstStart = 0;
        lastEnd = 0;
        renderNanos = 0;
        executeNanos = 0;
        fetchNanos = 0;
        recording = true;
    }

    synchronized Recording end() {
        recording = false;
        List<Recorded> statements = new ArrayList<>();
        for (Pending p : pending) {
            List<Object> binds = p.prepared() && p.query() != null
                    ? new ArrayList<>(p.query().getBindValues())
                    : List.of();
            statements.add(new Recorded(p.sql(), binds, p.prepared()));
        }
        pending.clear();
        return new Recording(
                List.copyOf(statements), statementNanos, firstStart, lastEnd, renderNanos, executeNanos, fetchNanos);
    }

    @Override
    public synchronized void start(ExecuteContext ctx) {
        startedAt = System.nanoTime();
        if (recording && firstStart == 0) {
            firstStart = startedAt;
        }
    }

    @Override
    public synchronized void executeStart(ExecuteContext ctx) {
        executeStartedAt = System.nanoTime();
        if (recording) {
            renderNanos += executeStartedAt - startedAt;
            boolean prepared = ctx.settings().getStatementType() != StatementType.STATIC_STATEMENT;
            pending.add(new Pending(ctx.sql(), ctx.query(), prepared));
        }
    }

    @Override
    public synchronized void executeEnd(ExecuteContext ctx) {
        executeEndedAt = System.nanoTime();
        if (recording) {
            executeNanos += executeEndedAt - executeStartedAt;
        }
    }

    @Override
    public synchronized void end(ExecuteContext ctx) {
        if (recording) {
            lastEnd = System.nanoTime();
            fetchNanos += lastEnd - executeEndedAt;
            statementNanos += lastEnd - startedAt;
        }
    }
}
