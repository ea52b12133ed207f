package io.dbprovision.api.kinds;

import io.dbprovision.proto.v1alpha1.DatabaseUserSpec;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name of a DatabaseUser's credentials Secret: {@code passwordSecret.secretName}, else one derived from
 * {@code spec.username}. A username ({@code [a-zA-Z_][a-zA-Z0-9_]*}) may start with an underscore or hold capitals,
 * which a Secret name (a lowercase RFC 1123 subdomain) may not, and {@code App} and {@code app} are two users on the
 * server. So:
 *
 * <ul>
 *   <li>a lowercase username that starts with a letter keeps the rule the seed and manifests know:
 *       {@code <username with _ as ->-credentials} ({@code orders_app} → {@code orders-app-credentials});
 *   <li>any other gets the readable part (lower-cased, {@code _} as {@code -}, without leading or trailing dashes;
 *       {@code user} when nothing is left), a dot, and the exact username in base32 (lower case, no padding):
 *       {@code _App} → {@code app.l5axa4a-credentials}.
 * </ul>
 *
 * The result is always a valid Secret name (at most 177 characters) and two usernames never share one: names of the
 * first form have no dot, and those of the second carry the whole username, case and underscores included.
 */
public final class CredentialsSecretNames {
    private static final Pattern PLAIN = Pattern.compile("[a-z][a-z0-9_]*");
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String SUFFIX = "-credentials";

    private CredentialsSecretNames() {}

    /** {@code passwordSecret.secretName}, else {@link #defaultFor} the username. */
    public static String of(DatabaseUserSpec spec) {
        String configured = spec.getPasswordSecret().getSecretName();
        return configured.isEmpty() ? defaultFor(spec.getUsername()) : configured;
    }

    /** The default credentials Secret name of {@code username}. */
    public static String defaultFor(String username) {
        if (PLAIN.matcher(username).matches()) {
            return username.replace('_', '-') + SUFFIX;
        }
        String readable = username.toLowerCase(Locale.ROOT)
                .replace('_', '-')
                .replaceAll("^-+", "")
                .replaceAll("-+$", "");
        // What a username cannot hold (it is validated, but this must never make an invalid name) is dropped.
        readable = readable.replaceAll("[^a-z0-9-]", "");
        if (readable.isEmpty()) {
            readable = "user";
        }
        return readable + "." + base32(username.getBytes(StandardCharsets.UTF_8)) + SUFFIX;
    }

    /** RFC 4648 base32 in lower case without padding: letters and the digits 2–7 only. */
    private static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}
