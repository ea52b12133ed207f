package io.dbprovision.apiserver.storage;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What selectors see of an object: its labels and its selectable fields ({@code metadata.name},
 * {@code metadata.namespace}, {@code spec.engine}, {@code status.phase}, ...). The registry computes them on every
 * write and storage keeps them beside the value, so selectors are evaluated without decoding objects.
 */
public record Attributes(Map<String, String> labels, Map<String, String> fields) {
    public static final Attributes EMPTY = new Attributes(Map.of(), Map.of());

    public Attributes {
        labels = Map.copyOf(labels);
        fields = Map.copyOf(fields);
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeMap(out, labels);
            writeMap(out, fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Attributes decode(byte[] encoded) {
        if (encoded == null || encoded.length == 0) {
            return EMPTY;
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(encoded))) {
            return new Attributes(readMap(in), readMap(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> entry : new TreeMap<>(map).entrySet()) {
            out.writeUTF(entry.getKey());
            out.writeUTF(entry.getValue());
        }
    }

    private static Map<String, String> readMap(DataInputStream in) throws IOException {
        int size = in.readInt();
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            map.put(in.readUTF(), in.readUTF());
        }
        return map;
    }
}
