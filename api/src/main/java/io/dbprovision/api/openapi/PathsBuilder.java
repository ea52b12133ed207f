package io.dbprovision.api.openapi;

import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The paths and operations of the group-version, per kind: the collection, the object, its status subresource, its
 * computed subresources (GET only), and for namespaced kinds the list across all namespaces. Path keys are exactly
 * what {@code kubectl explain} looks up, and every operation carries the GVK it serves (a computed subresource's: its
 * response kind).
 */
final class PathsBuilder {
    /** The tag Kubernetes gives a group-version's operations, such as {@code apps_v1}. */
    static final String TAG = camel(Schema.GROUP, false) + "_" + Schema.VERSION;

    private static final Response UNAUTHORIZED = new Response("401", "Unauthorized", Map.of());

    private PathsBuilder() {}

    /** @param subresources the computed subresources served, of these kinds or others (those are skipped) */
    static List<PathItem> build(List<Kind> kinds, List<ComputedSubresource> subresources) {
        List<PathItem> out = new ArrayList<>();
        for (Kind kind : kinds) {
            List<ComputedSubresource> own = subresources.stream()
                    .filter(subresource -> subresource.parent().equals(kind))
                    .sorted(Comparator.comparing(ComputedSubresource::name))
                    .toList();
            out.addAll(new KindPaths(kind, own).build());
        }
        return out;
    }

    /** {@code dbops.dbprovision.io} → {@code dbopsDbprovisionIo}; capitalized: {@code DbopsDbprovisionIo}. */
    static String camel(String text, boolean capitalizeFirst) {
        StringBuilder out = new StringBuilder();
        for (String word : text.split("[.\\-]")) {
            if (word.isEmpty()) {
                continue;
            }
            boolean upper = capitalizeFirst || !out.isEmpty();
            out.append(upper ? word.substring(0, 1).toUpperCase(Locale.ROOT) : word.substring(0, 1))
                    .append(word.substring(1));
        }
        return out.toString();
    }

    /** The paths of one kind. */
    private static final class KindPaths {
        private final Kind kind;
        private final List<ComputedSubresource> computed;
        private final String collection;
        private final String scoped; // NamespacedDatabase or ClusterDatabaseInstance, as operation ids spell it
        private final String root; // /apis/{group}/{version}, or /api/v1 for the core group
        private final String idInfix; // DbopsDbprovisionIoV1alpha1, or CoreV1, as operation ids spell it

        KindPaths(Kind kind, List<ComputedSubresource> computed) {
            this.kind = kind;
            this.computed = computed;
            this.root =
                    kind.group().isEmpty() ? "/api/" + kind.version() : "/apis/" + kind.group() + "/" + kind.version();
            this.idInfix = camel(kind.group().isEmpty() ? "core" : kind.group(), true) + camel(kind.version(), true);
            String scope = kind.clusterScoped() ? "" : "/namespaces/{namespace}";
            this.collection = root + scope + "/" + kind.plural();
            this.scoped = (kind.clusterScoped() ? "" : "Namespaced") + kind.kind();
        }

        List<PathItem> build() {
            List<PathItem> items = new ArrayList<>();
            items.add(new PathItem(
                    collection,
                    shared(false),
                    List.of(
                            list("list" + idInfix + scoped),
                            create(),
                            operation(
                                    "delete",
                                    "deletecollection",
                                    "delete" + idInfix + "Collection" + scoped,
                                    "delete collection of " + kind.kind(),
                                    Parameters.DELETE_COLLECTION,
                                    deleteOptions(),
                                    List.of(ok(SchemaNames.STATUS), UNAUTHORIZED)))));
            items.add(new PathItem(collection + "/{name}", shared(true), objectOperations("")));
            items.add(new PathItem(collection + "/{name}/status", shared(true), objectOperations("Status")));
            for (ComputedSubresource subresource : computed) {
                items.add(new PathItem(
                        collection + "/{name}/" + subresource.name(), shared(true), List.of(computedGet(subresource))));
            }
            if (!kind.clusterScoped()) {
                items.add(new PathItem(
                        root + "/" + kind.plural(),
                        List.of(Parameters.PRETTY),
                        List.of(list("list" + idInfix + kind.kind() + "ForAllNamespaces"))));
            }
            return items;
        }

        private List<Parameter> shared(boolean object) {
            List<Parameter> out = new ArrayList<>();
            if (object) {
                out.add(Parameters.name(kind));
            }
            if (!kind.clusterScoped()) {
                out.add(Parameters.NAMESPACE);
            }
            out.add(Parameters.PRETTY);
            return out;
        }

        /** get, put and patch of the object or its status; delete of the object only. */
        private List<Operation> objectOperations(String subresource) {
            String target = subresource.isEmpty() ? "the specified " : "status of the specified ";
            String name = kind.kind();
            String self = schemaOf(kind);
            List<Operation> out = new ArrayList<>();
            out.add(operation(
                    "get",
                    "get",
                    "read" + idInfix + scoped + subresource,
                    "read " + target + name,
                    List.of(),
                    Optional.empty(),
                    List.of(ok(self), UNAUTHORIZED)));
            out.add(operation(
                    "put",
                    "put",
                    "replace" + idInfix + scoped + subresource,
                    "replace " + target + name,
                    Parameters.WRITE,
                    Optional.of(new Body(self, MediaTypes.OBJECTS, true)),
                    List.of(ok(self), response("201", "Created", self), UNAUTHORIZED)));
            out.add(operation(
                    "patch",
                    "patch",
                    "patch" + idInfix + scoped + subresource,
                    "partially update " + target + name,
                    Parameters.PATCH,
                    Optional.of(new Body(SchemaNames.PATCH, MediaTypes.PATCHES, true)),
                    List.of(ok(self), response("201", "Created", self), UNAUTHORIZED)));
            if (subresource.isEmpty()) {
                out.add(operation(
                        "delete",
                        "delete",
                        "delete" + idInfix + scoped,
                        "delete a " + name,
                        Parameters.DELETE,
                        deleteOptions(),
                        List.of(ok(self), response("202", "Accepted", self), UNAUTHORIZED)));
            }
            return out;
        }

        /**
         * The one operation of a computed subresource: GET, answered with its own message, which the operation's
         * GVK names (as Kubernetes' {@code readAppsV1NamespacedDeploymentScale} names {@code autoscaling/v1 Scale}).
         */
        private Operation computedGet(ComputedSubresource subresource) {
            return new Operation(
                    "get",
                    "get",
                    "read" + idInfix + scoped + camel(subresource.name(), true),
                    "read " + subresource.name() + " of the specified " + kind.kind() + ", computed when asked for",
                    kind,
                    subresource.responseKind(),
                    List.of(),
                    Optional.empty(),
                    List.of(ok(SchemaNames.of(subresource.descriptor())), UNAUTHORIZED));
        }

        private Operation list(String operationId) {
            Map<String, String> schemas = new LinkedHashMap<>();
            String list = SchemaNames.of(kind.list().getDescriptorForType());
            MediaTypes.OBJECTS.forEach(type -> schemas.put(type, list));
            schemas.put(MediaTypes.JSON_WATCH, SchemaNames.WATCH_EVENT);
            return operation(
                    "get",
                    "list",
                    operationId,
                    "list or watch objects of kind " + kind.kind(),
                    Parameters.LIST,
                    Optional.empty(),
                    List.of(new Response("200", "OK", schemas), UNAUTHORIZED));
        }

        private Operation create() {
            String self = schemaOf(kind);
            return operation(
                    "post",
                    "post",
                    "create" + idInfix + scoped,
                    "create a " + kind.kind(),
                    Parameters.WRITE,
                    Optional.of(new Body(self, MediaTypes.OBJECTS, true)),
                    List.of(
                            ok(self),
                            response("201", "Created", self),
                            response("202", "Accepted", self),
                            UNAUTHORIZED));
        }

        private Operation operation(
                String method,
                String action,
                String operationId,
                String description,
                List<Parameter> parameters,
                Optional<Body> body,
                List<Response> responses) {
            return new Operation(
                    method, action, operationId, description, kind, kind.kind(), parameters, body, responses);
        }
    }

    private static Optional<Body> deleteOptions() {
        return Optional.of(new Body(SchemaNames.DELETE_OPTIONS, MediaTypes.OBJECTS, false));
    }

    private static Response ok(String schema) {
        return response("200", "OK", schema);
    }

    private static Response response(String code, String description, String schema) {
        Map<String, String> schemas = new LinkedHashMap<>();
        MediaTypes.OBJECTS.forEach(type -> schemas.put(type, schema));
        return new Response(code, description, schemas);
    }

    private static String schemaOf(Kind kind) {
        return SchemaNames.of(kind.descriptor());
    }
}
