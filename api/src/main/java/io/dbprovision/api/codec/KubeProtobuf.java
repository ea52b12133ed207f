package io.dbprovision.api.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.dbprovision.proto.k8s.wire.v1.Event;
import io.dbprovision.proto.k8s.wire.v1.Namespace;
import io.dbprovision.proto.k8s.wire.v1.Secret;
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
    /** The wire form of each kind that has one, by kind (our messages are named after their kinds). */
    private static final Map<String, Message> WIRE = Map.of(
            "Namespace", Namespace.getDefaultInstance(),
            "Secret", Secret.getDefaultInstance(),
            "Event", Event.getDefaultInstance());

    private KubeProtobuf() {}

    static boolean supports(Message prototype) {
        return WIRE.containsKey(prototype.getDescriptorForType().getName());
    }

    /** The JSON of a protobuf body of {@code prototype}'s kind. */
    static byte[] toJson(byte[] body, Message prototype, KubeCodec codec) {
        String kind = prototype.getDescriptorForType().getName();
        Message wire = WIRE.get(kind);
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
            Message object = wire.getParserForType().parseFrom(unknown.getRaw());
            return withTypeMeta(codec.encodeJson(object), unknown.getTypeMeta().getApiVersion(), kind);
        } catch (InvalidProtocolBufferException e) {
            throw new CodecException("the protobuf body cannot be read: " + e.getMessage());
        }
    }

    /** {@code {"apiVersion":…,"kind":…,} followed by the object's own fields (the raw object carries no TypeMeta). */
    private static byte[] withTypeMeta(byte[] objectJson, String apiVersion, String kind) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(objectJson.length + 64);
        out.writeBytes(("{\"apiVersion\":\"" + (apiVersion.isEmpty() ? "v1" : jsonText(apiVersion)) + "\",\"kind\":\""
                        + kind + "\"")
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
