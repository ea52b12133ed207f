package io.dbprovision.apiserver.storage.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.storage.Attributes;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.ListOptions;
import io.dbprovision.apiserver.storage.ObjectKey;
import io.dbprovision.apiserver.storage.StorageException;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.StoredObject;
import io.dbprovision.apiserver.storage.WatchEvent;
import io.dbprovision.apiserver.storage.WatchOptions;
import io.dbprovision.apiserver.storage.Watcher;
import io.dbprovision.apiserver.storage.sql.SqlBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Encryption at rest through {@link CachingStorage}, run on each backend by a subclass: callers (gets, lists, watches,
 * replays from the log, a reopened store) see what was written, the log's rows hold ciphertext, keys rotate, and a
 * value that does not decrypt is a clear error. The rows are read and altered with SQL on the backend itself, with
 * the store closed, as someone with access to the database files or the PostgreSQL server would.
 */
abstract class EncryptionAtRestContract {
    static final String SECRETS = "secrets";
    static final String DATABASES = "databases.dbops.dbprovision.io";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    final EncryptionKeys keys = new EncryptionKeys();
    private final List<CachingStorage> opened = new ArrayList<>();

    /** A backend on the test's one database (the same each call); the caller closes it. */
    protected abstract SqlBackend backend();

    /** Releases the test's database; every store is closed by then. */
    protected void dropDatabase() {}

    @AfterEach
    final void closeStores() {
        try {
            opened.forEach(CachingStorage::close);
        } finally {
            dropDatabase();
        }
    }

    CachingStorage open(String configuration) {
        StorageSettings settings = StorageSettings.defaults().withFsync(false).withRecentChanges(4);
        if (configuration != null) {
            settings = settings.withEncryption(
                    EncryptionConfiguration.parse(configuration, "test.yaml").transformer());
        }
        CachingStorage storage = CachingStorage.open(backend(), settings);
        opened.add(storage);
        return storage;
    }

    /** Runs SQL on the store's rows with the store closed. */
    void withRows(Consumer<DSLContext> work) {
        try (SqlBackend backend = backend()) {
            work.accept(backend.dsl());
        }
    }

    /** The newest row's value of {@code key}, as stored. */
    byte[] storedValue(ObjectKey key) {
        List<byte[]> out = new ArrayList<>();
        withRows(db -> out.add((byte[]) db.fetchValue(
                "select \"value\" from \"dbp_objects\" where \"resource\" = ? and \"namespace\" = ? and \"name\" = ?"
                        + " order by \"rv\" desc limit 1",
                key.resource(),
                key.namespace(),
                key.name())));
        return out.getFirst();
    }

    /** Every row's value (every version the log keeps), as stored. */
    List<byte[]> everyStoredValue() {
        List<byte[]> out = new ArrayList<>();
        withRows(db -> {
            for (Record record : db.fetch("select \"value\", \"attributes\" from \"dbp_objects\"")) {
                out.add((byte[]) record.get(0));
                out.add((byte[]) record.get(1));
            }
        });
        return out;
    }

    void replaceStoredValue(ObjectKey key, byte[] value) {
        withRows(db -> db.execute(
                "update \"dbp_objects\" set \"value\" = ? where \"rv\" = (select max(\"rv\") from \"dbp_objects\""
                        + " where \"resource\" = ? and \"namespace\" = ? and \"name\" = ?)",
                value,
                key.resource(),
                key.namespace(),
                key.name()));
    }

    static ObjectKey secret(String namespace, String name) {
        return new ObjectKey(SECRETS, namespace, name);
    }

    /** A value nobody else writes, so finding it anywhere means it leaked. */
    static String distinctive(String what) {
        return what + "-"
                + HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(StoredObject object) {
        return new String(object.value(), StandardCharsets.UTF_8);
    }

    static boolean contains(byte[] haystack, String needle) {
        return EncryptionConfigurationTest.indexOf(haystack, bytes(needle)) >= 0;
    }

    static String prefix(byte[] stored) {
        return new String(stored, 0, Math.min(stored.length, 23), StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void secretsAreCiphertextInTheLogAndPlaintextToEveryReader() throws Exception {
        String password = distinctive("password");
        String marker = distinctive("database");
        CachingStorage storage = open(keys.aesgcmThenIdentity("key1"));
        ObjectKey credentials = secret("team-a", "orders-credentials");
        storage.create(new ObjectKey(DATABASES, "team-a", "first"), bytes("first"), Attributes.EMPTY);
        long start = storage.currentResourceVersion(); // a watch from 0 would start now, not replay
        RecordingWatcher live = new RecordingWatcher();
        storage.watch(WatchOptions.from(SECRETS, start), live);

        StoredObject created = storage.create(credentials, bytes("v1 " + password), Attributes.EMPTY);
        storage.update(credentials, created.resourceVersion(), bytes("v2 " + password), Attributes.EMPTY);
        storage.create(new ObjectKey(DATABASES, "team-a", "orders"), bytes(marker), Attributes.EMPTY);
        for (int i = 0; i < 6; i++) { // pushes the first writes out of the in-memory window (4 changes)
            storage.create(secret("team-b", "filler-" + i), bytes("filler " + password), Attributes.EMPTY);
        }

        assertThat(text(storage.get(credentials).orElseThrow())).isEqualTo("v2 " + password);
        assertThat(storage.list(ListOptions.all(SECRETS).inNamespace("team-a")).items())
                .extracting(EncryptionAtRestContract::text)
                .containsExactly("v2 " + password);
        // An older version is read from the log, and so is a watch that resumes from before the window.
        assertThat(storage.list(ListOptions.all(SECRETS)
                                .inNamespace("team-a")
                                .at(created.resourceVersion(), ListOptions.Match.EXACT))
                        .items())
                .extracting(EncryptionAtRestContract::text)
                .containsExactly("v1 " + password);
        RecordingWatcher replayed = new RecordingWatcher();
        storage.watch(WatchOptions.from(SECRETS, start).inNamespace("team-a"), replayed);
        live.awaitEvents(8);
        replayed.awaitEvents(2);
        assertThat(replayed.values()).containsExactly("v1 " + password, "v2 " + password);
        assertThat(live.values().subList(0, 2)).containsExactly("v1 " + password, "v2 " + password);
        storage.delete(credentials, 0);
        live.awaitEvents(9);
        assertThat(live.events.getLast().type()).isEqualTo(WatchEvent.Type.DELETED);
        assertThat(text(live.events.getLast().object())).isEqualTo("v2 " + password);
        storage.close();

        List<byte[]> rows = everyStoredValue();
        assertThat(rows).noneMatch(row -> contains(row, password));
        assertThat(rows).anyMatch(row -> contains(row, marker)); // other resources are stored as written
        withRows(db -> {
            for (Record record : db.fetch("select \"value\" from \"dbp_objects\" where \"resource\" = 'secrets'")) {
                assertThat(prefix((byte[]) record.get(0))).isEqualTo("k8s:enc:aesgcm:v1:key1:");
            }
        });

        CachingStorage reopened = open(keys.aesgcmThenIdentity("key1"));
        assertThat(text(reopened.get(secret("team-b", "filler-3")).orElseThrow()))
                .isEqualTo("filler " + password);
        assertThat(reopened.get(credentials)).isEmpty();
    }

    @Test
    void aNewFirstKeyWritesNewValuesTheOldOneStillReadsAndTheRewriteMovesEverythingToTheNewOne() {
        String password = distinctive("password");
        CachingStorage first = open(keys.aesgcmThenIdentity("key1"));
        for (int i = 0; i < 3; i++) {
            first.create(secret("team-a", "s" + i), bytes(password + i), Attributes.EMPTY);
        }
        first.close();

        CachingStorage rotated = open(keys.aesgcmThenIdentity("key2", "key1"));
        assertThat(text(rotated.get(secret("team-a", "s1")).orElseThrow())).isEqualTo(password + 1);
        rotated.create(secret("team-a", "s3"), bytes(password + 3), Attributes.EMPTY);
        assertThat(rotated.staleAtRest(0))
                .extracting(found -> found.key().name())
                .containsExactlyInAnyOrder("s0", "s1", "s2");

        EncryptionRewriter.Result result = new EncryptionRewriter(rotated).rewrite();

        assertThat(result).isEqualTo(new EncryptionRewriter.Result(3, 0, 0));
        assertThat(rotated.staleAtRest(0)).isEmpty();
        assertThat(new EncryptionRewriter(rotated).rewrite()).isEqualTo(new EncryptionRewriter.Result(0, 0, 0));
        rotated.compactTo(rotated.currentResourceVersion()); // drops the versions written under key1
        rotated.close();
        for (int i = 0; i < 4; i++) {
            assertThat(prefix(storedValue(secret("team-a", "s" + i)))).isEqualTo("k8s:enc:aesgcm:v1:key2:");
        }
        assertThat(everyStoredValue()).noneMatch(row -> prefix(row).equals("k8s:enc:aesgcm:v1:key1:"));

        CachingStorage withoutKey1 = open(keys.aesgcmOnly("key2"));
        for (int i = 0; i < 4; i++) {
            assertThat(text(withoutKey1.get(secret("team-a", "s" + i)).orElseThrow()))
                    .isEqualTo(password + i);
        }
    }

    @Test
    void encryptionTurnedOnLaterReadsTheOldPlainValuesAndTheRewriteEncryptsThem() {
        String password = distinctive("password");
        CachingStorage plain = open(null);
        plain.create(secret("team-a", "old"), bytes(password), Attributes.EMPTY);
        plain.close();
        assertThat(everyStoredValue()).anyMatch(row -> contains(row, password)); // the control: findable when plain

        CachingStorage encrypting = open(keys.aesgcmThenIdentity("key1"));
        assertThat(text(encrypting.get(secret("team-a", "old")).orElseThrow())).isEqualTo(password);
        assertThat(new EncryptionRewriter(encrypting).rewrite().rewritten()).isEqualTo(1);
        encrypting.compactTo(encrypting.currentResourceVersion());
        encrypting.close();

        assertThat(everyStoredValue()).noneMatch(row -> contains(row, password));
        assertThat(prefix(storedValue(secret("team-a", "old")))).isEqualTo("k8s:enc:aesgcm:v1:key1:");
    }

    @Test
    void identityFirstStillReadsEncryptedValuesAndItsRewriteDecryptsThem() {
        String password = distinctive("password");
        CachingStorage encrypting = open(keys.aesgcmThenIdentity("key1"));
        encrypting.create(secret("team-a", "s"), bytes(password), Attributes.EMPTY);
        encrypting.close();

        CachingStorage decrypting = open(keys.identityThenAesgcm("key1"));
        assertThat(text(decrypting.get(secret("team-a", "s")).orElseThrow())).isEqualTo(password);
        assertThat(new EncryptionRewriter(decrypting).rewrite().rewritten()).isEqualTo(1);
        decrypting.close();

        assertThat(storedValue(secret("team-a", "s"))).isEqualTo(bytes(password));
        CachingStorage plain = open(null);
        assertThat(text(plain.get(secret("team-a", "s")).orElseThrow())).isEqualTo(password);
    }

    @Test
    void alteredCiphertextFailsTheStartNamingTheObject() {
        CachingStorage storage = open(keys.aesgcmThenIdentity("key1"));
        ObjectKey key = secret("team-a", "orders-credentials");
        storage.create(key, bytes(distinctive("password")), Attributes.EMPTY);
        storage.close();
        byte[] stored = storedValue(key);
        stored[stored.length - 1] ^= 0x01;
        replaceStoredValue(key, stored);

        assertThatThrownBy(() -> open(keys.aesgcmThenIdentity("key1")))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessage("stored value of secrets/team-a/orders-credentials cannot be read: it fails AES-GCM"
                        + " authentication under key key1 (the value was altered, or belongs to another object)");
    }

    @Test
    void aValueCopiedFromAnotherSecretDoesNotDecryptAsThisOne() {
        CachingStorage storage = open(keys.aesgcmThenIdentity("key1"));
        ObjectKey mine = secret("team-a", "orders-credentials");
        ObjectKey theirs = secret("team-b", "billing-credentials");
        storage.create(mine, bytes("mine"), Attributes.EMPTY);
        storage.create(theirs, bytes("theirs"), Attributes.EMPTY);
        storage.close();
        replaceStoredValue(mine, storedValue(theirs));

        assertThatThrownBy(() -> open(keys.aesgcmThenIdentity("key1")))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessageContaining("secrets/team-a/orders-credentials")
                .hasMessageContaining("belongs to another object");
    }

    @Test
    void startingWithoutTheConfigurationOrWithoutTheKeyIsRefusedRatherThanServingCiphertext() {
        CachingStorage storage = open(keys.aesgcmThenIdentity("key1"));
        storage.create(secret("team-a", "s"), bytes("x"), Attributes.EMPTY);
        storage.close();

        assertThatThrownBy(() -> open(null))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessageContaining("stored encrypted, but no encryption configuration covers secrets");
        assertThatThrownBy(() -> open(keys.aesgcmThenIdentity("key2")))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessageContaining("stored under aesgcm key key1");
        assertThat(text(open(keys.aesgcmThenIdentity("key1"))
                        .get(secret("team-a", "s"))
                        .orElseThrow()))
                .isEqualTo("x");
    }

    @Test
    void theRewriteNeverUndoesAConcurrentWrite() throws Exception {
        CachingStorage first = open(keys.aesgcmThenIdentity("key1"));
        int count = 40;
        for (int i = 0; i < count; i++) {
            first.create(secret("team-a", "s" + i), bytes("initial"), Attributes.EMPTY);
        }
        first.close();
        CachingStorage rotated = open(keys.aesgcmThenIdentity("key2", "key1"));
        Map<String, String> lastWritten = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int round = 0; !stop.get() && round < 20; round++) {
                for (int i = 0; i < count; i += 3) {
                    String value = "written " + round;
                    rotated.update(secret("team-a", "s" + i), 0, bytes(value), Attributes.EMPTY);
                    lastWritten.put("s" + i, value);
                }
            }
        });

        EncryptionRewriter.Result result = new EncryptionRewriter(rotated).rewrite();
        stop.set(true);
        writer.join(TIMEOUT.toMillis());

        assertThat(result.remaining()).isZero();
        assertThat(rotated.staleAtRest(0)).isEmpty();
        for (int i = 0; i < count; i++) {
            String expected = lastWritten.getOrDefault("s" + i, "initial");
            assertThat(text(rotated.get(secret("team-a", "s" + i)).orElseThrow()))
                    .as("s" + i)
                    .isEqualTo(expected);
        }
    }

    /** Records a watch's events. */
    static final class RecordingWatcher implements Watcher {
        final List<WatchEvent> events = new CopyOnWriteArrayList<>();
        volatile StorageException closed;

        @Override
        public void onEvent(WatchEvent event) {
            if (event.type() != WatchEvent.Type.BOOKMARK) {
                events.add(event);
            }
        }

        @Override
        public void onClose(StorageException cause) {
            closed = cause;
        }

        List<String> values() {
            return events.stream().map(event -> text(event.object())).toList();
        }

        void awaitEvents(int count) throws InterruptedException {
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (events.size() < count) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("waited for " + count + " events, got " + events + ", closed " + closed);
                }
                Thread.sleep(5);
            }
        }
    }
}
