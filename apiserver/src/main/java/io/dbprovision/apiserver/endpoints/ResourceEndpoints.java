package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.CodecException;
import io.dbprovision.api.codec.Decoded;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.ObjectVersion;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Page;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.registry.Written;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import io.dbprovision.apiserver.storage.ListOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The verbs on one kind's resource paths: get, list, watch, create, update, patch, delete, deletecollection. */
final class ResourceEndpoints {
    static final String MERGE_PATCH = "application/merge-patch+json";
    static final String JSON_PATCH = "application/json-patch+json";
    static final String APPLY_PATCH = "application/apply-patch+yaml";
    static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    static final String PROTOBUF = "application/vnd.kubernetes.protobuf";
    /** The fixed pieces of a plain JSON list body around and between its items (see {@link #listJson}). */
    private static final byte[] ITEMS_OPEN = ",\"items\":[".getBytes(StandardCharsets.UTF_8);

    private static final byte[] COMMA = {','};
    private static final byte[] ITEMS_CLOSE = {']', '}'};

    private final KubeCodec codec;
    private final Tables tables;
    private final WatchStreams watches;
    private final int maxBodyBytes;
    private final ServerSideApply serverSideApply;

    ResourceEndpoints(KubeCodec codec, Tables tables, WatchStreams watches, int maxBodyBytes) {
        this.codec = codec;
        this.tables = tables;
        this.watches = watches;
        this.maxBodyBytes = maxBodyBytes;
        this.serverSideApply = new ServerSideApply(codec, maxBodyBytes);
    }

    void serve(Call call, RequestContext context, ResourceStore store) {
        RequestInfo info = context.info();
        Kind kind = store.kind();
        if (!METHODS.contains(call.method())) {
            throw notSupported(call, info);
        }
        if (kind.clusterScoped() && !info.namespace().isEmpty()) {
            throw new ApiException.NotFound(new ApiException.Subject(kind.group(), kind.plural(), info.name()));
        }
        PathSegments.checkNamespace(info.namespace());
        PathSegments.checkName(info.name());
        boolean status = info.subresource().equals("status");
        if (!info.subresource().isEmpty() && !status) {
            throw new ApiException.NotFound(
                    new ApiException.Subject(kind.group(), kind.plural() + "/" + info.subresource(), info.name()));
        }
        boolean named = !info.name().isEmpty();
        String verb = info.verb();
        if (!kind.clusterScoped() && info.namespace().isEmpty()) {
            // A namespaced kind's cluster-wide path lists and watches every namespace; nothing else lives there, and
            // no object of the kind exists without a namespace. Kubernetes has no route for the rest: 404 for a name,
            // 405 for any other verb on the collection.
            if (named) {
                throw new ApiException.NotFound(new ApiException.Subject(kind.group(), kind.plural(), info.name()));
            }
            if (!verb.equals("list") && !verb.equals("watch")) {
                throw notSupported(call, info);
            }
        }
        boolean collectionOnly = verb.equals("create") || verb.equals("list") || verb.equals("deletecollection");
        boolean objectOnly =
                verb.equals("get") || verb.equals("update") || verb.equals("patch") || verb.equals("delete");
        if (named && collectionOnly || !named && objectOnly) {
            throw notSupported(call, info);
        }
        if (status && !verb.equals("get") && !verb.equals("update") && !verb.equals("patch")) {
            throw notSupported(call, info);
        }
        if (call.method().equals("GET") || call.method().equals("HEAD")) {
            call.flag("watch"); // refuses a spelling that is neither true nor false
        }
        if (!store.supports(verb)) {
            throw notSupported(call, info);
        }
        String namespace = info.namespace();
        switch (verb) {
            case "get" -> get(call, context, store, namespace, info.name());
            case "list" -> list(call, context, store, namespace);
            case "watch" -> watches.serve(call, context, store, namespace, info.name());
            case "create" -> create(call, context, store, namespace);
            case "update" -> update(call, context, store, namespace, info.name(), status);
            case "patch" -> patch(call, context, store, namespace, info.name(), status);
            case "delete" -> delete(call, context, store, namespace, info.name());
            case "deletecollection" -> deleteCollection(call, context, store, namespace);
            default -> throw notSupported(call, info);
        }
    }

    /** The HTTP methods resource paths serve; anything else (OPTIONS, TRACE, a lower-case "get") is 405. */
    private static final java.util.Set<String> METHODS =
            java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");

    private static ApiException notSupported(Call call, RequestInfo info) {
        return new ApiException.MethodNotAllowed("the server does not allow this method on the requested resource: "
                + call.method() + " " + PublicMessages.printable(info.path()));
    }

    // ---- reads

    private void get(Call call, RequestContext context, ResourceStore store, String namespace, String name) {
        Output output = Output.negotiate(call.accept());
        String rv = call.query("resourceVersion");
        ObjectVersion version =
                store.getVersion(context, namespace, name, rv.isEmpty() ? 0 : parseLong(rv, "resourceVersion"));
        Message object = output == Output.JSON ? null : version.object();
        switch (output) {
            case TABLE ->
                call.respondJson(
                        200,
                        Json.write(tables.table(
                                store.kind(),
                                List.of(object),
                                Map.of("resourceVersion", Objects.meta(object).getResourceVersion()),
                                true,
                                Tables.IncludeObject.parse(call.query("includeObject")))));
            case PARTIAL_METADATA -> call.respondJson(200, Json.write(tables.partialMetadata(object)));
            default -> writeObject(call, 200, version, output);
        }
    }

    private void list(Call call, RequestContext context, ResourceStore store, String namespace) {
        Output output = Output.negotiate(call.accept());
        Page page = store.list(context, namespace, listQuery(call));
        Map<String, Object> listMeta = listMeta(page);
        Map<String, Object> document;
        switch (output) {
            case TABLE ->
                document = tables.table(
                        store.kind(),
                        page.items(),
                        listMeta,
                        true,
                        Tables.IncludeObject.parse(call.query("includeObject")));
            case PARTIAL_METADATA -> {
                document = new LinkedHashMap<>();
                document.put("kind", "PartialObjectMetadataList");
                document.put("apiVersion", "meta.k8s.io/v1");
                document.put("metadata", listMeta);
                List<Object> items = new ArrayList<>(page.items().size());
                page.items().forEach(item -> items.add(tables.partialMetadata(item)));
                document.put("items", items);
            }
            case YAML -> document = listDocument(codec, store.kind(), page);
            default -> {
                call.respondJson(200, listJson(store.kind(), page));
                return;
            }
        }
        if (output == Output.YAML) {
            call.respond(200, "application/yaml", Yaml.write(document));
        } else {
            call.respondJson(200, Json.write(document));
        }
    }

    private static Map<String, Object> listMeta(Page page) {
        Map<String, Object> listMeta = new LinkedHashMap<>();
        listMeta.put("resourceVersion", page.resourceVersion());
        if (!page.continueToken().isEmpty()) {
            listMeta.put("continue", page.continueToken());
            if (page.remainingItemCount() >= 0) {
                listMeta.put("remainingItemCount", page.remainingItemCount());
            }
        }
        return listMeta;
    }

    /** The list of a kind ({@code DatabaseInstanceList}) as a tree: the YAML form writes it. */
    static Map<String, Object> listDocument(KubeCodec codec, Kind kind, Page page) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("apiVersion", kind.apiVersion());
        document.put("kind", kind.listKind());
        document.put("metadata", listMeta(page));
        List<Object> items = new ArrayList<>(page.items().size());
        page.items().forEach(item -> items.add(codec.toTree(item)));
        document.put("items", items);
        return document;
    }

    /**
     * The list of a kind as JSON, the body of a plain list response, in parts: the list's head, then each item's JSON
     * as its stored version keeps it (encoded once, however often it is listed) with the commas between them, then
     * the tail. The same bytes as {@link #listDocument} written as JSON, without building or copying the whole body
     * (the HTTP benchmark measures it alone).
     */
    static List<byte[]> listJson(Kind kind, Page page) {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("apiVersion", kind.apiVersion());
        head.put("kind", kind.listKind());
        head.put("metadata", listMeta(page));
        byte[] open = Json.write(head); // {"apiVersion":…,"metadata":{…}}: drop the closing brace, open the items
        List<byte[]> parts = new ArrayList<>(2 * page.versions().size() + 2);
        parts.add(concat(java.util.Arrays.copyOf(open, open.length - 1), ITEMS_OPEN));
        for (int i = 0; i < page.versions().size(); i++) {
            if (i > 0) {
                parts.add(COMMA);
            }
            parts.add(page.versions().get(i).json());
        }
        parts.add(ITEMS_CLOSE);
        return parts;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static ListQuery listQuery(Call call) {
        String rv = call.query("resourceVersion");
        String match = call.query("resourceVersionMatch");
        String continueToken = call.query("continue");
        long limit = call.query("limit").isEmpty() ? 0 : parseLong(call.query("limit"), "limit");
        long version = rv.isEmpty() ? 0 : parseLong(rv, "resourceVersion");
        if (!call.query("timeoutSeconds").isEmpty()) {
            parseLong(call.query("timeoutSeconds"), "timeoutSeconds"); // a list ignores it, but only when well formed
        }
        if (!match.isEmpty() && rv.isEmpty()) {
            throw invalidListOptions(
                    "resourceVersionMatch",
                    match,
                    "resourceVersionMatch is forbidden unless resourceVersion is provided");
        }
        if (!match.isEmpty() && !continueToken.isEmpty()) {
            throw invalidListOptions(
                    "resourceVersionMatch", match, "resourceVersionMatch is forbidden when continue is provided");
        }
        ListOptions.Match kind = switch (match) {
            case "" -> rv.isEmpty() ? ListOptions.Match.LATEST : ListOptions.Match.NOT_OLDER_THAN;
            case "NotOlderThan" -> ListOptions.Match.NOT_OLDER_THAN;
            case "Exact" -> {
                if (version == 0) {
                    throw invalidListOptions(
                            "resourceVersionMatch",
                            match,
                            "resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"");
                }
                yield ListOptions.Match.EXACT;
            }
            default ->
                throw invalidListOptions(
                        "resourceVersionMatch", match, "supported values: \"Exact\", \"NotOlderThan\"");
        };
        if (call.flag("sendInitialEvents")) {
            throw invalidListOptions("sendInitialEvents", "true", "sendInitialEvents is forbidden for list");
        }
        return new ListQuery(
                call.query("labelSelector"),
                call.query("fieldSelector"),
                (int) Math.min(limit, Integer.MAX_VALUE),
                continueToken,
                version,
                kind);
    }

    private static ApiException invalidListOptions(String field, String value, String detail) {
        return new ApiException.Invalid(
                "meta.k8s.io",
                "ListOptions",
                "",
                List.of(io.dbprovision.api.field.FieldError.invalid(
                        io.dbprovision.api.field.FieldPath.of(field), value, detail)));
    }

    // ---- writes

    private void create(Call call, RequestContext context, ResourceStore store, String namespace) {
        Message object = decodeBody(call, store);
        Written written = store.create(context, namespace, object, writeOptions(call));
        call.warnAll(written.warnings());
        writeObject(call, 201, written.version(), Output.negotiate(call.accept()));
    }

    private void update(
            Call call, RequestContext context, ResourceStore store, String namespace, String name, boolean status) {
        Message object = decodeBody(call, store);
        Written written = store.update(context, namespace, name, object, writeOptions(call), status);
        call.warnAll(written.warnings());
        writeObject(call, 200, written.version(), Output.negotiate(call.accept()));
    }

    private void patch(
            Call call, RequestContext context, ResourceStore store, String namespace, String name, boolean status) {
        String type = call.contentType().essence();
        boolean force = call.flag("force"); // PatchOptions.force: refused when malformed, whatever the patch type
        if (force && !type.equals(APPLY_PATCH)) {
            throw new ApiException.Invalid(
                    "meta.k8s.io",
                    "PatchOptions",
                    "",
                    List.of(io.dbprovision.api.field.FieldError.forbidden(
                            io.dbprovision.api.field.FieldPath.of("force"),
                            "may not be specified for non-apply patch")));
        }
        if (type.equals(APPLY_PATCH)) {
            WriteOptions options = writeOptions(call);
            Written written = store.apply(
                    context,
                    namespace,
                    name,
                    serverSideApply.read(call, store.kind(), namespace, name),
                    options,
                    status);
            call.warnAll(written.warnings());
            writeObject(call, written.created() ? 201 : 200, written.version(), Output.negotiate(call.accept()));
            return;
        }
        // Strategic merge patch only for the core kinds kubectl knows as Go types; ours answer 415 as CRDs do.
        boolean strategic =
                type.equals(STRATEGIC_MERGE_PATCH) && store.kind().group().isEmpty();
        if (!type.equals(MERGE_PATCH) && !type.equals(JSON_PATCH) && !strategic) {
            String kind = store.kind().apiVersion() + ", Kind=" + store.kind().kind();
            throw new ApiException.UnsupportedMediaType("the body of the request was in an unknown format - accepted"
                    + " media types include: " + MERGE_PATCH + ", " + JSON_PATCH + ", " + APPLY_PATCH
                    + (type.equals(STRATEGIC_MERGE_PATCH)
                            ? " (strategic merge patch is not supported by " + kind + ")"
                            : ""));
        }
        Object patch = Json.read(call.body(maxBodyBytes), "the patch");
        if (type.equals(JSON_PATCH)) {
            JsonPatch.checkOperations(patch);
        }
        FieldValidation validation = FieldValidation.of(call);
        Written written = store.patch(
                context,
                namespace,
                name,
                current -> {
                    Object tree = codec.toTree(current);
                    Object patched = switch (type) {
                        case MERGE_PATCH -> MergePatch.apply(tree, patch);
                        case JSON_PATCH -> JsonPatch.apply(tree, patch, maxBodyBytes);
                        default -> StrategicMergePatch.apply(tree, patch);
                    };
                    byte[] json = Json.write(patched);
                    if (json.length > maxBodyBytes) {
                        // Bounded already (a patch adds at most its own size, copies at most the copy limit), but
                        // the object stored must be no larger than one a client could have sent whole.
                        throw new ApiException.RequestEntityTooLarge("the patched object would be " + json.length
                                + " bytes, more than the " + maxBodyBytes + " accepted");
                    }
                    return decode(codec, call, store.kind(), json, validation);
                },
                writeOptions(call),
                status);
        call.warnAll(written.warnings());
        writeObject(call, 200, written.version(), Output.negotiate(call.accept()));
    }

    private void delete(Call call, RequestContext context, ResourceStore store, String namespace, String name) {
        Written written = store.delete(context, namespace, name, deleteOptions(call));
        writeObject(call, 200, written.version(), Output.negotiate(call.accept()));
    }

    private void deleteCollection(Call call, RequestContext context, ResourceStore store, String namespace) {
        List<Message> deleted = store.deleteCollection(context, namespace, listQuery(call), deleteOptions(call));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("apiVersion", store.kind().apiVersion());
        document.put("kind", store.kind().listKind());
        document.put("metadata", Map.of());
        List<Object> items = new ArrayList<>();
        deleted.forEach(item -> items.add(codec.toTree(item)));
        document.put("items", items);
        call.respondJson(200, Json.write(document));
    }

    // ---- bodies and options

    private Message decodeBody(Call call, ResourceStore store) {
        return decode(codec, call, store.kind(), call.body(maxBodyBytes), FieldValidation.of(call));
    }

    /**
     * A request body as an object of {@code kind}, by its Content-Type (a PATCH's patched result is JSON): JSON, YAML,
     * or protobuf where the kind has a wire form; unknown fields as {@code fieldValidation} says. Create-only kinds
     * (reviews) decode through here too.
     */
    static Message decode(KubeCodec codec, Call call, Kind kind, byte[] body, FieldValidation validation) {
        MediaType type = call.method().equals("PATCH") ? MediaType.JSON : call.contentType();
        Decoded<Message> decoded;
        try {
            if (type.essence().equals("application/json")) {
                decoded = codec.decodeJson(body, kind.object());
            } else if (type.essence().equals("application/yaml")) {
                decoded = codec.decodeYaml(body, kind.object());
            } else if (type.essence().equals(PROTOBUF) && codec.readsProtobuf(kind.object())) {
                // kubectl 1.33's imperative create of core kinds (create namespace, create secret) sends protobuf
                decoded = codec.decodeProtobuf(body, kind.object());
            } else {
                throw new ApiException.UnsupportedMediaType("the body of the request was in an unknown format -"
                        + " accepted media types include: application/json, application/yaml");
            }
        } catch (CodecException e) {
            throw new ApiException.BadRequest(PublicMessages.clean(e.getMessage()));
        }
        validation.check(decoded, call);
        if (!decoded.invalidValues().isEmpty()) {
            throw new ApiException.Invalid(
                    kind.group(), kind.kind(), Objects.meta(decoded.object()).getName(), decoded.invalidValues());
        }
        return decoded.object();
    }

    /**
     * The options of a create, update or patch. Without a {@code fieldManager}, the manager is named after the
     * client's User-Agent up to its first slash, as Kubernetes names it ("unknown" when there is none).
     */
    static WriteOptions writeOptions(Call call) {
        String manager = call.query("fieldManager");
        String optionsKind = switch (call.method()) {
            case "POST" -> "CreateOptions";
            case "PUT" -> "UpdateOptions";
            default -> "PatchOptions";
        };
        ServerSideApply.validateFieldManager(manager, optionsKind);
        if (manager.isEmpty()) {
            manager = managerFromUserAgent(call.header("User-Agent"));
        }
        return new WriteOptions(dryRun(call), manager);
    }

    /** Kubernetes' {@code prefixFromUserAgent}: up to the first slash, printable characters, at most 128. */
    static String managerFromUserAgent(String userAgent) {
        String prefix = userAgent.split("/", 2)[0];
        StringBuilder out = new StringBuilder();
        for (int cp : prefix.codePoints().toArray()) {
            if (Character.isISOControl(cp)) {
                continue; // not printable
            }
            if (out.length() + Character.charCount(cp) > ServerSideApply.MAX_FIELD_MANAGER_LENGTH) {
                break;
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    static boolean dryRun(Call call) {
        String value = call.query("dryRun");
        if (value.isEmpty()) {
            return false;
        }
        if (!value.equals("All")) {
            throw new ApiException.BadRequest("dryRun must be All, not \"" + value + "\"");
        }
        return true;
    }

    /**
     * The options of a delete, from the query and a DeleteOptions body, each field checked for its type (a wrong one
     * is 400, as Kubernetes' decoding answers): gracePeriodSeconds and orphanDependents are read for that only, since
     * objects here have no grace period and no dependents of their own.
     */
    private DeleteOptions deleteOptions(Call call) {
        String policy = call.query("propagationPolicy");
        boolean dryRun = dryRun(call);
        if (!call.query("gracePeriodSeconds").isEmpty()) {
            parseLong(call.query("gracePeriodSeconds"), "gracePeriodSeconds");
        }
        call.flag("orphanDependents");
        checkPropagationPolicy(policy);
        String uid = "";
        String resourceVersion = "";
        byte[] body = call.body(maxBodyBytes);
        if (body.length > 0) {
            if (!(Json.read(body, "the DeleteOptions") instanceof Map<?, ?> options)) {
                throw new ApiException.BadRequest("DeleteOptions must be a JSON object");
            }
            policy = optional(options, "propagationPolicy", String.class, policy);
            checkPropagationPolicy(policy);
            List<?> dryRunValues = optional(options, "dryRun", List.class, List.of());
            for (Object value : dryRunValues) {
                if (!"All".equals(value)) {
                    throw new ApiException.BadRequest("DeleteOptions.dryRun may only contain \"All\"");
                }
                dryRun = true;
            }
            if (optional(options, "gracePeriodSeconds", Number.class, 0) instanceof Number grace
                    && (grace.longValue() < 0 || grace.doubleValue() != grace.longValue())) {
                throw new ApiException.BadRequest("DeleteOptions.gracePeriodSeconds must be a non-negative integer");
            }
            optional(options, "orphanDependents", Boolean.class, false);
            optional(options, "kind", String.class, "");
            optional(options, "apiVersion", String.class, "");
            Map<?, ?> preconditions = optional(options, "preconditions", Map.class, Map.of());
            uid = optional(preconditions, "uid", String.class, "");
            resourceVersion = optional(preconditions, "resourceVersion", String.class, "");
        }
        return new DeleteOptions(dryRun, uid, resourceVersion, policy);
    }

    private static void checkPropagationPolicy(String policy) {
        if (!policy.isEmpty() && !List.of("Orphan", "Background", "Foreground").contains(policy)) {
            throw new ApiException.BadRequest("propagationPolicy must be one of Orphan, Background or Foreground,"
                    + " not \"" + PublicMessages.printable(policy) + "\"");
        }
    }

    /** A field of a JSON object that is absent or null ({@code otherwise}), or of {@code type} (else 400). */
    private static <T> T optional(Map<?, ?> object, String field, Class<T> type, T otherwise) {
        Object value = object.get(field);
        if (value == null) {
            return otherwise;
        }
        if (!type.isInstance(value)) {
            throw new ApiException.BadRequest("DeleteOptions." + field + " has the wrong type");
        }
        return type.cast(value);
    }

    private void writeObject(Call call, int code, ObjectVersion version, Output output) {
        if (output == Output.YAML) {
            call.respond(
                    code, "application/yaml", codec.encodeYaml(version.object()).getBytes(StandardCharsets.UTF_8));
        } else if (output == Output.PARTIAL_METADATA) {
            call.respondJson(code, Json.write(tables.partialMetadata(version.object())));
        } else {
            call.respondJson(code, version.json());
        }
    }

    /**
     * A non-negative integer query parameter (limit, resourceVersion, timeoutSeconds, gracePeriodSeconds): digits
     * only, within a 64-bit integer; anything else is 400.
     */
    static long parseLong(String value, String name) {
        boolean digits =
                !value.isEmpty() && value.length() <= 19 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        try {
            if (digits) {
                return Long.parseLong(value);
            }
        } catch (NumberFormatException e) {
            // past Long.MAX_VALUE: refused below
        }
        throw new ApiException.BadRequest(
                "invalid " + name + " \"" + PublicMessages.printable(value) + "\": must be a non-negative integer");
    }
}
