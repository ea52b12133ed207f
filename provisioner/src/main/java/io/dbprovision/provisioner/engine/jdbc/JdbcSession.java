package io.dbprovision.provisioner.engine.jdbc;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.Step;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.conf.StatementType;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;

/**
 * The {@link EngineSession} of one engine call over JDBC: it holds one pooled connection for the call — borrowed at
 * the first statement, kept for the reads and steps that follow in the same database and given back by
 * {@link #close()} — gives engines jOOQ for reads, executes their steps (or under validate_only only records them)
 * and builds the call's {@link ChangeResponse} from what it recorded, each statement rendered inline with its secrets
 * redacted. A statement for another database gives the held connection back before it borrows one there, so a call
 * never holds one connection while it waits for another (two calls could otherwise wait on each other's pools). It
 * owns the call's deadline — when it passes, the session cancels itself: one timer per call rather than a JDBC query
 * timeout per statement, which both drivers implement with a timer task of their own for every statement — and
 * {@link #cancel()}, which the gRPC layer calls when its call is cancelled, cancels the statement running on the
 * engine (pgjdbc sends a cancel request, Connector/J a {@code KILL QUERY}); a statement that would start after either
 * fails at once. Statements run as static statements: utility statements such as
 * {@code CREATE ROLE} cannot take bind values. Failures become {@link EngineException}s through {@link SqlErrors}.
 *
 * <p>One thread uses a session (the call's); only {@link #cancel()} may come from another.
 */
public final class JdbcSession implements EngineSession, AutoCloseable {
    static {
        // jOOQ prints a banner and tips on first use unless told not to.
        if (System.getProperty("org.jooq.no-logo") == null) {
            System.setProperty("org.jooq.no-logo", "true");
        }
        if (System.getProperty("org.jooq.no-tips") == null) {
            System.setProperty("org.jooq.no-tips", "true");
        }
    }

    private static final String CANCELLED_STATE = "57014";
    /** Fires the deadlines of all sessions; the cancels themselves run on virtual threads of their own. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();

    private final Instance instance;
    private final boolean validateOnly;
    private final ConnectionPools pools;
    private final Instant deadline;
    private final SQLDialect dialect;
    /**
     * SQLSTATEs of a connection the server ended before our statement reached it: PostgreSQL's "terminating
     * connection due to administrator command" and a connection already closed (both drivers).
     */
    private static final Set<String> SERVER_ENDED_STATES = java.util.Set.of("57P01", "08003");

    private final DSLContext renderer;
    private final List<PlannedStatement> plan = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private volatile Statement running;
    private volatile boolean cancelled;
    private volatile EngineException lastFailure;
    private final List<ExecuteListener> observers;
    private final Tracking tracking = new Tracking();
    /** Cancels the session when the deadline passes; set at the first borrow, stopped by {@link #close()}. */
    private ScheduledFuture<?> deadlineTimer;
    /** The connection the call holds now, or null. */
    private Held held;

    /**
     * @param deadline when the caller's time is up (statements still running then are cancelled), or null for none
     */
    public JdbcSession(Instance instance, boolean validateOnly, ConnectionPools pools, Instant deadline) {
        this(instance, validateOnly, pools, deadline, List.of());
    }

    /**
     * @param observers jOOQ listeners that see every statement this session sends (reads and steps, secrets
     *     included) — for the engine benchmark's record of the SQL a call runs; production passes none
     */
    public JdbcSession(
            Instance instance,
            boolean validateOnly,
            ConnectionPools pools,
            Instant deadline,
            List<ExecuteListener> observers) {
        this.instance = instance;
        this.validateOnly = validateOnly;
        this.pools = pools;
        this.deadline = deadline;
        this.observers = List.copyOf(observers);
        this.dialect = ConnectionSettings.dialect(instance.getEngine());
        this.renderer = DSL.using(dialect, settings().withRenderFormatted(false));
    }

    /** A session without a deadline. */
    public JdbcSession(Instance instance, boolean validateOnly, ConnectionPools pools) {
        this(instance, validateOnly, pools, null);
    }

    @Override
    public Instance instance() {
        return instance;
    }

    @Override
    public boolean validateOnly() {
        return validateOnly;
    }

    /** The jOOQ dialect of this instance's connections and plans. */
    public SQLDialect dialect() {
        return dialect;
    }

    @Override
    public <T> T read(String database, Function<DSLContext, T> query) {
        return onHeldConnection(
                database,
                connection -> query.apply(connection.reads()),
                (settings, e) -> failure(settings, "read in " + describe(settings), false, e));
    }

    @Override
    public void run(Step step) {
        if (!validateOnly) {
            onHeldConnection(
                    step.database(),
                    connection -> connection.steps().execute(step.query()),
                    (settings, e) -> failure(settings, step.purpose(), step.sensitive(), e));
        }
        record(step);
    }

    /**
     * Runs work on the call's connection to the database; once more on a fresh connection when the server had
     * already ended the held one ({@link #endedByServer}); any other failure becomes the mapped exception.
     */
    private <T> T onHeldConnection(
            String database,
            Function<Held, T> work,
            BiFunction<ConnectionSettings, DataAccessException, EngineException> failure) {
        for (int attempt = 1; ; attempt++) {
            Held connection = connection(database);
            try {
                return work.apply(connection);
            } catch (DataAccessException e) {
                if (attempt == 1 && endedByServer(e)) {
                    evictHeld();
                    continue;
                }
                throw failure.apply(connection.lease().settings(), e);
            }
        }
    }

    /** The held connection when it is to this database; otherwise the held one goes back and one is borrowed. */
    private Held connection(String database) {
        if (held != null && held.database().equals(database)) {
            return held;
        }
        releaseHeld();
        startDeadlineTimer();
        ConnectionPools.Lease lease = borrow(database);
        held = new Held(
                database,
                lease,
                context(lease, StatementType.PREPARED_STATEMENT),
                context(lease, StatementType.STATIC_STATEMENT));
        return held;
    }

    private static ScheduledThreadPoolExecutor deadlineTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().name("engine-deadlines").daemon().factory());
        // A call that ends in time stops its timer; without this the stopped timers would wait in the queue.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** From the first connection on, the session cancels itself at the deadline (off the timer's thread). */
    private void startDeadlineTimer() {
        if (deadline == null || deadlineTimer != null) {
            return;
        }
        long millis = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        deadlineTimer = DEADLINES.schedule(
                () -> Thread.ofVirtual().name("engine-deadline").start(this::cancel), millis, TimeUnit.MILLISECONDS);
    }

    private void releaseHeld() {
        if (held != null) {
            Held returning = held;
            held = null;
            returning.lease().close();
        }
    }

    private void evictHeld() {
        if (held != null) {
            Held evicted = held;
            held = null;
            evicted.lease().evict();
        }
    }

    /** Gives the held connection back to its pool. The session may still be used; it then borrows again. */
    @Override
    public void close() {
        releaseHeld();
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
    }

    /**
     * True when a pooled connection failed because the server had already ended it — a dropped database's or a
     * terminated session's connections stay in the pool until used — so the statement never ran: the connection is
     * evicted (by the caller) and the caller may try once more on a fresh one. Not when the call was cancelled.
     */
    private boolean endedByServer(DataAccessException e) {
        if (cancelled) {
            return false;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql
                    && sql.getSQLState() != null
                    && SERVER_ENDED_STATES.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int runOnOneConnection(String database, List<Step> steps, boolean stopQuietly) {
        if (validateOnly) {
            steps.forEach(this::record);
            return steps.size();
        }
        Held connection = connection(database);
        int succeeded = 0;
        try {
            for (Step step : steps) {
                try {
                    execute(connection, step);
                } catch (EngineException e) {
                    if (stopQuietly) {
                        return succeeded;
                    }
                    throw e;
                }
                record(step);
                succeeded++;
            }
            return succeeded;
        } finally {
            // The steps may have changed session state (SET ROLE, search_path): the connection is not reused.
            evictHeld();
        }
    }

    @Override
    public synchronized void note(String note) {
        notes.add(note);
    }

    /**
     * The failure of the last statement that failed, also when {@link #runOnOneConnection} stopped quietly (the
     * statement's SQLSTATE and message, for RunInitSqlResponse.error).
     */
    @Override
    public Optional<EngineException> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    /**
     * Cancels the statement running now on the engine and makes every later statement of this session fail at once.
     * Safe to call from any thread, any number of times.
     */
    public void cancel() {
        cancelled = true;
        Statement statement = running;
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException | RuntimeException e) {
                // The statement may have just finished; nothing is left to cancel then.
            }
        }
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** What the call changed (or would change): the recorded plan and notes. */
    public synchronized ChangeResponse result() {
        return ChangeResponse.newBuilder()
                .setChanged(!plan.isEmpty())
                .addAllPlan(plan)
                .addAllNotes(notes)
                .build();
    }

    private void execute(Held connection, Step step) {
        try {
            connection.steps().execute(step.query());
        } catch (DataAccessException e) {
            throw failure(connection.lease().settings(), step.purpose(), step.sensitive(), e);
        }
    }

    private EngineException failure(ConnectionSettings settings, String object, boolean sensitive, Throwable e) {
        EngineException mapped = SqlErrors.statement(settings, object, sensitive, e);
        lastFailure = mapped;
        return mapped;
    }

    private synchronized void record(Step step) {
        plan.add(PlannedStatement.newBuilder()
                .setSql(renderer.renderInlined(step.redacted()))
                .setDatabase(step.database())
                .setPurpose(step.purpose())
                .build());
    }

    private ConnectionPools.Lease borrow(String database) {
        if (cancelled) {
            throw cancelledFailure(database);
        }
        return pools.borrow(instance, database, deadline);
    }

    private EngineException cancelledFailure(String object) {
        EngineException failure = new EngineException.EngineRefused(
                object == null || object.isEmpty() ? "admin database" : object,
                CANCELLED_STATE,
                0,
                "the call was cancelled or its deadline passed",
                null);
        lastFailure = failure;
        return failure;
    }

    private DSLContext context(ConnectionPools.Lease lease, StatementType statementType) {
        return DSL.using(new DefaultConfiguration()
                .set(lease.connection())
                .set(dialect)
                .set(settings().withStatementType(statementType))
                .set(listeners()));
    }

    private ExecuteListener[] listeners() {
        ExecuteListener[] listeners = new ExecuteListener[observers.size() + 1];
        listeners[0] = tracking;
        for (int i = 0; i < observers.size(); i++) {
            listeners[i + 1] = observers.get(i);
        }
        return listeners;
    }

    private static Settings settings() {
        // No auto-aliasing: jOOQ would silently rename an identifier longer than 64 characters (a MariaDB user name
        // may have 80), creating a different object than the one asked for.
        return new Settings()
                .withExecuteLogging(false)
                .withDiagnosticsLogging(false)
                .withNameAutoAliasingIfMaxLengthExceeded(false);
    }

    private static String describe(ConnectionSettings settings) {
        return settings.database().isEmpty() ? "the admin connection" : "database " + settings.database();
    }

    /** The connection a call holds, with its jOOQ contexts for reads (prepared) and steps (static statements). */
    private record Held(String database, ConnectionPools.Lease lease, DSLContext reads, DSLContext steps) {}

    /** Knows the statement running now (for cancel); refuses to start one once the call is over. */
    private final class Tracking implements ExecuteListener {
        @Override
        public void executeStart(ExecuteContext ctx) {
            Statement statement = ctx.statement();
            if (statement == null) {
                return;
            }
            try {
                if (deadline != null && !Instant.now().isBefore(deadline)) {
                    throw new SQLException("the call's deadline passed", CANCELLED_STATE);
                }
                running = statement;
                if (cancelled) {
                    throw new SQLException("the call was cancelled", CANCELLED_STATE);
                }
            } catch (SQLException e) {
                running = null;
                throw new DataAccessException("statement not started", e);
            }
        }

        @Override
        public void executeEnd(ExecuteContext ctx) {
            running = null;
        }

        @Override
        public void exception(ExecuteContext ctx) {
            running = null;
        }
    }
}
