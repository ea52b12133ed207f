package io.dbprovision.provisioner.engine.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.pool.HikariPool;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.tls.TlsRegistry;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.SQLDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HikariCP pool per (engine, host, port, database, user, credential and TLS digest), created on first use and
 * closed when idle, so requests for many instances share nothing and a busy instance reuses its connections. Pools
 * hold at most four connections and none at rest; pool names and keys never contain the password (only a SHA-256
 * over it). An unreachable instance fails fast: a pool without connections first tries one connection on the calling
 * thread (Hikari would otherwise retry until its timeout), and after a connect failure every call for that key within
 * the fail-fast window gets the same {@code InstanceUnavailable} at once instead of waiting again.
 *
 * <p>A database other than the instance's admin database gets a pool only when it is used a second time within the
 * idle time: the first use (ObserveDatabase reading a database that was just created, a grant applied once) gets a
 * one-off connection of its own, closed when the caller is done. A new pool costs a second connection and its threads
 * (75–155 ms where a plain connection takes 30 ms on the benchmark machine, see docs/performance.md), and a pool
 * evicted to make room for it would be shut down on the caller's time; evicted pools are shut down on the sweeper's
 * thread instead.
 */
public final class ConnectionPools implements AutoCloseable {
    public static final Duration DEFAULT_IDLE_TIME = Duration.ofMinutes(5);
    public static final Duration DEFAULT_FAIL_FAST_WINDOW = Duration.ofSeconds(3);
    /**
     * Connections per pool, so calls at once per server and login: the reconcilers size their per-server limit by it
     * (apiserver {@code DbopsControllers.Settings#perServer}), so that they do not queue calls here.
     */
    public static final int MAXIMUM_POOL_SIZE = 4;
    /**
     * Open pools per server (host and port) before the least recently used idle ones are closed. Work in many
     * databases of one server (a pool per database) would otherwise hold an idle connection in each until the idle
     * time passes and exhaust the server's max_connections; with the cap a server sees at most
     * {@code MAXIMUM_POOLS_PER_SERVER * MAXIMUM_POOL_SIZE} connections from this process at rest.
     */
    static final int MAXIMUM_POOLS_PER_SERVER = 8;

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPools.class);
    private static final AtomicLong POOL_NUMBERS = new AtomicLong();

    private final Duration idleTime;
    private final Duration failFastWindow;
    private final Map<String, Entry> pools = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    /** Keys of databases given a one-off connection, and when: a second use within the idle time makes a pool. */
    private final Map<String, Long> usedOnce = new ConcurrentHashMap<>();

    private final ScheduledExecutorService sweeper;
    private volatile boolean closed;

    /** Pools closed after five idle minutes; a connect failure remembered for three seconds. */
    public ConnectionPools() {
        this(DEFAULT_IDLE_TIME, DEFAULT_FAIL_FAST_WINDOW);
    }

    /**
     * @param idleTime how long a pool may go unused before it is closed
     * @param failFastWindow how long after a connect failure calls for the same key fail at once
     */
    public ConnectionPools(Duration idleTime, Duration failFastWindow) {
        this.idleTime = idleTime;
        this.failFastWindow = failFastWindow;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dbprovision-pool-sweeper");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.clamp(idleTime.toMillis() / 2, 50, 30_000);
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * A connection to a database of the instance (empty: the admin database), to be closed by the caller.
     *
     * @param deadline when the caller's time is up, or null; caps how long the connection is waited for
     */
    public Lease borrow(Instance instance, String database, Instant deadline) {
        if (closed) {
            throw new IllegalStateException("connection pools are closed");
        }
        ConnectionSettings settings = ConnectionSettings.of(instance, database);
        Failure failure = failures.get(settings.key());
        if (failure != null) {
            if (System.nanoTime() - failure.atNanos < failFastWindow.toNanos()) {
                throw failure.exception;
            }
            failures.remove(settings.key(), failure);
        }
        Duration timeout = timeout(settings, deadline);
        if (database != null && !database.isEmpty() && !pools.containsKey(settings.key()) && firstUse(settings)) {
            return oneOff(settings, timeout);
        }
        while (true) {
            boolean[] created = {false};
            Entry entry = pools.computeIfAbsent(settings.key(), key -> {
                created[0] = true;
                return new Entry(settings, idleTime);
            });
            if (!entry.acquire()) {
                pools.remove(settings.key(), entry);
                continue;
            }
            if (created[0]) {
                closeLeastRecentlyUsed(settings);
            }
            long waitStarted = System.nanoTime();
            try {
                return new Lease(entry, entry.connection(timeout));
            } catch (SQLException | RuntimeException e) {
                entry.release();
                if (e instanceof EngineException engine) {
                    throw engine;
                }
                if (entry.allInUse(e)) {
                    // The server is fine, the calls before this one hold every connection: not a connect failure,
                    // so not remembered for the fail-fast window either.
                    throw new EngineException.ConnectionsBusy(
                            settings.host(),
                            settings.port(),
                            MAXIMUM_POOL_SIZE,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waitStarted));
                }
                EngineException.InstanceUnavailable unavailable = SqlErrors.unavailable(settings, e);
                failures.put(settings.key(), new Failure(unavailable, System.nanoTime()));
                LOG.info(
                        "Instance {}:{} unavailable for {}: {}",
                        settings.host(),
                        settings.port(),
                        settings.key(),
                        unavailable.getMessage());
                throw unavailable;
            }
        }
    }

    /** True the first time a key is asked for within the idle time (it then gets a one-off connection). */
    private boolean firstUse(ConnectionSettings settings) {
        long now = System.nanoTime();
        Long before = usedOnce.put(settings.key(), now);
        return before == null || now - before >= idleTime.toNanos();
    }

    /** A connection of its own through the driver, as a pool's would be set up; closing the lease closes it. */
    private Lease oneOff(ConnectionSettings settings, Duration timeout) {
        String tlsId = settings.tls() == null ? null : TlsRegistry.register(settings.tls());
        try {
            Driver driver = DriverManager.getDriver(settings.jdbcUrl());
            Connection connection = driver.connect(settings.jdbcUrl(), settings.driverProperties(tlsId, timeout));
            try {
                connection.setAutoCommit(true);
                if (settings.initSql() != null && !settings.initSql().isEmpty()) {
                    try (var statement = connection.createStatement()) {
                        statement.execute(settings.initSql());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
            return new Lease(settings, connection, tlsId);
        } catch (SQLException | RuntimeException e) {
            if (tlsId != null) {
                TlsRegistry.release(tlsId);
            }
            if (e instanceof EngineException engine) {
                throw engine;
            }
            EngineException.InstanceUnavailable unavailable = SqlErrors.unavailable(settings, e);
            failures.put(settings.key(), new Failure(unavailable, System.nanoTime()));
            throw unavailable;
        }
    }

    /** Number of open pools. */
    public int size() {
        return pools.size();
    }

    /** Closes every pool; connections still borrowed are closed when returned. */
    @Override
    public void close() {
        closed = true;
        // What the sweeper had not done yet (pools retired to make room, waiting to be shut down) is done now.
        for (Runnable pending : sweeper.shutdownNow()) {
            pending.run();
        }
        for (Entry entry : pools.values()) {
            entry.closeNow();
        }
        pools.clear();
    }

    private static Duration timeout(ConnectionSettings settings, Instant deadline) {
        Duration timeout = settings.connectTimeout();
        if (deadline != null) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.compareTo(timeout) < 0) {
                timeout = left;
            }
        }
        if (timeout.toMillis() <= 0) {
            throw new EngineException.InstanceUnavailable(
                    settings.host(), settings.port(), "the deadline passed before a connection was made", null);
        }
        return timeout;
    }

    /** Closes idle pools of the same server, least recently used first, while it has more than the cap. */
    private void closeLeastRecentlyUsed(ConnectionSettings settings) {
        List<Entry> sameServer = pools.values().stream()
                .filter(entry ->
                        entry.settings.host().equals(settings.host()) && entry.settings.port() == settings.port())
                .sorted(Comparator.comparingLong(Entry::lastUsedNanos))
                .toList();
        int excess = sameServer.size() - MAXIMUM_POOLS_PER_SERVER;
        for (Entry entry : sameServer) {
            if (excess <= 0) {
                return;
            }
            if (entry.retireIfIdle()) {
                pools.remove(entry.settings.key(), entry);
                excess--;
                // Shutting a pool down waits for its connections to close: not on the borrowing caller's time.
                if (!sweeper.isShutdown()) {
                    sweeper.execute(entry::closeNow);
                } else {
                    entry.closeNow();
                }
            }
        }
    }

    private void sweep() {
        long idleNanos = idleTime.toNanos();
        for (Entry entry : pools.values()) {
            if (entry.closeIfIdle(idleNanos)) {
                pools.remove(entry.settings.key(), entry);
                LOG.debug("Closed idle pool {}", entry.settings.key());
            }
        }
        long window = failFastWindow.toNanos();
        failures.values().removeIf(failure -> System.nanoTime() - failure.atNanos >= window);
        usedOnce.values().removeIf(at -> System.nanoTime() - at >= idleNanos);
    }

    private record Failure(EngineException.InstanceUnavailable exception, long atNanos) {}

    /** One pool and how many callers hold it; closed only when none does. */
    private static final class Entry {
        private final ConnectionSettings settings;
        private final HikariPool pool;
        private final String tlsId;
        private int holders;
        private long lastUsedNanos = System.nanoTime();
        private boolean closed;
        private boolean retired;

        Entry(ConnectionSettings settings, Duration idleTime) {
            this.settings = settings;
            this.tlsId = settings.tls() == null ? null : TlsRegistry.register(settings.tls());
            try {
                HikariConfig config = new HikariConfig();
                config.setPoolName("dbprovision-" + ConnectionSettings.engineName(settings.engine()) + "-"
                        + POOL_NUMBERS.incrementAndGet());
                config.setJdbcUrl(settings.jdbcUrl());
                config.setDriverClassName(settings.driverClassName());
                config.setDataSourceProperties(settings.driverProperties(tlsId, null));
                config.setConnectionInitSql(settings.initSql());
                config.setMaximumPoolSize(MAXIMUM_POOL_SIZE);
                config.setMinimumIdle(0);
                config.setConnectionTimeout(
                        Math.max(250, settings.connectTimeout().toMillis()));
                config.setValidationTimeout(Math.clamp(settings.connectTimeout().toMillis() / 2, 250, 5000));
                config.setIdleTimeout(Math.max(10_000, idleTime.toMillis()));
                config.setInitializationFailTimeout(-1);
                config.setAutoCommit(true);
                config.setRegisterMbeans(false);
                this.pool = new HikariPool(config);
            } catch (RuntimeException e) {
                releaseTls();
                throw e;
            }
        }

        synchronized boolean acquire() {
            if (closed || retired) {
                return false;
            }
            holders++;
            lastUsedNanos = System.nanoTime();
            return true;
        }

        synchronized long lastUsedNanos() {
            return lastUsedNanos;
        }

        synchronized void release() {
            holders--;
            lastUsedNanos = System.nanoTime();
        }

        Connection connection(Duration timeout) throws SQLException {
            if (pool.getTotalConnections() == 0) {
                probe(timeout);
            }
            return pool.getConnection(Math.max(1, timeout.toMillis()));
        }

        /**
         * Whether {@code failure} is the pool's wait for a connection running out while it had all it may have, every
         * one borrowed: HikariCP reports that as the same {@link SQLTransientConnectionException} as a pool that
         * cannot connect, so the pool's state tells them apart (a pool that cannot connect never fills up).
         */
        boolean allInUse(Throwable failure) {
            return failure instanceof SQLTransientConnectionException
                    && pool.getTotalConnections() >= MAXIMUM_POOL_SIZE
                    && pool.getIdleConnections() == 0;
        }

        /**
         * One connection straight through the driver, on the calling thread: it fails as fast as the server refuses,
         * where the pool would keep retrying until its timeout.
         */
        private void probe(Duration timeout) throws SQLException {
            Driver driver = DriverManager.getDriver(settings.jdbcUrl());
            try (Connection ignored = driver.connect(settings.jdbcUrl(), settings.driverProperties(tlsId, timeout))) {
                // Reachable and the login works; the pool makes its own connections.
            }
        }

        synchronized boolean closeIfIdle(long idleNanos) {
            if (closed || holders > 0 || System.nanoTime() - lastUsedNanos < idleNanos) {
                return false;
            }
            closeNow();
            return true;
        }

        /** When nobody holds it: takes no more callers (to be shut down by {@link #closeNow}); true if so. */
        synchronized boolean retireIfIdle() {
            if (retired || closed || holders > 0) {
                return false;
            }
            retired = true;
            return true;
        }

        void closeNow() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                retired = true;
            }
            try {
                pool.shutdown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                releaseTls();
            }
        }

        private void releaseTls() {
            if (tlsId != null) {
                TlsRegistry.release(tlsId);
            }
        }
    }

    /** A borrowed connection: closing it returns it to its pool (a one-off connection is closed). */
    public static final class Lease implements AutoCloseable {
        private final Entry entry;
        private final ConnectionSettings settings;
        private final Connection connection;
        /** The TLS registration a one-off connection holds until it is closed; null otherwise. */
        private final String oneOffTlsId;

        private boolean returned;

        private Lease(Entry entry, Connection connection) {
            this.entry = entry;
            this.settings = entry.settings;
            this.connection = connection;
            this.oneOffTlsId = null;
        }

        private Lease(ConnectionSettings settings, Connection connection, String tlsId) {
            this.entry = null;
            this.settings = settings;
            this.connection = connection;
            this.oneOffTlsId = tlsId;
        }

        public Connection connection() {
            return connection;
        }

        public SQLDialect dialect() {
            return settings.dialect();
        }

        ConnectionSettings settings() {
            return settings;
        }

        /** Whether it is a one-off connection rather than a pool's. */
        boolean oneOff() {
            return entry == null;
        }

        /** Closes the connection instead of returning it (it carries session state such as SET ROLE). */
        public void evict() {
            if (returned) {
                return;
            }
            if (entry == null) {
                close();
                return;
            }
            entry.pool.evictConnection(connection);
            finish();
        }

        @Override
        public void close() {
            if (!returned) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    LOG.debug("Returning a connection of {} failed: {}", settings.key(), e.getMessage());
                } finally {
                    finish();
                }
            }
        }

        private void finish() {
            returned = true;
            if (entry != null) {
                entry.release();
            } else if (oneOffTlsId != null) {
                TlsRegistry.release(oneOffTlsId);
            }
        }
    }
}
