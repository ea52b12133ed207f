package io.dbprovision.apiserver.endpoints;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dbprovision.apiserver.registry.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * JSON for documents the server builds itself (Status, discovery, Table): plain maps and lists; and the reading of
 * the JSON documents a client sends that are not objects of a kind (patches, DeleteOptions), within the same bounds
 * as the codec's: nesting at most {@value #MAX_DEPTH} deep, one value and nothing after it.
 */
final class Json {
    /** As deep as the codec reads objects: no Kubernetes object nests anywhere near it. */
    static final int MAX_DEPTH = 100;

    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false);
    private static final ObjectMapper READER = new ObjectMapper(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    static byte[] write(Object tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses a client's JSON into maps, lists and scalars.
     *
     * @param what what the document is, for the message ("the patch")
     * @throws ApiException.BadRequest on anything but one well-formed JSON value within the bounds
     */
    static Object read(byte[] bytes, String what) {
        requireUtf8(bytes, what);
        try {
            Object value = READER.readValue(bytes, Object.class);
            if (value == null && bytes.length == 0) {
                throw new ApiException.BadRequest(what + " is empty");
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw new ApiException.BadRequest(
                    what + " exceeds a limit: it nests deeper than " + MAX_DEPTH + " levels or has a value too long");
        } catch (JsonProcessingException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("No content to map")) {
                throw new ApiException.BadRequest(what + " is empty");
            }
            throw new ApiException.BadRequest(
                    what + " is not valid JSON: " + PublicMessages.clean(e.getOriginalMessage()) + where(e));
        } catch (IOException e) {
            throw new ApiException.BadRequest(what + " cannot be read");
        }
    }

    /**
     * JSON is UTF-8 (RFC 8259); the parser is lenient with some invalid sequences (overlong forms), which the codec
     * refuses in objects: refuse them in patches too, so that no byte sequence means one thing here and another there.
     */
    private static void requireUtf8(byte[] bytes, String what) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw new ApiException.BadRequest(what + " is not valid UTF-8 at byte " + in.position());
            }
            if (result.isUnderflow()) {
                return;
            }
            out.clear();
        }
    }

    private static String where(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        return location == null || location.getLineNr() < 1
                ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
