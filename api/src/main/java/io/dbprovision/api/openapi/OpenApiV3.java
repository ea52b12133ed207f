package io.dbprovision.api.openapi;

import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.api.schema.SchemaDocs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI v3 document of {@code dbops.dbprovision.io/v1alpha1}, served at
 * {@code /openapi/v3/apis/dbops.dbprovision.io/v1alpha1}. kubectl reads it for explain, to decide on server-side
 * field validation, and to pick the patch type of apply. The schema is static, so the document is built once; a
 * server that serves computed subresources builds its own with their paths ({@link #of(Schema, List)}).
 */
public final class OpenApiV3 {
    /** This group-version's key in the {@code /openapi/v3} root document, and its path below {@code /openapi/v3/}. */
    public static final String GROUP_VERSION_PATH = "apis/" + Schema.GROUP + "/" + Schema.VERSION;

    private static final String VERSION = "3.0.0";

    private static final Map<Schema, OpenApiV3> BY_SCHEMA = new java.util.concurrent.ConcurrentHashMap<>();

    private final Document document;
    private final String groupVersionPath;

    private OpenApiV3(Schema schema, List<ComputedSubresource> subresources, SchemaDocs docs) {
        this.groupVersionPath = schema.group().isEmpty() ? "api/" + schema.version() : "apis/" + schema.apiVersion();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("openapi", VERSION);
        root.put("info", Map.of("title", "DB Provision " + schema.apiVersion(), "version", schema.version()));
        Map<String, Object> paths = new LinkedHashMap<>();
        List<ComputedSubresource> own = ofSchema(schema, subresources);
        for (PathItem item : PathsBuilder.build(schema.kinds(), own)) {
            paths.put(item.path(), pathItem(item));
        }
        root.put("paths", paths);
        root.put("components", Map.of("schemas", Components.build(schema.kinds(), own, RefStyle.V3, docs)));
        this.document = new Document(root);
    }

    public static OpenApiV3 get() {
        return Holder.INSTANCE;
    }

    /** The document of any group-version served (built once per schema). */
    public static OpenApiV3 of(Schema schema) {
        return schema == Schema.get()
                ? get()
                : BY_SCHEMA.computeIfAbsent(schema, s -> new OpenApiV3(s, List.of(), SchemaDocs.get()));
    }

    /**
     * The document of a group-version with the computed subresources a server serves (those of other group-versions
     * are left out): their GET paths and their response messages. Built anew on every call; without subresources it
     * is {@link #of(Schema)}'s.
     */
    public static OpenApiV3 of(Schema schema, List<ComputedSubresource> subresources) {
        List<ComputedSubresource> own = ofSchema(schema, subresources);
        return own.isEmpty() ? of(schema) : new OpenApiV3(schema, own, SchemaDocs.get());
    }

    /** The subresources whose parent is a kind of {@code schema}. */
    static List<ComputedSubresource> ofSchema(Schema schema, List<ComputedSubresource> subresources) {
        return subresources.stream()
                .filter(subresource -> schema.kinds().contains(subresource.parent()))
                .toList();
    }

    /** This group-version's key in the root document and its path below {@code /openapi/v3/}: {@code api/v1}, {@code apis/g/v}. */
    public String groupVersionPath() {
        return groupVersionPath;
    }

    /** The document as JSON with sorted keys and no whitespace; the same bytes on every call and every run. */
    public byte[] json() {
        return document.json();
    }

    /** Upper-case hex SHA-512 of {@link #json()}: the ETag and the {@code hash} of the root document's URL. */
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

    /**
     * The {@code /openapi/v3} root document, listing only this group-version (the aggregator merges roots, so a
     * foreign key would clobber another server's entry).
     */
    public byte[] rootJson() {
        return rootJson(List.of(this));
    }

    /** The {@code /openapi/v3} root document listing {@code documents} (the group-versions this server serves). */
    public static byte[] rootJson(List<OpenApiV3> documents) {
        Map<String, Object> paths = new java.util.TreeMap<>();
        for (OpenApiV3 document : documents) {
            String url = "/openapi/v3/" + document.groupVersionPath + "?hash=" + document.sha512Hex();
            paths.put(document.groupVersionPath, Map.of("serverRelativeURL", url));
        }
        return JsonTree.compact(Map.of("paths", paths));
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
        if (!operation.parameters().isEmpty()) {
            out.put("parameters", parameters(operation.parameters()));
        }
        operation.body().ifPresent(body -> out.put("requestBody", requestBody(body)));
        Map<String, Object> responses = new LinkedHashMap<>();
        for (Response response : operation.responses()) {
            responses.put(response.code(), response(response));
        }
        out.put("responses", responses);
        out.put("x-kubernetes-action", operation.action());
        // A single object here, unlike the array on schemas: kubectl reads both shapes as Kubernetes writes them.
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
            p.put("schema", Map.of("type", parameter.type().openApiName()));
            out.add(p);
        }
        return out;
    }

    private static Map<String, Object> requestBody(Body body) {
        Map<String, Object> content = new LinkedHashMap<>();
        for (String type : body.mediaTypes()) {
            content.put(type, Map.of("schema", RefStyle.V3.ref(body.schema())));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("content", content);
        if (body.required()) {
            out.put("required", true);
        }
        return out;
    }

    private static Map<String, Object> response(Response response) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("description", response.description());
        if (!response.schemas().isEmpty()) {
            Map<String, Object> content = new LinkedHashMap<>();
            response.schemas().forEach((type, schema) -> content.put(type, Map.of("schema", RefStyle.V3.ref(schema))));
            out.put("content", content);
        }
        return out;
    }

    private static final class Holder {
        static final OpenApiV3 INSTANCE = new OpenApiV3(Schema.get(), List.of(), SchemaDocs.get());
    }
}
