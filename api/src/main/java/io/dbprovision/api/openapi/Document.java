package io.dbprovision.api.openapi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** A finished OpenAPI document: its tree, its canonical JSON and that JSON's hash, computed once. */
final class Document {
    private final Map<String, Object> tree;
    private final byte[] json;
    private final String sha512Hex;

    @SuppressWarnings("unchecked")
    Document(Map<String, Object> tree) {
        this.tree = (Map<String, Object>) JsonTree.sorted(tree);
        this.json = JsonTree.compact(this.tree);
        this.sha512Hex = sha512Hex(json);
    }

    Map<String, Object> tree() {
        return tree;
    }

    byte[] json() {
        return json.clone();
    }

    String prettyJson() {
        return JsonTree.pretty(tree);
    }

    String sha512Hex() {
        return sha512Hex;
    }

    static String sha512Hex(byte[] bytes) {
        try {
            return HexFormat.of()
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-512", e);
        }
    }
}
