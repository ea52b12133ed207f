package io.dbprovision.apiserver.storage.bench;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.admission.NamespaceLifecycle;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.registry.Written;
import io.dbprovision.apiserver.registry.admission.Admission;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP benchmark's "api in process" create alone, for profiling the API layer's CPU per create without starting a
 * server: {@link HttpBench#body} decoded, the registry's create (defaults, managed fields, admission, validation, the
 * store) and the response's JSON, by {@code writers} virtual threads on the embedded store. Prints the process CPU per
 * create of each round: the first rounds pay for the JIT, so run enough of them to see where it settles (the HTTP
 * benchmark's own rounds of 2,000 at {@code bench.scale=0.4} are still warming up). Arguments: rounds (5), creates
 * per round (20,000), writers (128), fsync {@code on} or {@code off} (off). From the repository root, after
 * {@code ./build -o -q -pl apiserver test-compile}:
 *
 * <pre>
 * ./build -o -q -pl apiserver org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -Dexec.classpathScope=test \
 *     -Dexec.executable=java -Dexec.args="-Xms2g -Xmx2g -cp %classpath \
 *     io.dbprovision.apiserver.storage.bench.CreateProfile 8 10000 128 on"
 * </pre>
 *
 * Add {@code -XX:StartFlightRecording=filename=/tmp/create.jfr,settings=profile} to the JVM options to profile it.
 */
public final class CreateProfile {
    private static final RequestContext CTX = RequestContext.internal("bench");

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int creates = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int writers = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        boolean fsync = args.length > 3 && args[3].equals("on");
        Path root = Files.createTempDirectory("dbph-create-profile");
        Kind kind = Schema.get().byKind("DatabaseInstance").orElseThrow();
        KubeCodec codec = new KubeCodec(List.of(Schema.get(), Schema.core()), Limits.defaults());
        try (CachingStorage storage = CachingStorage.open(
                new EmbeddedBackend(root.resolve("store"), fsync),
                StorageSettings.defaults().withFsync(fsync))) {
            Registry registry = new Registry(
                    List.of(
                            new Registry.Served(Schema.get(), ObjectRules.standard()),
                            new Registry.Served(Schema.core(), ObjectRules.core())),
                    storage,
                    Clock.systemUTC());
            registry.useAdmission(new Admission(List.of(
                    new NamespaceLifecycle(registry.lookup("v1", "namespaces").orElseThrow()))));
            ResourceStore api =
                    registry.lookup(Schema.API_VERSION, kind.plural()).orElseThrow();
            AtomicLong index = new AtomicLong();
            for (int round = 0; round < rounds; round++) {
                AtomicInteger remaining = new AtomicInteger(creates);
                AtomicLong errors = new AtomicLong();
                long cpu = StorageBench.processCpuNanos();
                long start = System.nanoTime();
                try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int w = 0; w < writers; w++) {
                        executor.submit(() -> {
                            while (remaining.getAndDecrement() > 0) {
                                long i = index.getAndIncrement();
                                try {
                                    String namespace = HttpBench.namespaceOf(i);
                                    byte[] body = HttpBench.body(namespace, "a-" + i, i);
                                    Message object = codec.decodeJson(body, kind.object())
                                            .object();
                                    Written written =
                                            api.create(CTX, namespace, object, new WriteOptions(false, "bench"));
                                    written.version().json();
                                } catch (RuntimeException e) {
                                    if (errors.getAndIncrement() == 0) {
                                        e.printStackTrace();
                                    }
                                }
                            }
                        });
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuMicros = (StorageBench.processCpuNanos() - cpu) / 1e3 / creates;
                System.out.printf(
                        "round %d: %,d creates, %.0f/s, %.0f µs CPU per create, %d errors%n",
                        round, creates, creates / seconds, cpuMicros, errors.get());
            }
        }
    }
}
