package io.dbprovision.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.k8s.core.v1.Event;
import io.dbprovision.proto.k8s.core.v1.Namespace;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.k8s.wire.v1.EventSource;
import io.dbprovision.proto.k8s.wire.v1.ObjectMeta;
import io.dbprovision.proto.k8s.wire.v1.ObjectReference;
import io.dbprovision.proto.k8s.wire.v1.TypeMeta;
import io.dbprovision.proto.k8s.wire.v1.Unknown;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes protobuf request bodies of the core kinds decode to the same messages as the equivalent JSON. The bodies
 * here are built with the wire messages, whose field numbers are Kubernetes' (k8s.io/api core/v1, apimachinery
 * meta/v1), as a Go client's would be.
 */
class KubeProtobufTest {
    private final KubeCodec codec = new KubeCodec(List.of(Schema.get(), Schema.core()), Limits.defaults());

    @Test
    void aSecretAsKubectlSendsIt() {
        io.dbprovision.proto.k8s.wire.v1.Secret wire = io.dbprovision.proto.k8s.wire.v1.Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder()
                        .setName("pg-admin")
                        .setNamespace("team-a")
                        .putLabels("app", "db")
                        .putAnnotations("example.com/owner", "platform")
                        .addFinalizers("example.com/keep"))
                .putData("password", ByteString.copyFromUtf8("s3cret"))
                .putStringData("username", "postgres")
                .setType("Opaque")
                .setImmutable(false)
                .build();

        Secret secret = codec.decodeProtobuf(body("v1", "Secret", wire), Secret.getDefaultInstance())
                .object();

        assertThat(secret.getApiVersion()).isEqualTo("v1");
        assertThat(secret.getKind()).isEqualTo("Secret");
        assertThat(secret.getMetadata().getName()).isEqualTo("pg-admin");
        assertThat(secret.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(secret.getMetadata().getLabelsMap()).containsEntry("app", "db");
        assertThat(secret.getMetadata().getAnnotationsMap()).containsEntry("example.com/owner", "platform");
        assertThat(secret.getMetadata().getFinalizersList()).containsExactly("example.com/keep");
        assertThat(secret.getDataMap().get("password").toStringUtf8()).isEqualTo("s3cret");
        assertThat(secret.getStringDataMap()).containsEntry("username", "postgres");
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(secret.hasImmutable()).isTrue();
        assertThat(secret.getImmutable()).isFalse();
    }

    @Test
    void aNamespaceWithNothingButItsName() {
        io.dbprovision.proto.k8s.wire.v1.Namespace wire = io.dbprovision.proto.k8s.wire.v1.Namespace.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName("team-a"))
                .build();
        Namespace namespace = codec.decodeProtobuf(body("v1", "Namespace", wire), Namespace.getDefaultInstance())
                .object();
        assertThat(namespace.getMetadata().getName()).isEqualTo("team-a");
        assertThat(namespace.getKind()).isEqualTo("Namespace");
    }

    @Test
    void anEventWithTimesAndReferences() {
        io.dbprovision.proto.k8s.wire.v1.Event wire = io.dbprovision.proto.k8s.wire.v1.Event.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setGenerateName("pg."))
                .setInvolvedObject(ObjectReference.newBuilder()
                        .setApiVersion("dbops.dbprovision.io/v1alpha1")
                        .setKind("DatabaseInstance")
                        .setName("pg")
                        .setUid("0c4a2f1e-3b7d-4f7e-9f55-0a1b2c3d4e5f"))
                .setReason("Connected")
                .setMessage("ok")
                .setSource(EventSource.newBuilder().setComponent("reconciler"))
                .setFirstTimestamp(Timestamp.newBuilder().setSeconds(1_764_174_600))
                .setCount(3)
                .setType("Normal")
                .setReportingComponent("dbprovision.io/reconciler")
                .build();
        Event event = codec.decodeProtobuf(body("v1", "Event", wire), Event.getDefaultInstance())
                .object();
        assertThat(event.getMetadata().getGenerateName()).isEqualTo("pg.");
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("DatabaseInstance");
        assertThat(event.getInvolvedObject().getUid()).isEqualTo("0c4a2f1e-3b7d-4f7e-9f55-0a1b2c3d4e5f");
        assertThat(event.getSource().getComponent()).isEqualTo("reconciler");
        assertThat(event.getFirstTimestamp().getSeconds()).isEqualTo(1_764_174_600);
        assertThat(event.getCount()).isEqualTo(3);
        assertThat(event.getReportingComponent()).isEqualTo("dbprovision.io/reconciler");
    }

    @Test
    void refusedWithoutThePrefixForAnotherKindAndForOurKinds() {
        byte[] secret = body(
                "v1",
                "Secret",
                io.dbprovision.proto.k8s.wire.v1.Secret.newBuilder()
                        .setMetadata(ObjectMeta.newBuilder().setName("s"))
                        .build());
        assertThatThrownBy(() -> codec.decodeProtobuf(
                        java.util.Arrays.copyOfRange(secret, 4, secret.length), Secret.getDefaultInstance()))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("prefix");
        assertThatThrownBy(() -> codec.decodeProtobuf(secret, Namespace.getDefaultInstance()))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("holds a Secret, not a Namespace");
        assertThat(codec.readsProtobuf(DatabaseInstance.getDefaultInstance())).isFalse();
        assertThatThrownBy(() -> codec.decodeProtobuf(secret, DatabaseInstance.getDefaultInstance()))
                .isInstanceOf(CodecException.class);
        assertThatThrownBy(() ->
                        codec.decodeProtobuf(new byte[] {'k', '8', 's', 0, (byte) 0xff}, Secret.getDefaultInstance()))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("cannot be read");
    }

    /** {@code k8s\0} and a runtime.Unknown around the object, as Kubernetes' protobuf serializer writes them. */
    private static byte[] body(String apiVersion, String kind, Message object) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'k', '8', 's', 0});
        out.writeBytes(Unknown.newBuilder()
                .setTypeMeta(TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(object.toByteString())
                .build()
                .toByteArray());
        return out.toByteArray();
    }
}
