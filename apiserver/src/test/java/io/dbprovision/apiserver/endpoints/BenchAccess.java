package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.registry.Page;
import java.util.List;

/** The endpoints' package-private pieces the HTTP benchmark times on their own (not a test). */
public final class BenchAccess {
    private BenchAccess() {}

    /** The body of a plain JSON list response, in the parts {@code ResourceEndpoints} writes. */
    public static List<byte[]> listJson(Kind kind, Page page) {
        return ResourceEndpoints.listJson(kind, page);
    }
}
