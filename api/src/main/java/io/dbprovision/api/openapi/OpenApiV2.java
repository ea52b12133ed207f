package io.dbprovision.api.openapi;

import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.api.schema.SchemaDocs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The same operations and schemas as {@link OpenApiV3}, as a Swagger 2.0 document served at {@code /openapi/v2}.
 * The kube-aggregator downloads it as JSON and merges it into the cluster's document; kubectl 1.27 and 1.28 read
 * PATCH {@code consumes} from it to choose the patch type of apply.
 */
public final class OpenApiV2 {
    private static final List<String> SCHEMES = List.of("https");

    private final Document document;

    private OpenApiV2(Schema schema, List<ComputedSubresource> subresources, SchemaDocs docs) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("swagger", "2.0");
        root.put("info", Map.of("title", "DB Provision " + Schema.API_VERSION, "version", Schema.VERSION));
        Map<String, Object> paths = new LinkedHashMap<>();
        List<ComputedSubresource> own = OpenApiV3.ofSchema(schema, subresources);
        for (PathItem item : PathsBuilder.build(schema.kinds(), own)) {
            paths.put(item.path(), pathItem(item));
        }
        root.put("paths", paths);
        root.put("definitions", Components.build(schema.kinds(), own, RefStyle.V2, docs));
        this.document = new Document(root);
    }

    public static OpenApiV2 get() {
        return Holder.INSTANCE;
    }

    /**
     * The document with the computed subresources a server serves of {@code dbops.dbprovision.io/v1alpha1} (others
     * are left out): their GET paths and response messages. Built anew on every call; without any it is
     * {@link #get()}.
     */
    public static OpenApiV2 of(List<ComputedSubresource> subresources) {
        List<ComputedSubresource> own = OpenApiV3.ofSchema(Schema.get(), subresources);
        return own.isEmpty() ? get() : new OpenApiV2(Schema.get(), own, SchemaDocs.get());
    }

    /** The document as JSON with sorted keys and no whitespace; the same bytes on every call and every run. */
    public byte[] json() {
        return document.json();
    }

    /** Upper-case hex SHA-512 of {@link #json()}, for the ETag the aggregator revalidates with. */
    public String sha512Hex() {
        return document.sha512Hex();
    }

    /** The document as an unmodifiable tree of maps (in key order), lists, strings, numbers and booleans. */
    public Map<String, Object> tree() {
        return document.tree();
    }

    /** Indented JSON, for people and golden files. */
    public String prettyJson() {
        return document.prettyJson();
    }

    private static Map<String, Object> pathItem(PathItem item) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("parameters", parameters(item.parameters()));
        for (Operation operation : item.operations()) {
            out.put(operation.method(), operation(operation));
        }
        return out;
    }

    private static Map<String, Object> operation(Operation operation) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("operationId", operation.operationId());
        out.put("description", operation.description());
        out.put("tags", List.of(PathsBuilder.TAG));
        out.put("schemes", SCHEMES);
        List<Object> parameters = parameters(operation.parameters());
        operation.body().ifPresent(body -> {
            out.put("consumes", body.mediaTypes());
            parameters.add(bodyParameter(body));
        });
        if (!parameters.isEmpty()) {
            out.put("parameters", parameters);
        }
        Set<String> produces = new LinkedHashSet<>();
        Map<String, Object> responses = new LinkedHashMap<>();
        for (Response response : operation.responses()) {
            produces.addAll(response.schemas().keySet());
            responses.put(response.code(), response(response));
        }
        out.put("produces", List.copyOf(produces));
        out.put("responses", responses);
        out.put("x-kubernetes-action", operation.action());
        out.put(SchemaBuilder.GVK, SchemaBuilder.gvk(operation.kind(), operation.gvkKind()));
        return out;
    }

    private static List<Object> parameters(List<Parameter> parameters) {
        List<Object> out = new ArrayList<>();
        for (Parameter parameter : parameters) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", parameter.name());
            p.put("in", parameter.in().openApiName());
            p.put("description", parameter.description());
            if (parameter.required()) {
                p.put("required", true);
            }
            p.put("type", parameter.type().openApiName());
            out.add(p);
        }
        return out;
    }

    private static Map<String, Object> bodyParameter(Body body) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", "body");
        out.put("in", "body");
        out.put("required", body.required());
        out.put("schema", RefStyle.V2.ref(body.schema()));
        return out;
    }

    /** Swagger 2.0 has one schema per response, so the JSON one stands for all media types. */
    private static Map<String, Object> response(Response response) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("description", response.description());
        String schema = response.schemas().get(MediaTypes.JSON);
        if (schema != null) {
            out.put("schema", RefStyle.V2.ref(schema));
        }
        return out;
    }

    private static final class Holder {
        static final OpenApiV2 INSTANCE = new OpenApiV2(Schema.get(), List.of(), SchemaDocs.get());
    }
}
