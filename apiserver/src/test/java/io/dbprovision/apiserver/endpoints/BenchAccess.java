package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.registry.Page;

/** The endpoints' package-private pieces the HTTP benchmark times on their own (not a test). */
public final class BenchAccess {
    private BenchAccess() {}

    /** The body of a plain JSON list response, as {@code ResourceEndpoints} writes it. */
    public static byte[] listJson(KubeCodec codec, Kind kind, Page page) {
        return ResourceEndpoints.listJson(codec, kind, page);
    }
}
