package io.dbprovision.apiserver.endpoints;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON for documents the server builds itself (Status, discovery, Table): plain maps and lists. */
final class Json {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false);

    private Json() {}

    static byte[] write(Object tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses JSON into maps, lists and scalars. @throws IOException on malformed input */
    static Object read(byte[] bytes) throws IOException {
        return MAPPER.readValue(bytes, Object.class);
    }
}
