package io.dbprovision.apiserver.endpoints;

import io.dbprovision.apiserver.registry.ApiException;
import java.util.List;

/**
 * The shapes an object or list can be answered in, chosen from the Accept header in the client's order: the
 * object as JSON or YAML, a {@code Table} (kubectl's human output) or {@code PartialObjectMetadata} (the metadata
 * client of the garbage collector and namespace controller). Protobuf alternatives are skipped, so clients that list
 * protobuf first get JSON.
 */
enum Output {
    JSON,
    YAML,
    TABLE,
    PARTIAL_METADATA;

    static Output negotiate(List<MediaType> accept) {
        for (MediaType type : accept) {
            String as = type.parameter("as");
            boolean meta = type.parameter("g").equals("meta.k8s.io")
                    && (type.parameter("v").equals("v1") || type.parameter("v").equals("v1beta1"));
            if (type.essence().equals("application/json")) {
                if (as.isEmpty()) {
                    return JSON;
                }
                if (meta && as.equals("Table")) {
                    return TABLE;
                }
                if (meta && (as.equals("PartialObjectMetadata") || as.equals("PartialObjectMetadataList"))) {
                    return PARTIAL_METADATA;
                }
                continue;
            }
            if (type.essence().equals("application/yaml")
                    && type.parameter("as").isEmpty()) {
                return YAML;
            }
            if (type.essence().equals("*/*") || type.essence().equals("application/*")) {
                return JSON;
            }
        }
        throw new ApiException.NotAcceptable(
                "only the following media types are accepted: application/json, application/yaml,"
                        + " application/json;as=Table;v=v1;g=meta.k8s.io,"
                        + " application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io");
    }
}
