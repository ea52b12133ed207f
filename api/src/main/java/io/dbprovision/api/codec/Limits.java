package io.dbprovision.api.codec;

/**
 * Bounds on what the codec reads, so hostile input is refused instead of exhausting the server.
 *
 * @param maxBytes largest document accepted, in bytes (Kubernetes limits request bodies to 3 MiB)
 * @param maxDepth deepest nesting of objects and arrays
 * @param maxAliases most YAML aliases to collections in one stream
 * @param maxNodes most values one document may expand to, counting each alias expansion
 */
public record Limits(int maxBytes, int maxDepth, int maxAliases, int maxNodes) {

    /** The server's limits: 3 MiB, depth 100, 50 aliases, one million values. */
    public static Limits defaults() {
        return new Limits(3 * 1024 * 1024, 100, 50, 1_000_000);
    }
}
