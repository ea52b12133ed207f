package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.openapi.OpenApiV2;
import io.dbprovision.api.openapi.OpenApiV3;
import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.registry.ApiException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /openapi/v2} (JSON, and the protobuf form kubectl 1.27/1.28 insist on loading; the dbops group's document,
 * which the kube-aggregator merges) and {@code /openapi/v3} (the index listing every group-version served with its
 * hash, and each document, immutable under its hash).
 */
final class OpenApiEndpoints {
    /** The dot form of the media type: Go's MIME parser rejects the '@' that kubectl sends in its Accept. */
    private static final String V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
    /**
     * A gnostic {@code openapi_v2.Document} with only {@code swagger: "2.0"} (field 1): enough for kubectl 1.27 and
     * 1.28 to proceed; they validate on the server side because the v3 document offers {@code fieldValidation}.
     */
    private static final byte[] MINIMAL_V2_PROTOBUF = {0x0a, 0x03, '2', '.', '0'};

    /** The v3 document of each group-version served, by its path below {@code /openapi/v3/}. */
    private final Map<String, OpenApiV3> v3 = new LinkedHashMap<>();

    private final byte[] v3Root;
    private final OpenApiV2 v2;

    /**
     * @param schemas the group-versions served; create-only ones (reviews) have no document, as in Kubernetes their
     *     group's document is the cluster's business
     * @param subresources the computed subresources served: each document has their GET paths and response messages
     */
    OpenApiEndpoints(List<Schema> schemas, List<ComputedSubresource> subresources) {
        for (Schema schema : schemas) {
            if (schema.kinds().stream().anyMatch(kind -> !kind.createOnly())) {
                OpenApiV3 document = OpenApiV3.of(schema, subresources);
                v3.put(document.groupVersionPath(), document);
            }
        }
        this.v3Root = OpenApiV3.rootJson(List.copyOf(v3.values()));
        this.v2 = OpenApiV2.of(subresources);
    }

    void serve(Call call) {
        String path = call.path();
        OpenApiV3 document = path.startsWith("/openapi/v3/") ? v3.get(path.substring("/openapi/v3/".length())) : null;
        if (path.equals("/openapi/v2")) {
            v2(call);
        } else if (path.equals("/openapi/v3")) {
            call.respondJson(200, v3Root);
        } else if (document != null) {
            v3(call, document);
        } else {
            throw new ApiException.NotFound(new ApiException.Subject("", "", path));
        }
    }

    private void v2(Call call) {
        List<MediaType> accept = call.accept();
        for (MediaType type : accept) {
            if (type.subtype().contains("protobuf")
                    && type.essence().startsWith("application/com.github.proto-openapi")) {
                call.respond(200, V2_PROTOBUF, MINIMAL_V2_PROTOBUF);
                return;
            }
            if (type.isJsonLike()) {
                call.setHeader("ETag", "\"" + v2.sha512Hex() + "\"");
                call.respondJson(200, v2.json());
                return;
            }
        }
        throw new ApiException.NotAcceptable("only application/json and " + V2_PROTOBUF + " are served");
    }

    private void v3(Call call, OpenApiV3 document) {
        for (MediaType type : call.accept()) {
            if (type.isJsonLike()) {
                String hash = document.sha512Hex();
                String requested = call.query("hash");
                if (!requested.isEmpty() && !requested.equals(hash)) {
                    call.setHeader("Location", "/openapi/v3/" + document.groupVersionPath() + "?hash=" + hash);
                    call.respondText(301, "");
                    return;
                }
                call.setHeader("ETag", "\"" + hash + "\"");
                call.setHeader("Vary", "Accept");
                if (!requested.isEmpty()) {
                    call.setHeader("Cache-Control", "public, immutable");
                    call.setHeader(
                            "Expires",
                            DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                    ZonedDateTime.now(ZoneOffset.UTC).plusYears(1)));
                }
                call.respondJson(200, document.json());
                return;
            }
        }
        throw new ApiException.NotAcceptable("only application/json is served");
    }
}
