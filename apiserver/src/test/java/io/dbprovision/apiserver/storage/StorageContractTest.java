package io.dbprovision.apiserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.storage.ListOptions.Match;
import io.dbprovision.apiserver.storage.WatchEvent.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract (issue 3), run against every backend by a subclass that says how to open a fresh store and
 * how to reopen it. Everything here must hold for the embedded store and for PostgreSQL alike: the layers above
 * never know which one they talk to.
 */
abstract class StorageContractTest {
    static final String DATABASES = "databases.dbops.dbprovision.io";
    static final String USERS = "databaseusers.dbops.dbprovision.io";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    private final List<CachingStorage> opened = new ArrayList<>();

    /** Opens a new, empty store. */
    protected abstract CachingStorage openFresh(StorageSettings settings);

    /** Opens again the store the last {@link #openFresh} created; the test has closed the earlier instance. */
    protected abstract CachingStorage reopenLast(StorageSettings settings);

    /** Releases what the backend made for the test; every store of the test is closed by then. */
    protected void afterStoresClosed() throws Exception {}

    /** The settings of a plain store of this backend. */
    protected StorageSettings settings() {
        return StorageSettings.defaults();
    }

    @AfterEach
    final void closeStores() throws Exception {
        try {
            for (CachingStorage storage : opened.reversed()) {
                storage.close();
            }
        } finally {
            afterStoresClosed();
        }
    }

    private CachingStorage store() {
        return store(settings());
    }

    private CachingStorage store(StorageSettings settings) {
        CachingStorage storage = openFresh(settings);
        opened.add(storage);
        return storage;
    }

    private CachingStorage reopen() {
        CachingStorage storage = reopenLast(settings());
        opened.add(storage);
        return storage;
    }

    // ---------------------------------------------------------------------------------------------------------
    // create, get, update, delete

    @Test
    void aCreatedObjectReadsBackWithItsValueAttributesAndTheNextVersion() {
        CachingStorage storage = store();
        long before = storage.currentResourceVersion();
        ObjectKey key = db("team-a", "orders");
        Attributes attributes = attributes(key, Map.of("app", "shop", "tier", "gold"), "postgres", "Ready");

        StoredObject created = storage.create(key, bytes("orders v1"), attributes);

        assertThat(created.key()).isEqualTo(key);
        assertThat(created.resourceVersion()).isEqualTo(before + 1);
        assertThat(text(created)).isEqualTo("orders v1");
        assertThat(created.attributes()).isEqualTo(attributes);
        assertThat(view(storage.get(key).orElseThrow())).isEqualTo(view(created));
        assertThat(storage.currentResourceVersion()).isEqualTo(created.resourceVersion());
        assertThat(storage.get(db("team-a", "payments"))).isEmpty();
        assertThat(storage.get(db("team-b", "orders"))).isEmpty();
        assertThat(storage.get(new ObjectKey(USERS, "team-a", "orders"))).isEmpty();
    }

    @Test
    void creatingAnExistingObjectFailsWithAlreadyExistsAndChangesNothing() {
        CachingStorage storage = store();
        ObjectKey key = db("team-a", "orders");
        StoredObject created = storage.create(key, bytes("first"), Attributes.EMPTY);

        assertThatThrownBy(() -> storage.create(key, bytes("second"), Attributes.EMPTY))
                .isInstanceOf(StorageException.AlreadyExists.class)
                .hasMessageContaining("orders");

        assertThat(view(storage.get(key).orElseThrow())).isEqualTo(view(created));
        assertThat(storage.currentResourceVersion()).isEqualTo(created.resourceVersion());
    }

    @Test
    void anUpdateWithTheCurrentVersionReplacesValueAndAttributes() {
        CachingStorage storage = store();
        ObjectKey key = db("team-a", "orders");
        StoredObject v1 = storage.create(key, bytes("v1"), attributes(key, Map.of("app", "shop"), "postgres", ""));
        Attributes newAttributes = attributes(key, Map.of("app", "blog"), "mysql", "Ready");

        StoredObject v2 = storage.update(key, v1.resourceVersion(), bytes("v2"), newAttributes);

        assertThat(v2.resourceVersion()).isEqualTo(v1.resourceVersion() + 1);
        assertThat(view(storage.get(key).orElseThrow()))
                .isEqualTo(new View(key, v2.resourceVersion(), "v2", newAttributes));
    }

    @Test
    void anUpdateWithAStaleVersionFailsWithConflictNamingTheCurrentVersion() {
        CachingStorage storage = store();
        ObjectKey key = db("team-a", "orders");
        StoredObject v1 = storage.create(key, bytes("v1"), Attributes.EMPTY);
        StoredObject v2 = storage.update(key, v1.resourceVersion(), bytes("v2"), Attributes.EMPTY);

        assertThatThrownBy(() -> storage.update(key, v1.resourceVersion(), bytes("lost"), Attributes.EMPTY))
                .isInstanceOfSatisfying(
                        StorageException.Conflict.class,
                        conflict -> assertThat(conflict.actualResourceVersion()).isEqualTo(v2.resourceVersion()));

        assertThat(view(storage.get(key).orElseThrow())).isEqualTo(view(v2));
        assertThat(storage.currentResourceVersion()).isEqualTo(v2.resourceVersion());
    }

    @Test
    void anUpdateWithVersionZeroIsUnconditional() {
        CachingStorage storage = store();
        ObjectKey key = db("team-a", "orders");
        StoredObject v1 = storage.create(key, bytes("v1"), Attributes.EMPTY);
        storage.update(key, v1.resourceVersion(), bytes("v2"), Attributes.EMPTY);

        StoredObject v3 = storage.update(key, 0, bytes("v3"), Attributes.EMPTY);

        assertThat(v3.resourceVersion()).isEqualTo(v1.resourceVersion() + 2);
        assertThat(text(storage.get(key).orElseThrow())).isEqualTo("v3");
    }

    @Test
    void writesToAMissingObjectFailWithNotFound() {
        CachingStorage storage = store();
        ObjectKey key = db("team-a", "ghost");

        assertThatThrownBy(() -> storage.update(key, 0, bytes("x"), Attributes.EMPTY))
                .isInstanceOf(StorageException.NotFound.class)
                .hasMessageContaining("ghost");
        assertThatThrownBy(() -> storage.update(key, 7, bytes("x"), Attributes.EMPTY))
                .isInstanceOf(StorageException.NotFound.class);
        assertThatThrownBy(() -> storage.delete(key, 0)).isInstanceOf(StorageException.NotFound.class);
        assertThatThrownBy(() -> storage.delete(key, 7)).isInstanceOf(StorageException.NotFound.class);
        assertThat(storage.currentResourceVersion()).isZero();
    }

    @Test
    void aDeleteReturnsTheLastValueAtTheDeletingVersionAndTheKeyCanBeCreatedAgain() {
        CachingStorage storage = store();
        ObjectKey key = db("team-a", "orders");
        Attributes attributes = attributes(key, Map.of("app", "shop"), "postgres", "Ready");
        StoredObject v1 = storage.create(key, bytes("v1"), attributes);

        StoredObject deleted = storage.delete(key, v1.resourceVersion());

        assertThat(view(deleted)).isEqualTo(new View(key, v1.resourceVersion() + 1, "v1", attributes));
        assertThat(storage.get(key)).isEmpty();
        assertThat(storage.list(ListOptions.all(DATABASES)).items()).isEmpty();
        assertThatThrownBy(() -> storage.delete(key, 0)).isInstanceOf(StorageException.NotFound.class);
        assertThatThrownBy(() -> storage.update(key, deleted.resourceVersion(), bytes("x"), attributes))
                .isInstanceOf(StorageException.NotFound.class);

        StoredObject again = storage.create(key, bytes("again"), Attributes.EMPTY);
        assertThat(again.resourceVersion()).isEqualTo(deleted.resourceVersion() + 1);
        assertThat(text(storage.get(key).orElseThrow())).isEqualTo("again");
    }

    @Test
    void aDeleteWithAStaleVersionFailsWithConflictAndVersionZeroIsUnconditional() {
        CachingStorage storage = store();
        ObjectKey key = db("team-a", "orders");
        StoredObject v1 = storage.create(key, bytes("v1"), Attributes.EMPTY);
        StoredObject v2 = storage.update(key, v1.resourceVersion(), bytes("v2"), Attributes.EMPTY);

        assertThatThrownBy(() -> storage.delete(key, v1.resourceVersion()))
                .isInstanceOfSatisfying(
                        StorageException.Conflict.class,
                        conflict -> assertThat(conflict.actualResourceVersion()).isEqualTo(v2.resourceVersion()));
        assertThat(view(storage.get(key).orElseThrow())).isEqualTo(view(v2));

        StoredObject deleted = storage.delete(key, 0);
        assertThat(deleted.resourceVersion()).isEqualTo(v2.resourceVersion() + 1);
        assertThat(text(deleted)).isEqualTo("v2");
        assertThat(storage.get(key)).isEmpty();
    }

    @Test
    void everySuccessfulWriteTakesTheNextVersionOfOneCounterAcrossResources() {
        CachingStorage storage = store();
        long start = storage.currentResourceVersion();
        ObjectKey database = db("team-a", "orders");
        ObjectKey user = new ObjectKey(USERS, "team-a", "orders");
        List<Long> versions = new ArrayList<>();

        versions.add(storage.create(database, bytes("d1"), Attributes.EMPTY).resourceVersion());
        versions.add(storage.create(user, bytes("u1"), Attributes.EMPTY).resourceVersion());
        assertThatThrownBy(() -> storage.create(user, bytes("u1"), Attributes.EMPTY))
                .isInstanceOf(StorageException.AlreadyExists.class);
        versions.add(storage.update(database, 0, bytes("d2"), Attributes.EMPTY).resourceVersion());
        assertThatThrownBy(() -> storage.update(user, start + 1, bytes("u2"), Attributes.EMPTY))
                .isInstanceOf(StorageException.Conflict.class);
        versions.add(storage.delete(user, 0).resourceVersion());
        versions.add(storage.create(db("", "cluster-wide"), bytes("c1"), Attributes.EMPTY)
                .resourceVersion());

        assertThat(versions).containsExactly(start + 1, start + 2, start + 3, start + 4, start + 5);
        assertThat(storage.currentResourceVersion()).isEqualTo(start + 5);
    }

    @Test
    void valuesAndAttributesAreKeptByteForByte() {
        CachingStorage storage = store();
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        byte[] large = new byte[300_000];
        new Random(42).nextBytes(large);
        Map<String, String> labels = Map.of("app.kubernetes.io/name", "orders", "empty", "", "tier", "gold");
        Map<String, String> fields = Map.of(
                "metadata.name", "binary",
                "status.message", "déjà vu — 数据库 ✓ \"quoted\" 'single' \\ back\nslash",
                "spec.instanceRef.name", "");
        Attributes attributes = new Attributes(labels, fields);

        storage.create(db("team-a", "binary"), everyByte, attributes);
        storage.create(db("team-a", "empty"), new byte[0], Attributes.EMPTY);
        storage.create(db("team-a", "large"), large, attributes);

        assertThat(storage.get(db("team-a", "binary")).orElseThrow().value()).isEqualTo(everyByte);
        assertThat(storage.get(db("team-a", "binary")).orElseThrow().attributes())
                .isEqualTo(attributes);
        assertThat(storage.get(db("team-a", "empty")).orElseThrow().value()).isEmpty();
        assertThat(storage.get(db("team-a", "empty")).orElseThrow().attributes())
                .isEqualTo(Attributes.EMPTY);
        assertThat(storage.get(db("team-a", "large")).orElseThrow().value()).isEqualTo(large);

        // The same bytes come back from the log: after a restart, and at an older version.
        long at = storage.currentResourceVersion();
        storage.update(db("team-a", "binary"), 0, bytes("replaced"), Attributes.EMPTY);
        List<StoredObject> old =
                storage.list(ListOptions.all(DATABASES).at(at, Match.EXACT)).items();
        assertThat(old).hasSize(3);
        assertThat(old.get(0).value()).isEqualTo(everyByte);
        assertThat(old.get(0).attributes()).isEqualTo(attributes);
        assertThat(old.get(2).value()).isEqualTo(large);
        storage.close();

        CachingStorage reopened = reopen();
        assertThat(reopened.get(db("team-a", "large")).orElseThrow().value()).isEqualTo(large);
        assertThat(reopened.get(db("team-a", "large")).orElseThrow().attributes())
                .isEqualTo(attributes);
        assertThat(reopened.get(db("team-a", "empty")).orElseThrow().value()).isEmpty();
    }

    @Test
    void aReopenedStoreHasEveryObjectItsHistoryAndItsCounter() throws Exception {
        CachingStorage storage = store();
        ObjectKey orders = db("team-a", "orders");
        ObjectKey payments = db("team-b", "payments");
        ObjectKey user = new ObjectKey(USERS, "team-a", "app");
        StoredObject ordersV1 = storage.create(orders, bytes("orders v1"), labelled(orders, "app", "shop"));
        storage.create(payments, bytes("payments v1"), labelled(payments, "app", "shop"));
        storage.create(user, bytes("user v1"), Attributes.EMPTY);
        long middle = storage.currentResourceVersion();
        List<View> atMiddle = views(storage.list(ListOptions.all(DATABASES)).items());
        storage.update(orders, ordersV1.resourceVersion(), bytes("orders v2"), labelled(orders, "app", "blog"));
        storage.delete(payments, 0);
        long last = storage.currentResourceVersion();
        List<View> databases = views(storage.list(ListOptions.all(DATABASES)).items());
        List<View> users = views(storage.list(ListOptions.all(USERS)).items());
        storage.close();

        CachingStorage reopened = reopen();

        assertThat(reopened.currentResourceVersion()).isEqualTo(last);
        assertThat(views(reopened.list(ListOptions.all(DATABASES)).items())).isEqualTo(databases);
        assertThat(views(reopened.list(ListOptions.all(USERS)).items())).isEqualTo(users);
        assertThat(reopened.get(payments)).isEmpty();
        assertThat(text(reopened.get(orders).orElseThrow())).isEqualTo("orders v2");
        assertThat(views(reopened.list(ListOptions.all(DATABASES).at(middle, Match.EXACT))
                        .items()))
                .isEqualTo(atMiddle);
        Recorder watch = new Recorder();
        try (AutoCloseable ignored = reopened.watch(WatchOptions.from(DATABASES, middle), watch)) {
            watch.awaitVersion(last);
            assertThat(watch.summary())
                    .containsExactly("MODIFIED team-a/orders@" + (last - 1), "DELETED team-b/payments@" + last);
        }
        assertThatThrownBy(() -> reopened.create(orders, bytes("x"), Attributes.EMPTY))
                .isInstanceOf(StorageException.AlreadyExists.class);
        assertThat(reopened.create(payments, bytes("payments v2"), Attributes.EMPTY)
                        .resourceVersion())
                .isEqualTo(last + 1);
    }

    @Test
    void concurrentReadModifyWriteUpdatersNeverLoseAnUpdate() throws Exception {
        CachingStorage storage = store();
        ObjectKey key = db("team-a", "counter");
        StoredObject created = storage.create(key, bytes("0"), Attributes.EMPTY);
        int threads = 6;
        int incrementsEach = 20;
        ConcurrentLinkedQueue<long[]> wins = new ConcurrentLinkedQueue<>(); // {expected version, new version}
        AtomicInteger conflicts = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < incrementsEach; i++) {
                        while (true) {
                            StoredObject current = storage.get(key).orElseThrow();
                            long next = Long.parseLong(text(current)) + 1;
                            try {
                                StoredObject updated = storage.update(
                                        key, current.resourceVersion(), bytes(Long.toString(next)), Attributes.EMPTY);
                                wins.add(new long[] {current.resourceVersion(), updated.resourceVersion()});
                                break;
                            } catch (StorageException.Conflict e) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        int total = threads * incrementsEach;
        StoredObject last = storage.get(key).orElseThrow();
        assertThat(text(last)).isEqualTo(Integer.toString(total));
        assertThat(last.resourceVersion() - created.resourceVersion()).isEqualTo(total);
        assertThat(wins).hasSize(total);
        // Exactly one writer won each version: every version from the first to the one before the last was the
        // precondition of exactly one successful update, which wrote the next version.
        List<Long> expected = wins.stream().map(w -> w[0]).sorted().toList();
        List<Long> written = wins.stream().map(w -> w[1]).sorted().toList();
        List<Long> chain = new ArrayList<>();
        for (long rv = created.resourceVersion(); rv < last.resourceVersion(); rv++) {
            chain.add(rv);
        }
        assertThat(expected).isEqualTo(chain);
        assertThat(written).isEqualTo(chain.stream().map(rv -> rv + 1).toList());
        assertThat(wins).allSatisfy(w -> assertThat(w[1]).isEqualTo(w[0] + 1));
    }

    // ---------------------------------------------------------------------------------------------------------
    // list

    @Test
    void aListIsScopedToItsResourceAndNamespaceInKeyOrder() {
        CachingStorage storage = store();
        for (ObjectKey key : List.of(
                db("team-b", "x"),
                db("team-a", "y"),
                db("team-a", "x"),
                db("team-a-2", "x"),
                db("team", "x"),
                new ObjectKey(USERS, "team-a", "x"))) {
            storage.create(key, bytes(key.toString()), Attributes.EMPTY);
        }

        assertThat(keys(storage.list(ListOptions.all(DATABASES))))
                .containsExactly("team/x", "team-a/x", "team-a/y", "team-a-2/x", "team-b/x");
        assertThat(keys(storage.list(ListOptions.all(DATABASES).inNamespace("team-a"))))
                .containsExactly("team-a/x", "team-a/y");
        assertThat(keys(storage.list(ListOptions.all(DATABASES).inNamespace("team"))))
                .containsExactly("team/x");
        assertThat(keys(storage.list(ListOptions.all(DATABASES).inNamespace("nobody"))))
                .isEmpty();
        assertThat(keys(storage.list(ListOptions.all(USERS)))).containsExactly("team-a/x");
        ListResult unknown = storage.list(ListOptions.all("unknowns.example.io"));
        assertThat(unknown.items()).isEmpty();
        assertThat(unknown.resourceVersion()).isEqualTo(storage.currentResourceVersion());
        assertThat(unknown.continueToken()).isEmpty();
    }

    @Test
    void aListFiltersByLabelSelectorsOfTheWholeGrammar() {
        CachingStorage storage = store();
        create(storage, "a", Map.of("app", "shop", "tier", "gold", "env", "prod"));
        create(storage, "b", Map.of("app", "shop", "tier", "silver"));
        create(storage, "c", Map.of("app", "blog", "env", "dev"));
        create(storage, "d", Map.of());
        create(storage, "e", Map.of("app", "shop", "env", ""));
        create(storage, "f", Map.of("app.kubernetes.io/name", "orders", "replicas", "3"));

        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("", List.of("a", "b", "c", "d", "e", "f"));
        expected.put("app=shop", List.of("a", "b", "e"));
        expected.put("app==shop", List.of("a", "b", "e"));
        expected.put("app!=shop", List.of("c", "d", "f"));
        expected.put("app in (shop, blog)", List.of("a", "b", "c", "e"));
        expected.put("app notin (shop)", List.of("c", "d", "f"));
        expected.put("env", List.of("a", "c", "e"));
        expected.put("!env", List.of("b", "d", "f"));
        expected.put("env=", List.of("e"));
        expected.put("app=shop,env", List.of("a", "e"));
        expected.put("app=shop, !env", List.of("b"));
        expected.put("tier in (gold,silver),app=shop,env notin (dev)", List.of("a", "b"));
        expected.put("app.kubernetes.io/name=orders", List.of("f"));
        expected.put("replicas>2", List.of("f"));
        expected.put("replicas<3", List.of());
        expected.put("app=none", List.of());
        for (Map.Entry<String, List<String>> entry : expected.entrySet()) {
            Selector selector = new Selector(LabelSelector.parse(entry.getKey()), FieldSelector.everything());
            assertThat(names(storage.list(ListOptions.all(DATABASES).withSelector(selector))))
                    .as("label selector %s", entry.getKey())
                    .isEqualTo(entry.getValue());
        }
    }

    @Test
    void aListFiltersByFieldSelectorsOnNameNamespaceAndKindFields() {
        CachingStorage storage = store();
        createWithFields(storage, db("team-a", "a"), "postgres", "Ready", "main", Map.of("app", "shop"));
        createWithFields(storage, db("team-a", "b"), "mysql", "Pending", "main", Map.of("app", "shop"));
        createWithFields(storage, db("team-b", "a"), "postgres", "Failed", "other", Map.of("app", "blog"));
        createWithFields(storage, db("team-b", "c"), "postgres", "", "other", Map.of());

        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("metadata.name=a", List.of("team-a/a", "team-b/a"));
        expected.put("metadata.name!=a", List.of("team-a/b", "team-b/c"));
        expected.put("metadata.namespace=team-b", List.of("team-b/a", "team-b/c"));
        expected.put("metadata.namespace==team-a,metadata.name=b", List.of("team-a/b"));
        expected.put("spec.engine=postgres", List.of("team-a/a", "team-b/a", "team-b/c"));
        expected.put("spec.engine=postgres,status.phase!=Ready", List.of("team-b/a", "team-b/c"));
        expected.put("status.phase=", List.of("team-b/c"));
        expected.put("spec.instanceRef.name=main", List.of("team-a/a", "team-a/b"));
        expected.put("spec.engine=cockroachdb", List.of());
        for (Map.Entry<String, List<String>> entry : expected.entrySet()) {
            Selector selector = new Selector(LabelSelector.everything(), FieldSelector.parse(entry.getKey()));
            assertThat(keys(storage.list(ListOptions.all(DATABASES).withSelector(selector))))
                    .as("field selector %s", entry.getKey())
                    .isEqualTo(entry.getValue());
        }
        Selector both = new Selector(LabelSelector.parse("app=shop"), FieldSelector.parse("spec.engine=postgres"));
        assertThat(keys(storage.list(ListOptions.all(DATABASES).withSelector(both))))
                .containsExactly("team-a/a");
        assertThat(keys(storage.list(ListOptions.all(DATABASES)
                        .inNamespace("team-b")
                        .withSelector(selector("", "spec.engine=postgres")))))
                .containsExactly("team-b/a", "team-b/c");
    }

    @Test
    void pagesWithoutWritesBetweenThemReturnEveryObjectOnceWithTheRemainingCount() {
        CachingStorage storage = store();
        List<String> expected = new ArrayList<>();
        for (String namespace : List.of("team-a", "team-b")) {
            for (String name : trickyNames()) {
                storage.create(db(namespace, name), bytes(name), labelled(db(namespace, name), "app", "shop"));
                expected.add(namespace + "/" + name);
            }
        }
        storage.create(db("team-a", "zz-blog"), bytes("blog"), labelled(db("team-a", "zz-blog"), "app", "blog"));
        Collections.sort(expected);

        List<ListResult> pages = pages(storage, ListOptions.all(DATABASES).withSelector(selector("app=shop", "")), 7);

        assertThat(pages.stream().flatMap(p -> keys(p).stream()).toList()).isEqualTo(expected);
        assertThat(pages)
                .allSatisfy(p -> assertThat(p.resourceVersion())
                        .isEqualTo(pages.getFirst().resourceVersion()));
        assertThat(pages.getFirst().remainingItemCount()).isEqualTo(expected.size() - 7);
        for (int i = 0; i < pages.size(); i++) {
            ListResult page = pages.get(i);
            long after = expected.size() - 7L * (i + 1);
            if (after > 0) {
                assertThat(page.items()).hasSize(7);
                assertThat(page.continueToken()).isNotEmpty();
                assertThat(page.remainingItemCount()).isIn(-1L, after);
            } else {
                assertThat(page.continueToken()).isEmpty();
            }
        }
        List<ListResult> teamB = pages(storage, ListOptions.all(DATABASES).inNamespace("team-b"), 5);
        assertThat(teamB.stream().flatMap(p -> keys(p).stream()).toList())
                .isEqualTo(
                        expected.stream().filter(k -> k.startsWith("team-b/")).toList());
    }

    @Test
    void pagesStayPinnedToTheFirstPagesVersionWhileObjectsChangeBetweenThem() {
        CachingStorage storage = store();
        Map<String, View> initial = new TreeMap<>();
        for (String name : trickyNames()) {
            ObjectKey key = db("team-a", name);
            initial.put("team-a/" + name, view(storage.create(key, bytes(name + " v1"), Attributes.EMPTY)));
        }
        storage.create(db("team-b", "elsewhere"), bytes("x"), Attributes.EMPTY);
        List<String> order = new ArrayList<>(initial.keySet());
        ListOptions options = ListOptions.all(DATABASES).inNamespace("team-a");

        ListResult first = storage.list(options.withLimit(8, ""));
        assertThat(first.items()).hasSize(8);
        assertThat(first.remainingItemCount()).isEqualTo(order.size() - 8);
        List<ListResult> pages = new ArrayList<>(List.of(first));
        String token = first.continueToken();
        int round = 0;
        while (!token.isEmpty()) {
            // Change objects on every page, before and after the cursor, and add and remove some.
            String onFirstPage = order.get(round % 8);
            String ahead = order.get(Math.min(order.size() - 1, 8 * (round + 1) + 2));
            storage.update(db("team-a", onFirstPage.substring(7)), 0, bytes("changed"), Attributes.EMPTY);
            storage.update(db("team-a", ahead.substring(7)), 0, bytes("changed"), Attributes.EMPTY);
            storage.create(db("team-a", "new-" + round), bytes("new"), Attributes.EMPTY);
            storage.create(db("team-a", "a" + round + "-late"), bytes("new"), Attributes.EMPTY);
            if (round == 0) {
                storage.delete(db("team-a", order.get(12).substring(7)), 0);
            }
            ListResult page = storage.list(options.withLimit(8, token));
            pages.add(page);
            token = page.continueToken();
            round++;
        }

        assertThat(pages).allSatisfy(p -> assertThat(p.resourceVersion()).isEqualTo(first.resourceVersion()));
        List<View> seen = pages.stream().flatMap(p -> views(p.items()).stream()).toList();
        assertThat(seen).isEqualTo(new ArrayList<>(initial.values()));
    }

    @Test
    void aPagedListFromTheLogSkipsNonMatchingObjectsAcrossReadChunks() throws Exception {
        CachingStorage storage = store();
        List<ObjectKey> keys = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            keys.add(db("team-a", String.format("obj-%03d", i)));
        }
        createAll(storage, keys, key -> labelled(key, "app", key.name().endsWith("7") ? "shop" : "blog"));
        long at = storage.currentResourceVersion();
        storage.create(db("team-a", "obj-9999"), bytes("later"), labelled(db("team-a", "obj-9999"), "app", "shop"));

        List<ListResult> pages = pages(
                storage,
                ListOptions.all(DATABASES)
                        .withSelector(selector("app=shop", ""))
                        .at(at, Match.EXACT),
                4);

        assertThat(pages.stream().flatMap(p -> names(p).stream()).toList())
                .isEqualTo(keys.stream()
                        .map(ObjectKey::name)
                        .filter(n -> n.endsWith("7"))
                        .toList());
        assertThat(pages).allSatisfy(p -> assertThat(p.resourceVersion()).isEqualTo(at));
    }

    @Test
    void aListAtAnExactOlderVersionIsTheStateAtThatVersion() {
        CachingStorage storage = store();
        ObjectKey a = db("team-a", "a");
        ObjectKey b = db("team-a", "b");
        ObjectKey c = db("team-b", "c");
        StoredObject a1 = storage.create(a, bytes("a1"), labelled(a, "app", "shop"));
        StoredObject b1 = storage.create(b, bytes("b1"), labelled(b, "app", "shop"));
        StoredObject c1 = storage.create(c, bytes("c1"), labelled(c, "app", "blog"));
        long at = storage.currentResourceVersion();
        storage.update(a, 0, bytes("a2"), labelled(a, "app", "blog"));
        storage.delete(b, 0);
        storage.create(db("team-a", "0-new"), bytes("new"), labelled(db("team-a", "0-new"), "app", "shop"));
        storage.update(c, 0, bytes("c2"), labelled(c, "app", "shop"));

        ListResult old = storage.list(ListOptions.all(DATABASES).at(at, Match.EXACT));
        assertThat(old.resourceVersion()).isEqualTo(at);
        assertThat(views(old.items())).containsExactly(view(a1), view(b1), view(c1));
        assertThat(views(storage.list(ListOptions.all(DATABASES)
                                .withSelector(selector("app=shop", ""))
                                .at(at, Match.EXACT))
                        .items()))
                .containsExactly(view(a1), view(b1));
        assertThat(views(storage.list(
                                ListOptions.all(DATABASES).inNamespace("team-b").at(at, Match.EXACT))
                        .items()))
                .containsExactly(view(c1));
        List<ListResult> pages = pages(storage, ListOptions.all(DATABASES).at(at, Match.EXACT), 2);
        assertThat(pages).hasSize(2);
        assertThat(pages.stream().flatMap(p -> views(p.items()).stream()).toList())
                .containsExactly(view(a1), view(b1), view(c1));
        assertThat(pages).allSatisfy(p -> assertThat(p.resourceVersion()).isEqualTo(at));
        assertThat(views(storage.list(ListOptions.all(DATABASES).at(at - 2, Match.EXACT))
                        .items()))
                .containsExactly(view(a1));

        long now = storage.currentResourceVersion();
        ListResult current = storage.list(ListOptions.all(DATABASES).at(now, Match.EXACT));
        assertThat(current.resourceVersion()).isEqualTo(now);
        assertThat(keys(current)).containsExactly("team-a/0-new", "team-a/a", "team-b/c");
    }

    @Test
    void aListNotOlderThanAVersionReadsAtLeastThatNewAState() {
        CachingStorage storage = store();
        storage.create(db("team-a", "a"), bytes("a"), Attributes.EMPTY);
        long old = storage.currentResourceVersion();
        storage.create(db("team-a", "b"), bytes("b"), Attributes.EMPTY);
        long now = storage.currentResourceVersion();

        for (long rv : List.of(0L, old, now)) {
            ListResult result = storage.list(ListOptions.all(DATABASES).at(rv, Match.NOT_OLDER_THAN));
            assertThat(result.resourceVersion()).as("not older than %s", rv).isGreaterThanOrEqualTo(Math.max(rv, now));
            assertThat(keys(result)).containsExactly("team-a/a", "team-a/b");
        }
        ListResult latest = storage.list(ListOptions.all(DATABASES));
        assertThat(latest.resourceVersion()).isEqualTo(now);
    }

    @Test
    void aVersionTheStoreHasNotReachedIsRefusedRatherThanServedAsIfItExisted() {
        CachingStorage storage = store();
        storage.create(db("team-a", "a"), bytes("a"), Attributes.EMPTY);
        long future = storage.currentResourceVersion() + 100;

        assertThatThrownBy(() -> storage.list(ListOptions.all(DATABASES).at(future, Match.EXACT)))
                .isInstanceOf(StorageException.TooLargeResourceVersion.class)
                .hasMessageContaining("too large resource version");
        assertThatThrownBy(() -> storage.list(ListOptions.all(DATABASES).at(future, Match.NOT_OLDER_THAN)))
                .isInstanceOf(StorageException.TooLargeResourceVersion.class)
                .hasMessageContaining("too large resource version");
        assertThatThrownBy(() -> storage.watch(WatchOptions.from(DATABASES, future), new Recorder()))
                .isInstanceOf(StorageException.TooLargeResourceVersion.class)
                .hasMessageContaining("too large resource version");
    }

    @Test
    void listsAndWatchesOfCompactedVersionsFailWithExpired() throws Exception {
        CachingStorage storage = store(settings().withRecentChanges(1));
        ObjectKey a = db("team-a", "a");
        ObjectKey b = db("team-a", "b");
        ObjectKey c = db("team-a", "c");
        StoredObject a1 = storage.create(a, bytes("a1"), labelled(a, "app", "shop"));
        StoredObject c2 = storage.create(c, bytes("c2"), labelled(c, "app", "blog"));
        ListResult firstPage = storage.list(ListOptions.all(DATABASES).withLimit(1, ""));
        StoredObject a3 = storage.update(a, 0, bytes("a3"), labelled(a, "app", "shop"));
        StoredObject b4 = storage.create(b, bytes("b4"), labelled(b, "app", "shop"));
        StoredObject b5 = storage.delete(b, 0);
        StoredObject a6 = storage.update(a, 0, bytes("a6"), labelled(a, "app", "blog"));
        long compacted = b4.resourceVersion();

        storage.compactTo(compacted);

        assertThatThrownBy(() -> storage.list(ListOptions.all(DATABASES).at(a3.resourceVersion(), Match.EXACT)))
                .isInstanceOfSatisfying(StorageException.Expired.class, e -> {
                    assertThat(e.requested()).isEqualTo(a3.resourceVersion());
                    assertThat(e.oldest()).isEqualTo(compacted);
                });
        assertThatThrownBy(() -> storage.list(ListOptions.all(DATABASES).at(a1.resourceVersion(), Match.EXACT)))
                .isInstanceOf(StorageException.Expired.class);
        assertThat(firstPage.resourceVersion()).isEqualTo(c2.resourceVersion());
        assertThatThrownBy(() -> storage.list(ListOptions.all(DATABASES).withLimit(1, firstPage.continueToken())))
                .isInstanceOf(StorageException.Expired.class);
        assertThatThrownBy(() -> storage.watch(WatchOptions.from(DATABASES, a3.resourceVersion()), new Recorder()))
                .isInstanceOf(StorageException.Expired.class);

        // The compacted version itself and everything after it stay readable.
        assertThat(views(storage.list(ListOptions.all(DATABASES).at(compacted, Match.EXACT))
                        .items()))
                .containsExactly(view(a3), view(b4), view(c2));
        assertThat(views(storage.list(ListOptions.all(DATABASES).at(b5.resourceVersion(), Match.EXACT))
                        .items()))
                .containsExactly(view(a3), view(c2));
        Recorder watch = new Recorder();
        try (AutoCloseable ignored =
                storage.watch(WatchOptions.from(DATABASES, compacted).withSelector(selector("app=shop", "")), watch)) {
            watch.awaitVersion(a6.resourceVersion());
            assertThat(watch.summary())
                    .containsExactly(
                            "DELETED team-a/b@" + b5.resourceVersion(), "DELETED team-a/a@" + a6.resourceVersion());
        }
        // A watch that starts with the initial state needs no history.
        Recorder initial = new Recorder();
        try (AutoCloseable ignored =
                storage.watch(WatchOptions.from(DATABASES, a1.resourceVersion()).withInitialEvents(), initial)) {
            initial.awaitSize(3);
            assertThat(initial.summary())
                    .containsExactly(
                            "ADDED team-a/a@" + a6.resourceVersion(),
                            "ADDED team-a/c@" + c2.resourceVersion(),
                            "BOOKMARK@" + a6.resourceVersion());
        }
    }

    @Test
    void historyOlderThanTheWindowIsCompactedInTheBackground() throws Exception {
        CachingStorage storage = store(settings().withHistoryWindow(Duration.ofMillis(100), Duration.ofMillis(20)));
        ObjectKey a = db("team-a", "a");
        StoredObject a1 = storage.create(a, bytes("a1"), Attributes.EMPTY);
        StoredObject a2 = storage.update(a, 0, bytes("a2"), Attributes.EMPTY);
        StoredObject b3 = storage.create(db("team-a", "b"), bytes("b3"), Attributes.EMPTY);

        await("the history before " + b3.resourceVersion() + " to be compacted", () -> {
            try {
                storage.list(ListOptions.all(DATABASES).at(a1.resourceVersion(), Match.EXACT));
                return false;
            } catch (StorageException.Expired expected) {
                return true;
            }
        });

        assertThat(views(storage.list(ListOptions.all(DATABASES)).items())).containsExactly(view(a2), view(b3));
        assertThat(views(storage.list(ListOptions.all(DATABASES).at(b3.resourceVersion(), Match.EXACT))
                        .items()))
                .containsExactly(view(a2), view(b3));
        Recorder watch = new Recorder();
        try (AutoCloseable ignored = storage.watch(WatchOptions.from(DATABASES, b3.resourceVersion()), watch)) {
            long next = storage.update(a, 0, bytes("a4"), Attributes.EMPTY).resourceVersion();
            watch.awaitVersion(next);
            assertThat(watch.summary()).containsExactly("MODIFIED team-a/a@" + next);
        }
        assertThat(storage.isHealthy()).isTrue();
    }

    @Test
    void aMalformedContinueTokenIsRejectedAsABadRequest() {
        CachingStorage storage = store();
        storage.create(db("team-a", "a"), bytes("a"), Attributes.EMPTY);

        for (String token : List.of("not a token", "bm9uc2Vuc2U", "%%%")) {
            assertThatThrownBy(() -> storage.list(ListOptions.all(DATABASES).withLimit(1, token)))
                    .as(token)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("continue");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // watch

    /**
     * A write is answered once it is durable and readable, not after its watchers have it: with a thousand watchers
     * feeding them took longer than the commit. Here a watcher holds the feed (its {@code onEvent} does not return)
     * and the writer is answered all the same; the watcher then gets the event, once.
     */
    @Test
    void aWriteIsAnsweredWhileItsWatchersAreStillBeingFed() throws Exception {
        CachingStorage storage = store();
        CountDownLatch inFeed = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recorder events = new Recorder();
        InlineWatcher holding = new InlineWatcher() {
            @Override
            public void onEvent(WatchEvent event) {
                inFeed.countDown();
                try {
                    release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                events.onEvent(event);
            }

            @Override
            public void onClose(StorageException cause) {
                events.onClose(cause);
            }

            @Override
            public int waiting() {
                return 0;
            }

            @Override
            public long taken() {
                return events.events().size();
            }
        };
        ObjectKey key = db("team-a", "orders");
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (AutoCloseable ignored =
                storage.watch(WatchOptions.from(DATABASES, storage.currentResourceVersion()), holding)) {
            Future<StoredObject> create = writer.submit(() -> storage.create(key, bytes("v1"), Attributes.EMPTY));
            assertThat(inFeed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            StoredObject created = create.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS); // while the feed is held
            assertThat(storage.get(key)).map(StoredObject::resourceVersion).contains(created.resourceVersion());
            assertThat(events.events()).isEmpty();

            release.countDown();
            events.awaitVersion(created.resourceVersion());
            assertThat(events.changes()).containsExactly("ADDED team-a/orders@" + created.resourceVersion());
        } finally {
            release.countDown();
            writer.shutdownNow();
        }
    }

    @Test
    void aWatchFromNowSeesEveryLaterChangeInOrderAndNothingEarlier() throws Exception {
        CachingStorage storage = store();
        ObjectKey a = db("team-a", "a");
        ObjectKey b = db("team-a", "b");
        StoredObject a1 = storage.create(a, bytes("a1"), Attributes.EMPTY);
        Recorder watch = new Recorder();
        try (AutoCloseable ignored = storage.watch(WatchOptions.from(DATABASES, 0), watch)) {
            StoredObject b1 = storage.create(b, bytes("b1"), Attributes.EMPTY);
            StoredObject a2 = storage.update(a, a1.resourceVersion(), bytes("a2"), Attributes.EMPTY);
            storage.create(new ObjectKey(USERS, "team-a", "a"), bytes("other resource"), Attributes.EMPTY);
            StoredObject deleted = storage.delete(b, 0);

            watch.awaitVersion(deleted.resourceVersion());
            assertThat(watch.events()).hasSize(3);
            assertThat(watch.events().get(0).type()).isEqualTo(Type.ADDED);
            assertThat(view(watch.events().get(0).object())).isEqualTo(view(b1));
            assertThat(watch.events().get(1).type()).isEqualTo(Type.MODIFIED);
            assertThat(view(watch.events().get(1).object())).isEqualTo(view(a2));
            assertThat(watch.events().get(2).type()).isEqualTo(Type.DELETED);
            assertThat(view(watch.events().get(2).object())).isEqualTo(view(deleted));
            assertThat(watch.events())
                    .extracting(WatchEvent::resourceVersion)
                    .containsExactly(b1.resourceVersion(), a2.resourceVersion(), deleted.resourceVersion());
        }
        assertThat(watch.awaitClose()).isNull();
    }

    @Test
    void aWatchFromAVersionInTheRecentWindowReplaysWhatFollowedIt() throws Exception {
        replaysWhatFollowedAVersion(settings());
    }

    @Test
    void aWatchFromAVersionOlderThanTheRecentWindowReplaysFromTheLog() throws Exception {
        replaysWhatFollowedAVersion(settings().withRecentChanges(2));
    }

    private void replaysWhatFollowedAVersion(StorageSettings settings) throws Exception {
        CachingStorage storage = store(settings);
        ObjectKey a = db("team-a", "a");
        ObjectKey b = db("team-a", "b");
        ObjectKey c = db("team-a", "c");
        ObjectKey other = db("team-b", "a");
        storage.create(a, bytes("a"), labelled(a, "app", "shop"));
        storage.create(b, bytes("b"), labelled(b, "app", "shop"));
        storage.create(c, bytes("c"), labelled(c, "app", "blog"));
        long since = storage.currentResourceVersion();
        storage.update(a, 0, bytes("a"), labelled(a, "app", "blog")); // leaves app=shop
        storage.update(c, 0, bytes("c"), labelled(c, "app", "shop")); // enters
        storage.update(b, 0, bytes("b"), labelled(b, "app", "shop")); // stays
        storage.create(other, bytes("other"), labelled(other, "app", "shop"));
        storage.delete(b, 0);
        storage.delete(c, 0);
        storage.update(a, 0, bytes("a"), labelled(a, "app", "shop")); // enters again
        long r = since;

        Recorder all = new Recorder();
        Recorder shop = new Recorder();
        Recorder teamA = new Recorder();
        try (AutoCloseable w1 = storage.watch(WatchOptions.from(DATABASES, since), all);
                AutoCloseable w2 = storage.watch(
                        WatchOptions.from(DATABASES, since).withSelector(selector("app=shop", "")), shop);
                AutoCloseable w3 =
                        storage.watch(WatchOptions.from(DATABASES, since).inNamespace("team-a"), teamA)) {
            ObjectKey d = db("team-a", "d");
            long live =
                    storage.create(d, bytes("d"), labelled(d, "app", "shop")).resourceVersion();

            all.awaitVersion(live);
            shop.awaitVersion(live);
            teamA.awaitVersion(live);
            assertThat(all.summary())
                    .containsExactly(
                            "MODIFIED team-a/a@" + (r + 1),
                            "MODIFIED team-a/c@" + (r + 2),
                            "MODIFIED team-a/b@" + (r + 3),
                            "ADDED team-b/a@" + (r + 4),
                            "DELETED team-a/b@" + (r + 5),
                            "DELETED team-a/c@" + (r + 6),
                            "MODIFIED team-a/a@" + (r + 7),
                            "ADDED team-a/d@" + live);
            assertThat(shop.summary())
                    .containsExactly(
                            "DELETED team-a/a@" + (r + 1),
                            "ADDED team-a/c@" + (r + 2),
                            "MODIFIED team-a/b@" + (r + 3),
                            "ADDED team-b/a@" + (r + 4),
                            "DELETED team-a/b@" + (r + 5),
                            "DELETED team-a/c@" + (r + 6),
                            "ADDED team-a/a@" + (r + 7),
                            "ADDED team-a/d@" + live);
            assertThat(teamA.summary())
                    .containsExactly(
                            "MODIFIED team-a/a@" + (r + 1),
                            "MODIFIED team-a/c@" + (r + 2),
                            "MODIFIED team-a/b@" + (r + 3),
                            "DELETED team-a/b@" + (r + 5),
                            "DELETED team-a/c@" + (r + 6),
                            "MODIFIED team-a/a@" + (r + 7),
                            "ADDED team-a/d@" + live);
            // A deletion carries the object's last value.
            assertThat(text(all.events().get(4).object())).isEqualTo("b");
            assertThat(all.events().get(4).object().attributes()).isEqualTo(labelled(b, "app", "shop"));
        }
    }

    @Test
    void aWatchWithInitialEventsSendsEveryMatchingObjectThenABookmarkThenChanges() throws Exception {
        CachingStorage storage = store();
        ObjectKey a = db("team-a", "a");
        ObjectKey b = db("team-a", "b");
        StoredObject b1 = storage.create(b, bytes("b"), labelled(b, "app", "shop"));
        StoredObject a1 = storage.create(a, bytes("a"), labelled(a, "app", "shop"));
        storage.create(db("team-a", "c"), bytes("c"), labelled(db("team-a", "c"), "app", "blog"));
        storage.create(db("team-b", "a"), bytes("x"), labelled(db("team-b", "a"), "app", "shop"));
        long at = storage.currentResourceVersion();

        Recorder watch = new Recorder();
        Recorder empty = new Recorder();
        try (AutoCloseable w1 = storage.watch(
                        WatchOptions.from(DATABASES, 0)
                                .inNamespace("team-a")
                                .withSelector(selector("app=shop", ""))
                                .withInitialEvents(),
                        watch);
                AutoCloseable w2 = storage.watch(WatchOptions.from(USERS, 0).withInitialEvents(), empty)) {
            watch.awaitSize(3);
            ObjectKey d = db("team-a", "d");
            long live =
                    storage.create(d, bytes("d"), labelled(d, "app", "shop")).resourceVersion();
            watch.awaitVersion(live);

            assertThat(watch.summary())
                    .containsExactly(
                            "ADDED team-a/a@" + a1.resourceVersion(),
                            "ADDED team-a/b@" + b1.resourceVersion(),
                            "BOOKMARK@" + at,
                            "ADDED team-a/d@" + live);
            assertThat(view(watch.events().getFirst().object())).isEqualTo(view(a1));
            empty.awaitSize(1);
            assertThat(empty.summary()).containsExactly("BOOKMARK@" + at);
        }
    }

    @Test
    void aWatchThatAsksForBookmarksHearsOfVersionsItsSelectorFilteredOut() throws Exception {
        CachingStorage storage = store(settings().withBookmarkInterval(Duration.ofMillis(20)));
        Recorder withBookmarks = new Recorder();
        Recorder without = new Recorder();
        try (AutoCloseable w1 = storage.watch(
                        WatchOptions.from(DATABASES, 0)
                                .withSelector(selector("app=shop", ""))
                                .withBookmarks(),
                        withBookmarks);
                AutoCloseable w2 = storage.watch(
                        WatchOptions.from(DATABASES, 0).withSelector(selector("app=shop", "")), without)) {
            ObjectKey blog = db("team-a", "blog");
            long filtered = storage.create(blog, bytes("x"), labelled(blog, "app", "blog"))
                    .resourceVersion();
            withBookmarks.awaitVersion(filtered);
            assertThat(withBookmarks.events())
                    .allSatisfy(e -> assertThat(e.type()).isEqualTo(Type.BOOKMARK));

            ObjectKey shop = db("team-a", "shop");
            long matching = storage.create(shop, bytes("x"), labelled(shop, "app", "shop"))
                    .resourceVersion();
            without.awaitVersion(matching);
            withBookmarks.awaitVersion(matching);
            assertThat(without.summary()).containsExactly("ADDED team-a/shop@" + matching);
            assertThat(withBookmarks.changes()).containsExactly("ADDED team-a/shop@" + matching);
            assertThat(withBookmarks.events())
                    .extracting(WatchEvent::resourceVersion)
                    .isSorted();
        }
    }

    @Test
    void aSelectorFilteredWatchSeesObjectsEnterAndLeaveItsView() throws Exception {
        CachingStorage storage = store();
        ObjectKey a = db("team-a", "a");
        Recorder watch = new Recorder();
        try (AutoCloseable ignored = storage.watch(
                WatchOptions.from(DATABASES, 0)
                        .inNamespace("team-a")
                        .withSelector(selector("app=shop", "status.phase=Ready")),
                watch)) {
            long created = storage.create(a, bytes("a"), attributes(a, Map.of("app", "shop"), "postgres", "Pending"))
                    .resourceVersion();
            long ready = storage.update(a, 0, bytes("a"), attributes(a, Map.of("app", "shop"), "postgres", "Ready"))
                    .resourceVersion();
            long changed = storage.update(a, 0, bytes("a2"), attributes(a, Map.of("app", "shop"), "postgres", "Ready"))
                    .resourceVersion();
            long relabelled = storage.update(
                            a, 0, bytes("a3"), attributes(a, Map.of("app", "blog"), "postgres", "Ready"))
                    .resourceVersion();
            long outside = storage.update(a, 0, bytes("a4"), attributes(a, Map.of("app", "blog"), "mysql", "Ready"))
                    .resourceVersion();
            long back = storage.update(a, 0, bytes("a5"), attributes(a, Map.of("app", "shop"), "postgres", "Ready"))
                    .resourceVersion();
            ObjectKey elsewhere = db("team-b", "a");
            storage.create(elsewhere, bytes("b"), attributes(elsewhere, Map.of("app", "shop"), "postgres", "Ready"));
            long deleted = storage.delete(a, 0).resourceVersion();

            watch.awaitVersion(deleted);
            assertThat(created).isLessThan(ready);
            assertThat(outside).isLessThan(back);
            assertThat(watch.summary())
                    .containsExactly(
                            "ADDED team-a/a@" + ready,
                            "MODIFIED team-a/a@" + changed,
                            "DELETED team-a/a@" + relabelled,
                            "ADDED team-a/a@" + back,
                            "DELETED team-a/a@" + deleted);
            assertThat(text(watch.events().get(3).object())).isEqualTo("a5");
        }
    }

    @Test
    void aSlowWatcherIsCutOffAsFallenBehindWhileAFastOneOnTheSameResourceGetsEverything() throws Exception {
        CachingStorage storage = store(settings().withWatcherQueue(8));
        CountDownLatch release = new CountDownLatch(1);
        Recorder slow = new Recorder() {
            @Override
            public void onEvent(WatchEvent event) {
                super.onEvent(event);
                try {
                    release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Recorder fast = new Recorder();
        AutoCloseable slowWatch = storage.watch(WatchOptions.from(DATABASES, 0), slow);
        try (AutoCloseable ignored = storage.watch(WatchOptions.from(DATABASES, 0), fast)) {
            long last = 0;
            for (int i = 0; i < 40; i++) {
                last = storage.create(db("team-a", "o" + i), bytes("x"), Attributes.EMPTY)
                        .resourceVersion();
                // Paced by the fast watcher: on a loaded machine its thread may not run between back-to-back
                // creates, and this test is about a watcher that does not keep up, not one the scheduler starved.
                fast.awaitVersion(last);
            }
            release.countDown();

            StorageException cause = slow.awaitClose();
            assertThat(cause).isInstanceOf(StorageException.FellBehind.class);
            assertThat(cause.getMessage()).contains("too far behind");
            assertThat(slow.events().size()).isLessThan(40);
            assertThat(fast.summary()).startsWith(slow.summary().toArray(String[]::new));

            long after = storage.create(db("team-a", "after"), bytes("x"), Attributes.EMPTY)
                    .resourceVersion();
            fast.awaitVersion(after);
            assertThat(fast.summary()).hasSize(41);
            assertThat(fast.closed()).isFalse();
            await("the cut-off watch to be dropped", () -> storage.watcherCount() == 1);
        } finally {
            release.countDown();
            slowWatch.close();
        }
    }

    @Test
    void closingAWatchEndsItCleanlyAndClosingTheStoreEndsEveryWatch() throws Exception {
        CachingStorage storage = store();
        Recorder closedByCaller = new Recorder();
        Recorder closedByStore = new Recorder();
        Recorder withInitial = new Recorder();
        storage.create(db("team-a", "a"), bytes("a"), Attributes.EMPTY);
        AutoCloseable first = storage.watch(WatchOptions.from(DATABASES, 0), closedByCaller);
        storage.watch(WatchOptions.from(DATABASES, 0), closedByStore);
        storage.watch(WatchOptions.from(DATABASES, 0).withInitialEvents(), withInitial);
        long rv =
                storage.create(db("team-a", "b"), bytes("b"), Attributes.EMPTY).resourceVersion();
        closedByCaller.awaitVersion(rv);

        first.close();
        assertThat(closedByCaller.awaitClose()).isNull();
        storage.create(db("team-a", "c"), bytes("c"), Attributes.EMPTY);
        await("the closed watch to be dropped", () -> storage.watcherCount() == 2);
        assertThat(closedByCaller.summary()).containsExactly("ADDED team-a/b@" + rv);

        storage.close();
        assertThat(closedByStore.awaitClose()).isNull();
        assertThat(withInitial.awaitClose()).isNull();
        assertThat(closedByCaller.closeCount()).isEqualTo(1);
        assertThat(closedByStore.closeCount()).isEqualTo(1);
        first.close(); // idempotent
        assertThat(closedByCaller.closeCount()).isEqualTo(1);
        assertThat(storage.isHealthy()).isFalse();
        assertThatThrownBy(() -> storage.get(db("team-a", "a"))).isInstanceOf(StorageException.Unavailable.class);
        assertThatThrownBy(() -> storage.create(db("team-a", "d"), bytes("d"), Attributes.EMPTY))
                .isInstanceOf(StorageException.Unavailable.class);
        assertThatThrownBy(() -> storage.watch(WatchOptions.from(DATABASES, 0), new Recorder()))
                .isInstanceOf(StorageException.Unavailable.class);
    }

    @Test
    void aListPlusAWatchFromItsVersionEqualsTheFinalStateUnderConcurrentWrites() throws Exception {
        listPlusWatchEqualsTheFinalState(settings());
    }

    @Test
    void aListPlusAWatchReplayedFromTheLogEqualsTheFinalStateUnderConcurrentWrites() throws Exception {
        listPlusWatchEqualsTheFinalState(settings().withRecentChanges(3));
    }

    private void listPlusWatchEqualsTheFinalState(StorageSettings settings) throws Exception {
        CachingStorage storage = store(settings);
        List<ObjectKey> keys = new ArrayList<>();
        for (String namespace : List.of("team-a", "team-b")) {
            for (int i = 0; i < 15; i++) {
                keys.add(db(namespace, "obj-" + i));
            }
        }
        createAll(storage, keys.subList(0, 20), key -> labelled(key, "app", "shop"));
        int writers = 3;
        int opsEach = 120;
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int seed = w;
            running.add(pool.submit(() -> {
                Random random = new Random(seed);
                for (int i = 0; i < opsEach; i++) {
                    ObjectKey key = keys.get(random.nextInt(keys.size()));
                    Attributes attributes = labelled(key, "app", random.nextBoolean() ? "shop" : "blog");
                    byte[] value = bytes(key.name() + " by " + seed + " #" + i);
                    try {
                        switch (random.nextInt(4)) {
                            case 0 -> storage.create(key, value, attributes);
                            case 1 -> storage.delete(key, 0);
                            case 2 -> storage.update(key, 0, value, attributes);
                            default -> {
                                StoredObject current = storage.get(key).orElse(null);
                                if (current != null) {
                                    storage.update(key, current.resourceVersion(), value, attributes);
                                }
                            }
                        }
                    } catch (StorageException.NotFound | StorageException.AlreadyExists | StorageException.Conflict e) {
                        // Expected with several writers on the same keys.
                    }
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        try {
            await("the writers to get going", () -> done.get() >= 40);
            ListOptions everything = ListOptions.all(DATABASES);
            ListOptions filtered =
                    ListOptions.all(DATABASES).inNamespace("team-a").withSelector(selector("app=shop", ""));
            List<ListResult> allPages = pages(storage, everything, 6);
            List<ListResult> filteredPages = pages(storage, filtered, 4);
            Recorder all = new Recorder();
            Recorder some = new Recorder();
            Recorder initial = new Recorder();
            try (AutoCloseable w1 = storage.watch(
                            WatchOptions.from(DATABASES, allPages.getFirst().resourceVersion()), all);
                    AutoCloseable w2 = storage.watch(
                            WatchOptions.from(
                                            DATABASES, filteredPages.getFirst().resourceVersion())
                                    .inNamespace("team-a")
                                    .withSelector(selector("app=shop", "")),
                            some);
                    AutoCloseable w3 = storage.watch(
                            WatchOptions.from(DATABASES, 0)
                                    .inNamespace("team-a")
                                    .withSelector(selector("app=shop", ""))
                                    .withInitialEvents(),
                            initial)) {
                for (Future<?> writer : running) {
                    writer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
                // A last write both watches see, so that draining them is a condition, not a guess.
                ObjectKey sentinel = db("team-a", "zz-sentinel");
                long last = storage.create(sentinel, bytes("end"), labelled(sentinel, "app", "shop"))
                        .resourceVersion();
                all.awaitVersion(last);
                some.awaitVersion(last);
                initial.awaitVersion(last);

                assertThat(applyEvents(allPages, all))
                        .isEqualTo(asMap(storage.list(everything).items()));
                assertThat(applyEvents(filteredPages, some))
                        .isEqualTo(asMap(storage.list(filtered).items()));
                assertThat(stateFromInitialEvents(initial))
                        .isEqualTo(asMap(storage.list(filtered).items()));
                assertThat(all.closed()).isFalse();
                assertThat(some.closed()).isFalse();
                assertThat(initial.closed()).isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The state of the list's pages with the watch's events applied. */
    private static Map<ObjectKey, View> applyEvents(List<ListResult> pages, Recorder watch) {
        long rv = pages.getFirst().resourceVersion();
        assertThat(pages).allSatisfy(p -> assertThat(p.resourceVersion()).isEqualTo(rv));
        return applyEvents(asMap(pages.stream().flatMap(p -> p.items().stream()).toList()), rv, watch.events());
    }

    /** The state a watch with initial events describes: ADDED for each object, a BOOKMARK at their version, changes. */
    private static Map<ObjectKey, View> stateFromInitialEvents(Recorder watch) {
        List<WatchEvent> events = watch.events();
        int end = events.stream().map(WatchEvent::type).toList().indexOf(Type.BOOKMARK);
        assertThat(end).as("the bookmark closing the initial events").isNotNegative();
        long rv = events.get(end).resourceVersion();
        Map<ObjectKey, View> state = new HashMap<>();
        for (WatchEvent event : events.subList(0, end)) {
            assertThat(event.type()).isEqualTo(Type.ADDED);
            assertThat(event.resourceVersion()).isEqualTo(rv);
            assertThat(event.object().resourceVersion()).isLessThanOrEqualTo(rv);
            assertThat(state.put(event.object().key(), view(event.object()))).isNull();
        }
        return applyEvents(state, rv, events.subList(end + 1, events.size()));
    }

    private static Map<ObjectKey, View> applyEvents(Map<ObjectKey, View> state, long rv, List<WatchEvent> events) {
        long previous = rv;
        for (WatchEvent event : events) {
            assertThat(event.resourceVersion())
                    .as("events in order, after the list")
                    .isGreaterThan(previous);
            previous = event.resourceVersion();
            switch (event.type()) {
                case ADDED ->
                    assertThat(state.put(event.object().key(), view(event.object())))
                            .as("ADDED %s", event.object().key())
                            .isNull();
                case MODIFIED ->
                    assertThat(state.put(event.object().key(), view(event.object())))
                            .as("MODIFIED %s", event.object().key())
                            .isNotNull();
                case DELETED ->
                    assertThat(state.remove(event.object().key()))
                            .as("DELETED %s", event.object().key())
                            .isNotNull();
                case BOOKMARK -> {}
            }
        }
        return state;
    }

    private static Map<ObjectKey, View> asMap(List<StoredObject> objects) {
        Map<ObjectKey, View> map = new HashMap<>();
        for (StoredObject object : objects) {
            assertThat(map.put(object.key(), view(object)))
                    .as("listed once: %s", object.key())
                    .isNull();
        }
        return map;
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    /** Every page of a list, following continue tokens. */
    private static List<ListResult> pages(Storage storage, ListOptions options, int limit) {
        List<ListResult> pages = new ArrayList<>();
        String token = "";
        do {
            ListResult page = storage.list(options.withLimit(limit, token));
            assertThat(page.items().size()).isLessThanOrEqualTo(limit);
            pages.add(page);
            token = page.continueToken();
            assertThat(pages).as("pages").hasSizeLessThan(1_000);
        } while (!token.isEmpty());
        return pages;
    }

    /**
     * Names whose order differs between Java's (and so the cache's) and a collation that ignores punctuation, as
     * PostgreSQL's en_US.UTF-8 does; a page boundary between them shows whether every path sorts alike.
     */
    private static List<String> trickyNames() {
        List<String> names = new ArrayList<>();
        for (char c = 'a'; c <= 'h'; c++) {
            names.add(c + "-z");
            names.add(c + "y");
            names.add(c + ".x");
        }
        return names;
    }

    private static void createAll(
            Storage storage, List<ObjectKey> keys, java.util.function.Function<ObjectKey, Attributes> attributes)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<StoredObject>> created = new ArrayList<>();
            for (ObjectKey key : keys) {
                created.add(pool.submit(() -> storage.create(key, bytes(key.name()), attributes.apply(key))));
            }
            for (Future<StoredObject> future : created) {
                future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void create(Storage storage, String name, Map<String, String> labels) {
        ObjectKey key = db("team-a", name);
        storage.create(key, bytes(name), attributes(key, labels, "postgres", "Ready"));
    }

    private static void createWithFields(
            Storage storage, ObjectKey key, String engine, String phase, String instance, Map<String, String> labels) {
        Map<String, String> fields =
                new HashMap<>(attributes(key, labels, engine, phase).fields());
        fields.put("spec.instanceRef.name", instance);
        storage.create(key, bytes(key.name()), new Attributes(labels, fields));
    }

    static ObjectKey db(String namespace, String name) {
        return new ObjectKey(DATABASES, namespace, name);
    }

    /** Attributes as the registry computes them: labels, the metadata fields and per-kind fields. */
    static Attributes attributes(ObjectKey key, Map<String, String> labels, String engine, String phase) {
        Map<String, String> fields = new HashMap<>();
        fields.put("metadata.name", key.name());
        fields.put("metadata.namespace", key.namespace());
        fields.put("spec.engine", engine);
        if (!phase.isEmpty()) {
            fields.put("status.phase", phase);
        }
        return new Attributes(labels, fields);
    }

    static Attributes labelled(ObjectKey key, String label, String value) {
        return attributes(key, Map.of(label, value), "postgres", "Ready");
    }

    static Selector selector(String labels, String fields) {
        return new Selector(LabelSelector.parse(labels), FieldSelector.parse(fields));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(StoredObject object) {
        return new String(object.value(), StandardCharsets.UTF_8);
    }

    private static List<String> keys(ListResult result) {
        return result.items().stream()
                .map(o -> o.key().namespace() + "/" + o.key().name())
                .toList();
    }

    private static List<String> names(ListResult result) {
        return result.items().stream().map(o -> o.key().name()).toList();
    }

    /** A stored object with its value as text, comparable with equals. */
    record View(ObjectKey key, long resourceVersion, String value, Attributes attributes) {}

    static View view(StoredObject object) {
        return new View(object.key(), object.resourceVersion(), text(object), object.attributes());
    }

    static List<View> views(List<StoredObject> objects) {
        return objects.stream().map(StorageContractTest::view).toList();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** A watcher that records what it gets and checks the watch contract as it goes. */
    static class Recorder implements Watcher {
        private final List<WatchEvent> events = new CopyOnWriteArrayList<>();
        private final AtomicInteger closes = new AtomicInteger();
        private final AtomicReference<StorageException> cause = new AtomicReference<>();
        private final AtomicBoolean eventAfterClose = new AtomicBoolean();
        private final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void onEvent(WatchEvent event) {
            if (closes.get() > 0) {
                eventAfterClose.set(true);
            }
            events.add(event);
        }

        @Override
        public void onClose(StorageException cause) {
            this.cause.set(cause);
            closes.incrementAndGet();
            closed.countDown();
        }

        List<WatchEvent> events() {
            return List.copyOf(events);
        }

        /** Events as "TYPE namespace/name@rv" (the object's version), bookmarks as "BOOKMARK@rv". */
        List<String> summary() {
            return events().stream().map(Recorder::describe).toList();
        }

        /** The summary without bookmarks. */
        List<String> changes() {
            return events().stream()
                    .filter(e -> e.type() != Type.BOOKMARK)
                    .map(Recorder::describe)
                    .toList();
        }

        private static String describe(WatchEvent event) {
            if (event.type() == Type.BOOKMARK) {
                return "BOOKMARK@" + event.resourceVersion();
            }
            ObjectKey key = event.object().key();
            return event.type() + " " + key.namespace() + "/" + key.name() + "@"
                    + event.object().resourceVersion();
        }

        void awaitSize(int size) {
            await(size + " events (have " + events.size() + ")", () -> events.size() >= size || closed());
            assertThat(closed()).as("watch ended early with %s", cause.get()).isFalse();
        }

        /** Waits until an event at or past {@code rv} arrived. */
        void awaitVersion(long rv) {
            await(
                    "an event at resourceVersion " + rv + " (have " + summary() + ")",
                    () -> (!events.isEmpty() && events.getLast().resourceVersion() >= rv) || closed());
            assertThat(closed()).as("watch ended early with %s", cause.get()).isFalse();
        }

        StorageException awaitClose() throws InterruptedException {
            assertThat(closed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("watch ended")
                    .isTrue();
            assertThat(eventAfterClose).as("no event after onClose").isFalse();
            return cause.get();
        }

        boolean closed() {
            return closes.get() > 0;
        }

        int closeCount() {
            return closes.get();
        }
    }
}
