package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.openapi.OpenApiV2;
import io.dbprovision.api.openapi.OpenApiV3;
import io.dbprovision.apiserver.registry.ApiException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@code /openapi/v2} (JSON, and the protobuf form kubectl 1.27/1.28 insist on loading) and {@code /openapi/v3}
 * (the index listing our group-version with its hash, and the document, immutable under its hash).
 */
final class OpenApiEndpoints {
    /** The dot form of the media type: Go's MIME parser rejects the '@' that kubectl sends in its Accept. */
    private static final String V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
    /**
     * A gnostic {@code openapi_v2.Document} with only {@code swagger: "2.0"} (field 1): enough for kubectl 1.27 and
     * 1.28 to proceed; they validate on the server side because the v3 document offers {@code fieldValidation}.
     */
    private static final byte[] MINIMAL_V2_PROTOBUF = {0x0a, 0x03, '2', '.', '0'};

    void serve(Call call) {
        String path = call.path();
        if (path.equals("/openapi/v2")) {
            v2(call);
        } else if (path.equals("/openapi/v3")) {
            call.respondJson(200, OpenApiV3.get().rootJson());
        } else if (path.equals("/openapi/v3/" + OpenApiV3.GROUP_VERSION_PATH)) {
            v3(call);
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
                call.setHeader("ETag", "\"" + OpenApiV2.get().sha512Hex() + "\"");
                call.respondJson(200, OpenApiV2.get().json());
                return;
            }
        }
        throw new ApiException.NotAcceptable("only application/json and " + V2_PROTOBUF + " are served");
    }

    private void v3(Call call) {
        for (MediaType type : call.accept()) {
            if (type.isJsonLike()) {
                OpenApiV3 document = OpenApiV3.get();
                String hash = document.sha512Hex();
                String requested = call.query("hash");
                if (!requested.isEmpty() && !requested.equals(hash)) {
                    call.setHeader("Location", "/openapi/v3/" + OpenApiV3.GROUP_VERSION_PATH + "?hash=" + hash);
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
