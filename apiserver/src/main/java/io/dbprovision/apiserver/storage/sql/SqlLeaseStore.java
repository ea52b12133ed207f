package io.dbprovision.apiserver.storage.sql;

import static org.jooq.impl.DSL.condition;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;
import static org.jooq.impl.DSL.when;

import io.dbprovision.apiserver.storage.Lease;
import io.dbprovision.apiserver.storage.LeaseStore;
import io.dbprovision.apiserver.storage.StorageException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.SQLDataType;

/**
 * The {@link LeaseStore} of a PostgreSQL backend: table {@code dbp_leases} beside the log, created on first use.
 * Every time is the database's ({@code clock_timestamp()}), so replicas whose clocks disagree still agree on who
 * holds a lease: a replica only compares the database's times with each other, and its own times with its own.
 */
public final class SqlLeaseStore implements LeaseStore {
    static final Table<Record> LEASES = table(name("dbp_leases"));
    static final Field<String> NAME =
            field(name("name"), SQLDataType.VARCHAR(253).nullable(false));
    static final Field<String> HOLDER =
            field(name("holder"), SQLDataType.VARCHAR(253).nullable(false));
    static final Field<OffsetDateTime> ACQUIRE_TIME =
            field(name("acquire_time"), SQLDataType.TIMESTAMPWITHTIMEZONE(6).nullable(false));
    static final Field<OffsetDateTime> RENEW_TIME =
            field(name("renew_time"), SQLDataType.TIMESTAMPWITHTIMEZONE(6).nullable(false));
    static final Field<Long> DURATION_MS = field(name("lease_duration_ms"), SQLDataType.BIGINT.nullable(false));
    static final Field<Long> TRANSITIONS = field(name("transitions"), SQLDataType.BIGINT.nullable(false));

    /** Statement time would be the transaction's start; the clock is what a lease's expiry is measured against. */
    private static final Field<OffsetDateTime> NOW = field("clock_timestamp()", SQLDataType.TIMESTAMPWITHTIMEZONE);
    /** Serializes the table's creation among replicas that start together ("dbplease" in ASCII). */
    private static final long CREATE_LOCK = 0x6462706c65617365L;

    private final DSLContext db;
    private final String describe;
    private volatile boolean created;

    public SqlLeaseStore(DSLContext db, String describe) {
        this.db = db;
        this.describe = describe;
    }

    @Override
    public Lease tryAcquireOrRenew(String name, String holder, Duration duration) {
        if (holder.isEmpty()) {
            throw new IllegalArgumentException("a lease holder needs an identity");
        }
        try {
            ensureTable();
            Record inserted = db.insertInto(LEASES, NAME, HOLDER, ACQUIRE_TIME, RENEW_TIME, DURATION_MS, TRANSITIONS)
                    .values(val(name), val(holder), NOW, NOW, val(duration.toMillis()), val(0L))
                    .onConflictDoNothing()
                    .returning(NAME, HOLDER, ACQUIRE_TIME, RENEW_TIME, DURATION_MS, TRANSITIONS)
                    .fetchOne();
            if (inserted != null) {
                return lease(inserted);
            }
            Record updated = db.update(LEASES)
                    .set(ACQUIRE_TIME, when(HOLDER.eq(holder), ACQUIRE_TIME).otherwise(NOW))
                    .set(TRANSITIONS, when(HOLDER.eq(holder), TRANSITIONS).otherwise(TRANSITIONS.plus(1)))
                    .set(HOLDER, holder)
                    .set(RENEW_TIME, NOW)
                    .set(DURATION_MS, duration.toMillis())
                    .where(NAME.eq(name))
                    .and(HOLDER.eq(holder).or(HOLDER.eq("")).or(expired()))
                    .returning(NAME, HOLDER, ACQUIRE_TIME, RENEW_TIME, DURATION_MS, TRANSITIONS)
                    .fetchOne();
            if (updated != null) {
                return lease(updated);
            }
            return get(name).orElseThrow(() -> new StorageException.Unavailable("lease " + name + " vanished", null));
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
    }

    /** The holder let the lease run out: no renewal within its duration, by the database's clock. */
    private static org.jooq.Condition expired() {
        return condition("{0} + {1} * interval '1 millisecond' < clock_timestamp()", RENEW_TIME, DURATION_MS);
    }

    @Override
    public void release(String name, String holder) {
        try {
            ensureTable();
            db.update(LEASES)
                    .set(HOLDER, "")
                    .set(RENEW_TIME, NOW)
                    .where(NAME.eq(name))
                    .and(HOLDER.eq(holder))
                    .execute();
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Optional<Lease> get(String name) {
        try {
            ensureTable();
            return db.select(NAME, HOLDER, ACQUIRE_TIME, RENEW_TIME, DURATION_MS, TRANSITIONS)
                    .from(LEASES)
                    .where(NAME.eq(name))
                    .fetchOptional()
                    .map(SqlLeaseStore::lease);
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
    }

    private void ensureTable() {
        if (created) {
            return;
        }
        db.transaction(tx -> {
            DSLContext t = tx.dsl();
            // Replicas that start together would race: CREATE TABLE IF NOT EXISTS fails when another transaction
            // creates the same table concurrently.
            t.execute("select pg_advisory_xact_lock({0})", inline(CREATE_LOCK));
            t.createTableIfNotExists(LEASES)
                    .columns(NAME, HOLDER, ACQUIRE_TIME, RENEW_TIME, DURATION_MS, TRANSITIONS)
                    .primaryKey(NAME)
                    .execute();
        });
        created = true;
    }

    private static Lease lease(Record record) {
        return new Lease(
                record.get(NAME),
                record.get(HOLDER),
                record.get(ACQUIRE_TIME).toInstant(),
                record.get(RENEW_TIME).toInstant(),
                Duration.ofMillis(record.get(DURATION_MS)),
                record.get(TRANSITIONS));
    }

    private StorageException.Unavailable unavailable(DataAccessException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new StorageException.Unavailable("leases are unavailable (" + describe + "): " + root.getMessage(), e);
    }

    @Override
    public String toString() {
        return "leases in " + describe;
    }
}
