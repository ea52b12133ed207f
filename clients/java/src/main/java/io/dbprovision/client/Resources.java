package io.dbprovision.client;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import io.dbprovision.client.errors.DbProvisionException;
import io.dbprovision.client.errors.Errors;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import io.dbprovision.proto.portal.v1alpha1.EventType;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The standard methods of one kind — get, list (every page), create, update with a field mask, delete and watch —
 * over its generated service, for any of the eleven kinds ({@code client.databases()}, {@code
 * client.resources(Kinds.DATABASE_GRANTS)}). Requests are built from the kind's {@link ResourceKind}; failures are
 * {@link DbProvisionException}s. Immutable and thread-safe.
 *
 * @param <T> the kind's message
 */
public final class Resources<T extends Message> {
    private final ResourceKind<T> kind;
    private final Calls calls;
    private final Optional<String> defaultNamespace;

    Resources(ResourceKind<T> kind, Calls calls, Optional<String> defaultNamespace) {
        this.kind = kind;
        this.calls = calls;
        this.defaultNamespace = defaultNamespace;
    }

    public ResourceKind<T> kind() {
        return kind;
    }

    /** The same methods with another deadline for each unary call. */
    public Resources<T> withTimeout(Duration timeout) {
        return new Resources<>(kind, calls.withUnaryTimeout(timeout), defaultNamespace);
    }

    /** The same methods with a deadline on watches too (by default they run until cancelled). */
    public Resources<T> withWatchTimeout(Duration timeout) {
        return new Resources<>(kind, calls.withStreamTimeout(Optional.of(timeout)), defaultNamespace);
    }

    /** The object {@code name} in {@code namespace}; NotFoundException when there is none. */
    public T get(String namespace, String name) {
        Message request = build(kind.get, Map.of("name", kind.resourceName(namespace, name)));
        return kind.cast(calls.unary(kind.get, request));
    }

    /** The cluster-scoped object {@code name}. */
    public T get(String name) {
        requireClusterScoped();
        return get("", name);
    }

    /** One page; {@code pageToken} is empty for the first and the previous page's {@link Page#nextPageToken()} next. */
    public Page<T> page(ListOptions options, String pageToken) {
        Message request = build(
                kind.list,
                Map.of(
                        "parent", kind.parent(options.namespace()),
                        "page_size", options.pageSize(),
                        "page_token", pageToken == null ? "" : pageToken,
                        "label_selector", options.labelSelector(),
                        "field_selector", options.fieldSelector()));
        Message response = calls.unary(kind.list, request);
        List<T> items = new ArrayList<>();
        for (Object item : (List<?>) response.getField(kind.listItems)) {
            items.add(kind.cast(item));
        }
        return new Page<>(items, stringField(response, "next_page_token"), stringField(response, "resource_version"));
    }

    /** Every object the options select, reading page after page. */
    public List<T> list(ListOptions options) {
        List<T> all = new ArrayList<>();
        String token = "";
        do {
            Page<T> page = page(options, token);
            all.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return all;
    }

    /** Every object in {@code namespace} (empty: across all namespaces, which needs a cluster-wide list permission). */
    public List<T> list(String namespace) {
        return list(ListOptions.in(namespace));
    }

    /** Creates {@code object} in its {@code metadata.namespace} (or the context's namespace) and returns it as stored. */
    public T create(T object) {
        return create(object, false).object();
    }

    /** Creates {@code object}; with {@code validateOnly} only checks it and returns the SQL that would run. */
    public Written<T> create(T object, boolean validateOnly) {
        Objects.requireNonNull(object, "object");
        String namespace = namespaceFor(object);
        Message request = build(
                kind.create,
                Map.of(
                        "parent",
                        kind.parent(namespace),
                        kind.createObject.getName(),
                        withNamespace(object, namespace),
                        "validate_only",
                        validateOnly));
        return written(calls.unary(kind.create, request));
    }

    /**
     * Replaces the fields {@code maskPaths} name (such as {@code spec.deletion_policy}, {@code metadata.labels}; none:
     * spec, labels and annotations) with {@code object}'s. When {@code metadata.resource_version} is set the update
     * applies only to that version: ConflictException otherwise.
     */
    public T update(T object, String... maskPaths) {
        return update(object, false, maskPaths).object();
    }

    public Written<T> update(T object, boolean validateOnly, String... maskPaths) {
        Objects.requireNonNull(object, "object");
        String namespace = namespaceFor(object);
        Message request = build(
                kind.update,
                Map.of(
                        kind.updateObject.getName(),
                        withNamespace(object, namespace),
                        "update_mask",
                        FieldMask.newBuilder().addAllPaths(List.of(maskPaths)).build(),
                        "validate_only",
                        validateOnly));
        return written(calls.unary(kind.update, request));
    }

    /** Requests deletion; returns the object as the server left it (with a deletion timestamp while finalizers run). */
    public T delete(String namespace, String name) {
        return delete(namespace, name, "", false).object();
    }

    /** Deletes the cluster-scoped object {@code name}. */
    public T delete(String name) {
        requireClusterScoped();
        return delete("", name);
    }

    /** Deletes only version {@code etag} of the object (when not empty); with {@code validateOnly} only checks. */
    public Written<T> delete(String namespace, String name, String etag, boolean validateOnly) {
        Message request = build(
                kind.delete,
                Map.of(
                        "name",
                        kind.resourceName(namespace, name),
                        "etag",
                        etag == null ? "" : etag,
                        "validate_only",
                        validateOnly));
        return written(calls.unary(kind.delete, request));
    }

    /** Watches the objects the options select, read by blocking; close the watch to stop it. */
    public Watch<T> watch(ListOptions options) {
        return new Watch<>(kind, calls.stream(kind.watch, watchRequest(options)));
    }

    /** Watches the objects the options select, delivering events to {@code listener}; close the subscription to stop. */
    public Subscription watch(ListOptions options, WatchListener<T> listener) {
        Objects.requireNonNull(listener, "listener");
        return new Subscription(calls.observe(kind.watch, watchRequest(options), new StreamObserver<>() {
            @Override
            public void onNext(Message value) {
                listener.onEvent(event(kind, value));
            }

            @Override
            public void onError(Throwable t) {
                listener.onClosed(Optional.of(Errors.from(t)));
            }

            @Override
            public void onCompleted() {
                listener.onClosed(Optional.empty());
            }
        }));
    }

    static <T extends Message> WatchEvent<T> event(ResourceKind<T> kind, Message event) {
        FieldDescriptor typeField = event.getDescriptorForType().findFieldByName("type");
        EventType type = EventType.forNumber(((EnumValueDescriptor) event.getField(typeField)).getNumber());
        T object = kind.cast(event.getField(kind.eventObject));
        return new WatchEvent<>(
                type == null ? EventType.UNRECOGNIZED : type,
                object,
                kind.metadataOf(object).getResourceVersion());
    }

    private Message watchRequest(ListOptions options) {
        return build(
                kind.watch,
                Map.of(
                        "parent", kind.parent(options.namespace()),
                        "label_selector", options.labelSelector(),
                        "field_selector", options.fieldSelector(),
                        "resource_version", options.resourceVersion()));
    }

    private Written<T> written(Message response) {
        FieldDescriptor planField = response.getDescriptorForType().findFieldByName("plan");
        FieldDescriptor warningsField = response.getDescriptorForType().findFieldByName("warnings");
        List<PlannedStatement> plan = new ArrayList<>();
        for (Object statement : (List<?>) response.getField(planField)) {
            plan.add((PlannedStatement) statement);
        }
        List<String> warnings = new ArrayList<>();
        for (Object warning : (List<?>) response.getField(warningsField)) {
            warnings.add((String) warning);
        }
        return new Written<>(kind.cast(response.getField(kind.writeObject)), plan, warnings);
    }

    private String namespaceFor(T object) {
        if (!kind.namespaced()) {
            return "";
        }
        String namespace = kind.metadataOf(object).getNamespace();
        if (!namespace.isEmpty()) {
            return namespace;
        }
        return defaultNamespace.orElseThrow(() -> new IllegalArgumentException(
                kind.kind() + " is namespaced: set metadata.namespace (the configuration names no default)"));
    }

    private Message withNamespace(T object, String namespace) {
        if (namespace.isEmpty() || kind.metadataOf(object).getNamespace().equals(namespace)) {
            return object;
        }
        ObjectMeta metadata =
                kind.metadataOf(object).toBuilder().setNamespace(namespace).build();
        return object.toBuilder().setField(kind.objectMetadata, metadata).build();
    }

    private static Message build(io.grpc.MethodDescriptor<Message, Message> method, Map<String, Object> fields) {
        Message.Builder builder = ResourceKind.requestOf(method).newBuilderForType();
        fields.forEach((name, value) -> {
            FieldDescriptor field = builder.getDescriptorForType().findFieldByName(name);
            if (field == null) {
                throw new IllegalStateException(method.getFullMethodName() + ": no request field " + name);
            }
            builder.setField(field, value);
        });
        return builder.build();
    }

    private static String stringField(Message message, String name) {
        return (String) message.getField(message.getDescriptorForType().findFieldByName(name));
    }

    private void requireClusterScoped() {
        if (kind.namespaced()) {
            throw new IllegalArgumentException(kind.kind() + " is namespaced: name the namespace");
        }
    }
}
