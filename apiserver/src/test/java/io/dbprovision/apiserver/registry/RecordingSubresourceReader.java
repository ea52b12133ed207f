package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.DatabaseDrift;
import io.dbprovision.proto.v1alpha1.DatabaseUserCredentials;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A subresource reader for tests that stands in for the lead's provisioner-backed ones: it answers the objects it was
 * told about, throws NotFound naming the parent for any other (the reader decides whether the parent exists), and
 * records every call as {@code namespace/name}, so that a test can tell that a refused request never reached it.
 */
public final class RecordingSubresourceReader implements SubresourceReader {
    private final ComputedSubresource subresource;
    private final Map<String, Message> answers = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile Supplier<RuntimeException> failure;

    private RecordingSubresourceReader(ComputedSubresource subresource) {
        this.subresource = subresource;
    }

    /** {@code databaseusers/credentials}, answered with {@code DatabaseUserCredentials}. */
    public static RecordingSubresourceReader credentials() {
        return new RecordingSubresourceReader(ComputedSubresource.of(
                Schema.get(), "databaseusers", "credentials", DatabaseUserCredentials.getDefaultInstance()));
    }

    /** {@code databases/drift}, answered with {@code DatabaseDrift}. */
    public static RecordingSubresourceReader drift() {
        return new RecordingSubresourceReader(
                ComputedSubresource.of(Schema.get(), "databases", "drift", DatabaseDrift.getDefaultInstance()));
    }

    /** The subresource with this reader, to register. */
    public ServedSubresource served() {
        return new ServedSubresource(subresource, this);
    }

    /** Answers {@code answer} for the parent {@code namespace/name}. */
    public RecordingSubresourceReader answering(String namespace, String name, Message answer) {
        answers.put(namespace + "/" + name, answer);
        return this;
    }

    /** Throws what {@code failure} makes on every call from now on (null: answers again). */
    public void failWith(Supplier<RuntimeException> failure) {
        this.failure = failure;
    }

    /** Every call so far, as {@code namespace/name}. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public Message read(RequestContext context, String namespace, String name) {
        calls.add(namespace + "/" + name);
        Supplier<RuntimeException> failing = failure;
        if (failing != null) {
            throw failing.get();
        }
        Message answer = answers.get(namespace + "/" + name);
        if (answer == null) {
            throw new ApiException.NotFound(new ApiException.Subject(
                    subresource.parent().group(), subresource.parent().plural(), name));
        }
        return answer;
    }

    /** Credentials of the user {@code name} (without apiVersion, kind or metadata: the endpoints fill them in). */
    public static DatabaseUserCredentials credentialsOf(String name, String password) {
        return DatabaseUserCredentials.newBuilder()
                .setHost("db.example.com")
                .setPort(5432)
                .setDatabase("orders")
                .setUsername(name)
                .setSslMode("verify-full")
                .setPassword(password)
                .setUrl("postgresql://" + name + ":" + password + "@db.example.com:5432/orders?sslmode=verify-full")
                .setSecretName(name + "-credentials")
                .build();
    }

    /** A comparison of the database {@code name} that found its owner changed. */
    public static DatabaseDrift ownerDriftOf(String namespace, String name) {
        return DatabaseDrift.newBuilder()
                .setApiVersion(Schema.API_VERSION)
                .setKind("DatabaseDrift")
                .setMetadata(ObjectMeta.newBuilder().setName(name).setNamespace(namespace))
                .setCheckedAt(Timestamp.newBuilder().setSeconds(1_767_225_600L))
                .setDetected(true)
                .addDiffs(DriftDiff.newBuilder()
                        .setField("owner")
                        .setExpected("app")
                        .setActual("postgres"))
                .build();
    }
}
