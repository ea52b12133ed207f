package io.dbprovision.apiserver.storage;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The opaque continue token of a paged list: the version the first page was read at and the last key returned. */
record ContinueToken(long resourceVersion, String namespace, String name) {

    String encode() {
        String text = resourceVersion + "\n" + namespace + "\n" + name;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static ContinueToken decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = text.split("\n", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException();
            }
            return new ContinueToken(Long.parseLong(parts[0]), parts[1], parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid continue token");
        }
    }
}
