package io.dbprovision.apiserver.storage.sql;

import static org.jooq.impl.DSL.collation;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.table;

import io.dbprovision.apiserver.storage.Attributes;
import io.dbprovision.apiserver.storage.Change;
import io.dbprovision.apiserver.storage.ObjectKey;
import io.dbprovision.apiserver.storage.StoredObject;
import io.dbprovision.apiserver.storage.ValueTransformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;

/**
 * The persistent log of object versions, shared by the embedded and the PostgreSQL backends (jOOQ renders each
 * dialect). Like etcd's keyspace, every write appends a row at its resourceVersion; a deletion appends a tombstone
 * holding the last value. The state at version N is, per key, the newest row at or below N unless it is a
 * tombstone. Compaction removes rows no read at or after the compacted version can need.
 *
 * <p>Values pass through a {@link ValueTransformer} exactly where they enter and leave the log (append, and the
 * reads that build objects), so the rows hold the stored form (ciphertext for encrypted resources) while every
 * object this class returns holds the value as written. Attributes are never transformed: selectors read them.
 */
public final class SqlLog {
    static final Table<Record> OBJECTS = table(name("dbp_objects"));
    static final Table<Record> STATE = table(name("dbp_state"));

    static final Field<Long> RV = field(name("rv"), SQLDataType.BIGINT.nullable(false));
    static final Field<String> RESOURCE =
            field(name("resource"), SQLDataType.VARCHAR(320).nullable(false));
    static final Field<String> NAMESPACE =
            field(name("namespace"), SQLDataType.VARCHAR(63).nullable(false));
    static final Field<String> NAME =
            field(name("name"), SQLDataType.VARCHAR(253).nullable(false));
    static final Field<Long> PREVIOUS_RV = field(name("previous_rv"), SQLDataType.BIGINT.nullable(false));
    static final Field<Boolean> DELETED = field(name("deleted"), SQLDataType.BOOLEAN.nullable(false));
    // VARBINARY, not BLOB: H2 keeps BLOBs out of the row, which made every read from the log 5-10 times slower
    // (docs/performance.md); PostgreSQL renders both as bytea.
    // Bound with setBytes/getBytes (BytesBinding), not through a Blob as jOOQ binds byte[] for H2; the tables are
    // created with the plain type (BYTES_COLUMN), so the DDL does not depend on the binding.
    private static final DataType<byte[]> BYTES_COLUMN = SQLDataType.VARBINARY.nullable(false);
    private static final DataType<byte[]> BYTES = BYTES_COLUMN.asConvertedDataType(new BytesBinding());
    static final Field<byte[]> VALUE = field(name("value"), BYTES);
    static final Field<byte[]> ATTRIBUTES = field(name("attributes"), BYTES);

    static final Field<Integer> ID = field(name("id"), SQLDataType.INTEGER.nullable(false));
    static final Field<Long> CURRENT_RV = field(name("current_rv"), SQLDataType.BIGINT.nullable(false));
    static final Field<Long> COMPACTED_RV = field(name("compacted_rv"), SQLDataType.BIGINT.nullable(false));
    static final Field<Integer> SCHEMA_VERSION = field(name("schema_version"), SQLDataType.INTEGER.nullable(false));

    private static final int CURRENT_SCHEMA = 1;
    /** The advisory lock that serializes schema migration among replicas ("dbpstore" in ASCII). */
    private static final long MIGRATION_LOCK = 0x64627073746f7265L;

    private SqlLog() {}

    /** Creates the tables on first start; later schema versions migrate from here. */
    public static void migrate(DSLContext db) {
        db.transaction(tx -> {
            DSLContext t = tx.dsl();
            if (t.dialect().family() == SQLDialect.POSTGRES) {
                // Replicas that start together would otherwise race: PostgreSQL's CREATE TABLE IF NOT EXISTS fails
                // when another transaction creates the same table concurrently, and both would insert the state row.
                t.execute("select pg_advisory_xact_lock({0})", inline(MIGRATION_LOCK));
            }
            t.createTableIfNotExists(OBJECTS)
                    .columns(RV, keyColumn(t, RESOURCE), keyColumn(t, NAMESPACE), keyColumn(t, NAME))
                    .columns(
                            PREVIOUS_RV,
                            DELETED,
                            field(VALUE.getQualifiedName(), BYTES_COLUMN),
                            field(ATTRIBUTES.getQualifiedName(), BYTES_COLUMN))
                    .primaryKey(RV)
                    .execute();
            t.createIndexIfNotExists(name("dbp_objects_key"))
                    .on(OBJECTS, RESOURCE, NAMESPACE, NAME, RV)
                    .execute();
            t.createTableIfNotExists(STATE)
                    .columns(ID, CURRENT_RV, COMPACTED_RV, SCHEMA_VERSION)
                    .primaryKey(ID)
                    .execute();
            if (t.fetchCount(STATE) == 0) {
                t.insertInto(STATE, ID, CURRENT_RV, COMPACTED_RV, SCHEMA_VERSION)
                        .values(1, 0L, 0L, CURRENT_SCHEMA)
                        .execute();
            }
            int version = t.select(SCHEMA_VERSION).from(STATE).where(ID.eq(1)).fetchOne(SCHEMA_VERSION);
            if (version > CURRENT_SCHEMA) {
                throw new IllegalStateException("the store was written by a newer version (schema " + version
                        + "); this server knows schema " + CURRENT_SCHEMA);
            }
        });
    }

    /**
     * A key column that sorts like {@link ObjectKey}, character by character. Lists are served from the cache or from
     * the log and a continue token may cross from one to the other, so both must order keys alike, whatever the
     * server's collation: PostgreSQL's usual en_US.UTF-8 ignores punctuation ("a.x" &lt; "ay" &lt; "a-z"), which
     * would skip or repeat objects across pages. "C" compares code points, as Java does for the ASCII of Kubernetes
     * names; H2 compares like Java already (its default collation is OFF).
     */
    private static Field<String> keyColumn(DSLContext db, Field<String> column) {
        if (db.dialect().family() != SQLDialect.POSTGRES) {
            return column;
        }
        return field(column.getQualifiedName(), column.getDataType().collation(collation("C")));
    }

    public record Versions(long current, long compacted) {}

    public static Versions versions(DSLContext db) {
        Record record =
                db.select(CURRENT_RV, COMPACTED_RV).from(STATE).where(ID.eq(1)).fetchOne();
        return new Versions(record.get(CURRENT_RV), record.get(COMPACTED_RV));
    }

    /** Locks the counter row until the transaction ends, so batches from several replicas commit in order. */
    public static long lockCurrent(DSLContext tx) {
        return tx.select(CURRENT_RV).from(STATE).where(ID.eq(1)).forUpdate().fetchOne(CURRENT_RV);
    }

    public static void append(DSLContext tx, ValueTransformer values, List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        var insert = tx.insertInto(OBJECTS, RV, RESOURCE, NAMESPACE, NAME, PREVIOUS_RV, DELETED, VALUE, ATTRIBUTES);
        for (Change change : changes) {
            StoredObject object = change.object();
            ObjectKey key = object.key();
            insert = insert.values(
                    object.resourceVersion(),
                    key.resource(),
                    key.namespace(),
                    key.name(),
                    change.previousResourceVersion(),
                    change.deleted(),
                    values.toStorage(key, object.value()),
                    object.attributes().encode());
        }
        insert.execute();
        long last = changes.getLast().resourceVersion();
        tx.update(STATE).set(CURRENT_RV, last).where(ID.eq(1)).execute();
    }

    /**
     * The live objects at {@code atRv} (every resource, or one), in key order, after {@code after} when given.
     *
     * @param limit 0 for all
     */
    public static List<StoredObject> snapshot(
            DSLContext db,
            ValueTransformer values,
            String resource,
            String namespace,
            long atRv,
            ObjectKey after,
            int limit) {
        Condition where = col("o", RV).le(atRv).and(col("o", DELETED).isFalse()).andNotExists(newerVersion("o", atRv));
        if (resource != null) {
            where = where.and(col("o", RESOURCE).eq(resource));
        }
        if (namespace != null && !namespace.isEmpty()) {
            where = where.and(col("o", NAMESPACE).eq(namespace));
        }
        if (after != null) {
            where = where.and(row(col("o", NAMESPACE), col("o", NAME)).gt(after.namespace(), after.name()));
        }
        var query = db.select(
                        col("o", RV),
                        col("o", RESOURCE),
                        col("o", NAMESPACE),
                        col("o", NAME),
                        col("o", VALUE),
                        col("o", ATTRIBUTES))
                .from(OBJECTS.as("o"))
                .where(where)
                .orderBy(col("o", RESOURCE), col("o", NAMESPACE), col("o", NAME));
        var records = limit > 0 ? query.limit(limit).fetch() : query.fetch();
        List<StoredObject> out = new ArrayList<>(records.size());
        for (Record record : records) {
            out.add(object(record, values));
        }
        return out;
    }

    /**
     * The live objects of {@code resource} at {@code atRv} as the log holds them: values in their stored form
     * (ciphertext for encrypted resources), for tools that look at the form itself, such as the encryption rewriter.
     */
    public static List<StoredObject> storedForms(
            DSLContext db, String resource, long atRv, ObjectKey after, int limit) {
        return snapshot(db, STORED_FORM, resource, null, atRv, after, limit);
    }

    /** Hands out rows as they are stored; private so no store can be opened with it by mistake. */
    private static final ValueTransformer STORED_FORM = new ValueTransformer() {
        @Override
        public byte[] toStorage(ObjectKey key, byte[] value) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public byte[] fromStorage(ObjectKey key, byte[] stored) {
            return stored;
        }

        @Override
        public boolean isStale(ObjectKey key, byte[] stored) {
            return false;
        }

        @Override
        public boolean transforms(String resource) {
            return false;
        }
    };

    /** A version of the same key as the row aliased {@code outer}, newer than it and at or below {@code atRv}. */
    private static org.jooq.Select<?> newerVersion(String outer, long atRv) {
        return select(inline(1))
                .from(OBJECTS.as("newer"))
                .where(col("newer", RESOURCE).eq(col(outer, RESOURCE)))
                .and(col("newer", NAMESPACE).eq(col(outer, NAMESPACE)))
                .and(col("newer", NAME).eq(col(outer, NAME)))
                .and(col("newer", RV).gt(col(outer, RV)))
                .and(col("newer", RV).le(atRv));
    }

    private static <T> Field<T> col(String table, Field<T> column) {
        return field(name(table, column.getName()), column.getDataType());
    }

    /** Every write after {@code afterRv} up to {@code upToRv}, in order, with the attributes of what each replaced. */
    public static List<Change> changes(DSLContext db, ValueTransformer values, long afterRv, long upToRv) {
        var records = db.select(RV, RESOURCE, NAMESPACE, NAME, PREVIOUS_RV, DELETED, VALUE, ATTRIBUTES)
                .from(OBJECTS)
                .where(RV.gt(afterRv).and(RV.le(upToRv)))
                .orderBy(RV)
                .fetch();
        Map<Long, Attributes> attributesByRv = attributesBefore(db, records, afterRv);
        List<Change> out = new ArrayList<>(records.size());
        for (Record record : records) {
            StoredObject object = object(record, values);
            long previousRv = record.get(PREVIOUS_RV);
            Attributes before = previousRv == 0 ? null : attributesByRv.get(previousRv);
            out.add(new Change(object, record.get(DELETED), previousRv, before));
            attributesByRv.put(object.resourceVersion(), object.attributes());
        }
        return out;
    }

    /** Attributes of the versions that writes in a range replaced from before the range (one query). */
    private static Map<Long, Attributes> attributesBefore(DSLContext db, List<? extends Record> records, long afterRv) {
        List<Long> wanted = new ArrayList<>();
        for (Record record : records) {
            long previousRv = record.get(PREVIOUS_RV);
            if (previousRv != 0 && previousRv <= afterRv) {
                wanted.add(previousRv);
            }
        }
        Map<Long, Attributes> out = new HashMap<>();
        for (int from = 0; from < wanted.size(); from += 1000) {
            List<Long> chunk = wanted.subList(from, Math.min(wanted.size(), from + 1000));
            for (Record record :
                    db.select(RV, ATTRIBUTES).from(OBJECTS).where(RV.in(chunk)).fetch()) {
                out.put(record.get(RV), Attributes.decode(record.get(ATTRIBUTES)));
            }
        }
        return out;
    }

    /**
     * Removes what no read at or after {@code compactRv} needs: versions replaced at or before it, and tombstones
     * at or before it. Reads below it then fail with Expired.
     */
    public static int compact(DSLContext db, long compactRv) {
        return db.transactionResult(tx -> {
            DSLContext t = tx.dsl();
            int removed = t.deleteFrom(OBJECTS)
                    .where(col("dbp_objects", RV).le(compactRv))
                    .and(col("dbp_objects", DELETED).isTrue().orExists(newerVersion("dbp_objects", compactRv)))
                    .execute();
            t.update(STATE)
                    .set(COMPACTED_RV, org.jooq.impl.DSL.greatest(COMPACTED_RV, inline(compactRv)))
                    .where(ID.eq(1))
                    .execute();
            return removed;
        });
    }

    private static StoredObject object(Record record, ValueTransformer values) {
        ObjectKey key = new ObjectKey(record.get(RESOURCE), record.get(NAMESPACE), record.get(NAME));
        byte[] value = values.fromStorage(key, record.get(VALUE));
        return new StoredObject(key, record.get(RV), value, Attributes.decode(record.get(ATTRIBUTES)));
    }
}
