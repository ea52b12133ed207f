package io.dbprovision.api.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.dbprovision.proto.k8s.wire.v1.ClusterRole;
import io.dbprovision.proto.k8s.wire.v1.ClusterRoleBinding;
import io.dbprovision.proto.k8s.wire.v1.Event;
import io.dbprovision.proto.k8s.wire.v1.Namespace;
import io.dbprovision.proto.k8s.wire.v1.Role;
import io.dbprovision.proto.k8s.wire.v1.RoleBinding;
import io.dbprovision.proto.k8s.wire.v1.Secret;
import io.dbprovision.proto.k8s.wire.v1.SelfSubjectAccessReview;
import io.dbprovision.proto.k8s.wire.v1.SelfSubjectRulesReview;
import io.dbprovision.proto.k8s.wire.v1.Unknown;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Request bodies in Kubernetes' protobuf form ({@code application/vnd.kubernetes.protobuf}) for the core kinds that
 * have one here (k8s/wire/v1/wire.proto): the 4-byte {@code k8s\0} prefix, a {@code runtime.Unknown} with the
 * object's TypeMeta and its bytes. They are turned into the equivalent JSON, which the JSON decoder then reads with
 * every rule it applies to JSON bodies: one decoding path for what is stored.
 */
final class KubeProtobuf {
    static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final String RBAC = "rbac.authorization.k8s.io/v1";
    private static final String AUTHORIZATION = "authorization.k8s.io/v1";
    /** The wire form of each kind that has one, by kind (our messages are named after their kinds). */
    private static final Map<String, Wire> WIRE = Map.of(
            "Namespace", new Wire(Namespace.getDefaultInstance(), "v1"),
            "Secret", new Wire(Secret.getDefaultInstance(), "v1"),
            "Event", new Wire(Event.getDefaultInstance(), "v1"),
            "Role", new Wire(Role.getDefaultInstance(), RBAC),
            "ClusterRole", new Wire(ClusterRole.getDefaultInstance(), RBAC),
            "RoleBinding", new Wire(RoleBinding.getDefaultInstance(), RBAC),
            "ClusterRoleBinding", new Wire(ClusterRoleBinding.getDefaultInstance(), RBAC),
            "SelfSubjectAccessReview", new Wire(SelfSubjectAccessReview.getDefaultInstance(), AUTHORIZATION),
            "SelfSubjectRulesReview", new Wire(SelfSubjectRulesReview.getDefaultInstance(), AUTHORIZATION));

    /** A kind's wire message, and the apiVersion a body that names none is read as. */
    private record Wire(Message message, String apiVersion) {}

    private KubeProtobuf() {}

    static boolean supports(Message prototype) {
        return WIRE.containsKey(prototype.getDescriptorForType().getName());
    }

    /** The JSON of a protobuf body of {@code prototype}'s kind. */
    static byte[] toJson(byte[] body, Message prototype, KubeCodec codec) {
        String kind = prototype.getDescriptorForType().getName();
        Wire wire = WIRE.get(kind);
        if (wire == null) {
            throw new CodecException(kind + " has no protobuf form here");
        }
        if (body.length < MAGIC.length || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CodecException("a protobuf body must start with the Kubernetes prefix k8s\\x00");
        }
        try {
            Unknown unknown = Unknown.parseFrom(Arrays.copyOfRange(body, MAGIC.length, body.length));
            if (!unknown.getContentEncoding().isEmpty()) {
                throw new CodecException("unsupported content encoding " + unknown.getContentEncoding());
            }
            if (!unknown.getTypeMeta().getKind().isEmpty()
                    && !unknown.getTypeMeta().getKind().equals(kind)) {
                throw new CodecException(
                        "the body holds a " + unknown.getTypeMeta().getKind() + ", not a " + kind);
            }
            Message object = wire.message().getParserForType().parseFrom(unknown.getRaw());
            String apiVersion = unknown.getTypeMeta().getApiVersion();
            return withTypeMeta(codec.encodeJson(object), apiVersion.isEmpty() ? wire.apiVersion() : apiVersion, kind);
        } catch (InvalidProtocolBufferException e) {
            throw new CodecException("the protobuf body cannot be read: " + e.getMessage());
        }
    }

    /** {@code {"apiVersion":…,"kind":…,} followed by the object's own fields (the raw object carries no TypeMeta). */
    private static byte[] withTypeMeta(byte[] objectJson, String apiVersion, String kind) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(objectJson.length + 64);
        out.writeBytes(("{\"apiVersion\":\"" + jsonText(apiVersion) + "\",\"kind\":\"" + kind + "\"")
                .getBytes(StandardCharsets.UTF_8));
        if (objectJson.length > 2) {
            out.write(',');
        }
        out.write(objectJson, 1, objectJson.length - 1); // the object's fields and its closing brace
        return out.toByteArray();
    }

    /** A client's apiVersion as JSON string content: anything but plain characters is refused by the decoder anyway. */
    private static String jsonText(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
