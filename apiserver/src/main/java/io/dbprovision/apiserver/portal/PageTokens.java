package io.dbprovision.apiserver.portal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Page tokens of List calls: the registry's continue token, wrapped with a digest of what the list asks for (kind,
 * parent, selectors), so that a token is refused (INVALID_ARGUMENT) when the request it is sent with asks for
 * another list, as AIP-158 wants. The registry still checks the continue token itself; a token that decodes but names
 * a place the caller could not list reads nothing outside the parent, whose scope comes from the request, never from
 * the token.
 */
final class PageTokens {
    private static final String VERSION = "p1";
    private static final int MAX_TOKEN_LENGTH = 4096;

    private PageTokens() {}

    static String wrap(String continueToken, String... query) {
        if (continueToken.isEmpty()) {
            return "";
        }
        String text = VERSION + "\n" + digest(query) + "\n" + continueToken;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The registry's continue token in {@code pageToken}; empty for the first page. */
    static String unwrap(String pageToken, String... query) {
        if (pageToken.isEmpty()) {
            return "";
        }
        if (pageToken.length() > MAX_TOKEN_LENGTH) {
            throw invalid("is not a page token of this server");
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("is not a page token of this server");
        }
        String[] parts = text.split("\n", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION) || parts[2].isEmpty()) {
            throw invalid("is not a page token of this server");
        }
        if (!MessageDigest.isEqual(
                parts[1].getBytes(StandardCharsets.UTF_8), digest(query).getBytes(StandardCharsets.UTF_8))) {
            throw invalid("belongs to another list: parent and selectors must be as they were for the first page");
        }
        return parts[2];
    }

    private static InvalidArgument invalid(String detail) {
        return new InvalidArgument("page_token", "the page token " + detail);
    }

    private static String digest(String... query) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : query) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
