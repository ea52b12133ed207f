package io.dbprovision.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.Message;
import io.dbprovision.api.Golden;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Decoding helpers for the tests of wrong and hostile input. The rule they enforce: a document is either decoded or
 * refused with a {@link CodecException}; no other exception may escape the codec.
 */
final class CodecTestSupport {
    static final KubeCodec CODEC = KubeCodec.standard();
    static final String API_VERSION = "dbops.dbprovision.io/v1alpha1";

    private CodecTestSupport() {}

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"apiVersion":...,"kind":KIND,} + body}: body is the rest of the object, such as {@code "spec":{}}. */
    static String json(String kind, String body) {
        return "{\"apiVersion\":\"" + API_VERSION + "\",\"kind\":\"" + kind + "\"" + (body.isEmpty() ? "" : ",") + body
                + "}";
    }

    /** The apiVersion and kind lines, then the body (a YAML block mapping at column 1). */
    static String yaml(String kind, String body) {
        return "apiVersion: " + API_VERSION + "\nkind: " + kind + "\n" + body;
    }

    static Decoded<Message> decodeJson(String json) {
        return CODEC.decodeJson(utf8(json));
    }

    /** Decodes a YAML stream that must hold exactly one document. */
    static Decoded<Message> decodeYaml(String yaml) {
        List<Decoded<Message>> documents = CODEC.decodeYaml(yaml);
        assertThat(documents).hasSize(1);
        return documents.getFirst();
    }

    static CodecException jsonError(String json) {
        return codecError(() -> CODEC.decodeJson(utf8(json)));
    }

    static CodecException yamlError(String yaml) {
        return codecError(() -> CODEC.decodeYaml(yaml));
    }

    /** Runs a decoding that must fail, and asserts that it failed with a CodecException that has a message. */
    static CodecException codecError(ThrowingCallable decoding) {
        Throwable thrown = catchThrowable(decoding);
        assertThat(thrown)
                .as("decoding must be refused with a CodecException")
                .isExactlyInstanceOf(CodecException.class);
        assertThat(thrown.getMessage()).isNotBlank();
        return (CodecException) thrown;
    }

    /** Byte arrays one after another. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A manifest of src/test/resources/manifests, decoded: a realistic object setting every field of its kind. */
    static Message manifest(String plural) {
        return decodeYaml(Golden.read("manifests/" + plural + ".yaml")).object();
    }
}
