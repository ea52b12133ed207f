package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbprovision.apiserver.testing.EngineRun;
import io.dbprovision.provisioner.engine.password.ScramSha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server ({@code dbprovision standalone} in a child JVM, embedded store, in-process provisioner over mTLS)
 * is killed with SIGKILL at random moments, {@value #KILLS} times, while 200 objects ({@link CrashWorkload}) are
 * applied through the REST API and reconciled on the machine's MariaDB and PostgreSQL, and restarted on the same data
 * directory each time. Some kills land while it starts (store recovery, informers syncing), most while it serves.
 * After the last restart every object must turn Ready, every object the API acknowledged must be there as it was
 * sent, every DatabaseUser must have exactly its credentials Secret, and that Secret's password must log in on
 * MariaDB (which checks passwords; the local PostgreSQL trusts 127.0.0.1, so there the password is checked against
 * the SCRAM verifier the server stores) — a credential lost between the Secret and the engine would show here.
 *
 * <p>The moments come from a seeded {@link Random}; the seed is printed, and {@code -Dcrash.seed=N} repeats a run's
 * schedule (the server's own timing still varies). Server logs: {@code target/crash-recovery/server-NN.log}.
 *
 * <p>Names on the engines are the run's own ({@link EngineRun}): a run that shared fixed names with another one (two
 * builds at once, or a killed build's server still alive) saw its users dropped under it by the other's clean-up and
 * its grants fail with MariaDB's 1133. The server child dies with this JVM ({@link ServerChildMain}).
 */
class CrashRecoveryTest {
    private static final int KILLS = 10;
    /** Of those, how many come while the server starts (store recovery, informers syncing), before it serves. */
    private static final int KILLS_WHILE_STARTING = 3;

    private static final String MARIADB = "jdbc:mysql://127.0.0.1:3306/";
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";
    private static final Path LOGS = Path.of("target", "crash-recovery");

    @TempDir
    Path work;

    private final AtomicReference<ServerChild> server = new AtomicReference<>();
    private final AtomicReference<OptionalInt> servingPort = new AtomicReference<>(OptionalInt.empty());

    private EngineRun run;
    private CrashWorkload workload;

    @BeforeEach
    void cleanBefore() throws Exception {
        run = EngineRun.start("dbpcr");
        workload = new CrashWorkload(run.prefix());
        if (Files.isDirectory(LOGS)) {
            try (var old = Files.list(LOGS)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    @AfterEach
    void cleanAfter() throws Exception {
        ServerChild last = server.get();
        if (last != null) {
            last.kill();
        }
        long started = System.nanoTime();
        run.close();
        System.out.println(
                String.format("CrashRecoveryTest: engines cleaned in %.1f s", (System.nanoTime() - started) / 1e9));
    }

    @Test
    void everyObjectConvergesAndEveryCredentialLogsInAfterRepeatedKills() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("CrashRecoveryTest: seed " + seed + " (repeat with -Dcrash.seed=" + seed + "), engine names "
                + run.prefix() + "…");
        Random random = new Random(seed);
        long began = System.nanoTime();
        Path data = work.resolve("data");

        // The first start makes the CA, the admin token and the store; the client needs the first two.
        start(data, 0).awaitServing(120);
        long startupMillis = server.get().ageMillis();
        servingPort.set(server.get().port());
        RestObjects api = new RestObjects(
                data.resolve("pki/ca.crt"),
                Files.readString(data.resolve("admin.token")).trim(),
                servingPort::get);
        List<CrashWorkload.Item> items = workload.items();
        // The namespace first: what lives in it is refused until it exists.
        assertThat(items.get(0).kind()).isEqualTo("Namespace");
        Applier applier = new Applier(api, items);
        applier.applyFirst();
        List<Thread> applying = new ArrayList<>();
        for (int i = 0; i < Applier.CLIENTS; i++) {
            applying.add(Thread.ofPlatform().daemon().name("crash-applier-" + i).start(applier));
        }

        // Kills while serving are spread over the applying, whatever the machine's speed: each waits until the
        // clients got 10 to 35 more objects through, then a random moment more. Kills while starting come at a random
        // moment of the shortest start so far (so from store recovery to the informers' first sync).
        List<String> kills = new ArrayList<>();
        List<Integer> rounds =
                new ArrayList<>(IntStream.rangeClosed(2, KILLS).boxed().toList());
        Collections.shuffle(rounds, random);
        Set<Integer> startingKills = Set.copyOf(rounds.subList(0, KILLS_WHILE_STARTING));
        for (int round = 1; round <= KILLS; round++) {
            ServerChild child = server.get();
            String moment;
            if (startingKills.contains(round)) {
                moment = "a random time after the start";
                Thread.sleep(100 + random.nextLong(Math.max(1, startupMillis - 100)));
            } else {
                child.awaitServing(120);
                startupMillis = Math.min(startupMillis, child.ageMillis());
                servingPort.set(child.port());
                int target = Math.min(items.size(), applier.done.get() + 10 + random.nextInt(26));
                applier.awaitDone(target, 60);
                moment = "after " + target + " objects";
                Thread.sleep(random.nextInt(1500));
            }
            boolean wasServing = child.port().isPresent();
            servingPort.set(OptionalInt.empty());
            child.kill();
            String kill = "kill %2d at %5.1f s: %s, %5d ms after its start, %3d of %d objects applied (%s)"
                    .formatted(
                            round,
                            (System.nanoTime() - began) / 1e9,
                            wasServing ? "serving " : "starting",
                            child.ageMillis(),
                            applier.done.get(),
                            items.size(),
                            moment);
            kills.add(kill);
            System.out.println("CrashRecoveryTest: " + kill);
            start(data, round);
        }

        long restarted = System.nanoTime();
        servingPort.set(OptionalInt.of(server.get().awaitServing(120)));
        for (Thread client : applying) {
            client.join(TimeUnit.SECONDS.toMillis(120));
            assertThat(client.isAlive()).as("%s finished", client.getName()).isFalse();
        }
        if (applier.failure.get() != null) {
            throw new AssertionError("applying failed", applier.failure.get());
        }
        assertThat(kills).hasSize(KILLS);

        Map<String, JsonNode> converged = awaitEveryObjectReady(api, items);
        System.out.println(String.format(
                "CrashRecoveryTest: %d kills (seed %d); %d creates answered 201, %d answered 409 (stored before the"
                        + " kill swallowed the answer); everything Ready %d ms after the last restart, %.1f s into"
                        + " the test",
                kills.size(),
                seed,
                applier.created.get(),
                applier.alreadyExisted.get(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted),
                (System.nanoTime() - began) / 1e9));

        System.out.println("CrashRecoveryTest: " + api.answerTimes());
        everyObjectIsStoredAsSent(items, converged);
        everyUserHasItsCredentialAndItLogsIn(api);
        theEnginesHoldExactlyTheWorkload();
    }

    private ServerChild start(Path data, int round) {
        ServerChild child = ServerChild.start(data, LOGS.resolve("server-%02d.log".formatted(round)));
        server.set(child);
        return child;
    }

    /**
     * Applies the items in order, each until the server took it, from {@value #CLIENTS} clients at once (teams
     * applying side by side): each client takes the next item not yet taken. A dependant may reach the server before
     * what it depends on; it waits for it, as it would in a cluster.
     */
    private static final class Applier implements Runnable {
        static final int CLIENTS = 4;
        private final RestObjects api;
        private final List<CrashWorkload.Item> items;
        private final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger alreadyExisted = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Applier(RestObjects api, List<CrashWorkload.Item> items) {
            this.api = api;
            this.items = items;
        }

        /** Applies the first item on the calling thread, before the clients start. */
        void applyFirst() throws InterruptedException {
            next.set(1);
            apply(items.get(0));
        }

        /** Waits until {@code count} items are applied (or applying failed), at most {@code seconds}. */
        void awaitDone(int count, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (done.get() < count && failure.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        @Override
        public void run() {
            try {
                for (int i = next.getAndIncrement(); i < items.size(); i = next.getAndIncrement()) {
                    apply(items.get(i));
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }

        private void apply(CrashWorkload.Item item) throws InterruptedException {
            switch (api.createRetrying(item.collection(), item.body())) {
                case CREATED -> created.incrementAndGet();
                case ALREADY_EXISTED -> alreadyExisted.incrementAndGet();
            }
            done.incrementAndGet();
        }
    }

    /** Polls the lists until every dbops object is Ready; on timeout, fails with what is not and why. */
    private Map<String, JsonNode> awaitEveryObjectReady(RestObjects api, List<CrashWorkload.Item> items)
            throws Exception {
        List<CrashWorkload.Item> dbops = items.stream()
                .filter(item -> item.collection().startsWith("/apis/"))
                .toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        Map<String, JsonNode> byPath = new LinkedHashMap<>();
        List<String> notReady = List.of();
        while (System.nanoTime() < deadline) {
            byPath.clear();
            for (String plural : List.of("databaseinstances", "databases", "databaseusers", "databasegrants")) {
                String collection = CrashWorkload.collection(plural);
                for (JsonNode object : api.list(collection)) {
                    byPath.put(
                            collection + "/"
                                    + object.path("metadata").path("name").asText(),
                            object);
                }
            }
            notReady = dbops.stream()
                    .filter(item -> !ready(byPath.get(item.path())))
                    .map(item -> item.kind() + " " + item.name() + ": "
                            + Optional.ofNullable(byPath.get(item.path()))
                                    .map(o -> o.path("status").toString())
                                    .orElse("<missing>"))
                    .toList();
            if (notReady.isEmpty()) {
                return byPath;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(notReady.size() + " objects are not Ready after the last restart:\n  "
                + String.join("\n  ", notReady.subList(0, Math.min(20, notReady.size())))
                + "\nserver log:\n" + server.get().tail(80));
    }

    private static boolean ready(JsonNode object) {
        if (object == null) {
            return false;
        }
        for (JsonNode condition : object.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                return condition.path("status").asText().equals("True")
                        && object.path("status").path("observedGeneration").asLong()
                                == object.path("metadata").path("generation").asLong();
            }
        }
        return false;
    }

    /** No object lost, none twice, none half-stored: each one's spec holds every field that was sent. */
    private static void everyObjectIsStoredAsSent(List<CrashWorkload.Item> items, Map<String, JsonNode> stored) {
        long dbops = items.stream()
                .filter(item -> item.collection().startsWith("/apis/"))
                .count();
        assertThat(stored).as("dbops objects stored").hasSize((int) dbops);
        for (CrashWorkload.Item item : items) {
            if (!item.collection().startsWith("/apis/")) {
                continue;
            }
            JsonNode object = stored.get(item.path());
            assertThat(object).as(item.path()).isNotNull();
            assertThat(object.path("metadata").path("generation").asLong())
                    .as("%s was written once, never updated", item.path())
                    .isEqualTo(1L);
            assertContains(item.path() + " spec", item.body().path("spec"), object.path("spec"));
        }
    }

    /** Every field of {@code sent} is in {@code stored} with the same value (defaults may add more). */
    private static void assertContains(String where, JsonNode sent, JsonNode stored) {
        if (sent.isObject()) {
            sent.fieldNames().forEachRemaining(field -> {
                assertThat(stored.has(field)).as(where + "." + field).isTrue();
                assertContains(where + "." + field, sent.get(field), stored.get(field));
            });
        } else if (sent.isArray()) {
            assertThat(stored.size()).as(where).isEqualTo(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                assertContains(where + "[" + i + "]", sent.get(i), stored.get(i));
            }
        } else {
            assertThat(stored.asText()).as(where).isEqualTo(sent.asText());
        }
    }

    /**
     * Each user's Secret names it and holds the password the engine has: MariaDB logs in with it (into the granted
     * database), PostgreSQL's stored SCRAM verifier matches it.
     */
    private void everyUserHasItsCredentialAndItLogsIn(RestObjects api) throws Exception {
        Map<String, JsonNode> secrets = new LinkedHashMap<>();
        for (JsonNode secret : api.list(CrashWorkload.secrets())) {
            secrets.put(secret.path("metadata").path("name").asText(), secret);
        }
        List<String> lost = new ArrayList<>();
        for (CrashWorkload.User user : workload.users()) {
            JsonNode secret = secrets.get(user.secretName());
            assertThat(secret).as("Secret " + user.secretName()).isNotNull();
            assertThat(decoded(secret, "username"))
                    .as(user.secretName() + " username")
                    .isEqualTo(user.username());
            String password = decoded(secret, "password");
            assertThat(password).as(user.secretName() + " password").isNotEmpty();
            boolean works = user.mariadb()
                    ? mariadbLogsIn(user.username(), password, user.database())
                    : postgresVerifierMatches(user.username(), password);
            if (!works) {
                lost.add(user.objectName() + " (" + user.username() + ")");
            }
        }
        assertThat(lost)
                .as("users whose Secret's password the engine does not take")
                .isEmpty();
        long credentialSecrets = secrets.keySet().stream()
                .filter(name -> name.endsWith("-credentials"))
                .count();
        assertThat(credentialSecrets)
                .as("one credentials Secret per user, no strays")
                .isEqualTo(workload.users().size());
    }

    /** Nothing twice and nothing stray on the engines: one database and one account per object, no more. */
    private void theEnginesHoldExactlyTheWorkload() throws SQLException {
        String like = run.prefix().replace("_", "\\_") + "%";
        try (Connection c = DriverManager.getConnection(MARIADB, "root", "")) {
            assertThat(names(c, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", like))
                    .as("MariaDB databases")
                    .hasSize(CrashWorkload.MARIADB_TRIPLES);
            assertThat(names(c, "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User LIKE ?", like))
                    .as("MariaDB accounts")
                    .hasSize(CrashWorkload.MARIADB_TRIPLES)
                    .allMatch(account -> account.endsWith("@%"));
        }
        try (Connection c = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "")) {
            assertThat(names(c, "SELECT datname FROM pg_database WHERE datname LIKE ?", like))
                    .as("PostgreSQL databases")
                    .hasSize(CrashWorkload.POSTGRES_TRIPLES);
            assertThat(names(c, "SELECT rolname FROM pg_roles WHERE rolname LIKE ?", like))
                    .as("PostgreSQL roles")
                    .hasSize(CrashWorkload.POSTGRES_TRIPLES);
        }
    }

    private static String decoded(JsonNode secret, String key) {
        String value = secret.path("data").path(key).asText("");
        return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    }

    private static boolean mariadbLogsIn(String user, String password, String database) {
        try (Connection c = DriverManager.getConnection(MARIADB + database, user, password)) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private static boolean postgresVerifierMatches(String role, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
                var statement = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getString(1) != null && ScramSha256.matches(rows.getString(1), password);
            }
        }
    }

    private static List<String> names(Connection c, String query, String like) throws SQLException {
        List<String> names = new ArrayList<>();
        try (var statement = c.prepareStatement(query)) {
            statement.setString(1, like);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        }
        return names;
    }
}
