package io.dbprovision.apiserver.portal;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import io.dbprovision.api.codec.CodecException;
import io.dbprovision.api.codec.Decoded;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Page;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WatchQuery;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.registry.Written;
import io.dbprovision.apiserver.storage.ListOptions;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The standard methods of one kind — Get, List, Create, Update, Delete, Watch — served from its generated gRPC
 * service descriptor and its registry store: one implementation for every {@code <Plural>Service} of resources.proto,
 * which reads and writes the request and response messages through their descriptors. Each method is the REST
 * request it stands for ({@link RestRequest}), run through {@link Operations} (authorization as that request, the
 * registry's admission, its audit line).
 */
final class KindService {
    static final int DEFAULT_PAGE_SIZE = 500;
    static final int MAX_PAGE_SIZE = 1000;

    private final Kind kind;
    private final ResourceStore store;
    private final ServiceDescriptor service;
    private final Operations operations;
    private final KubeCodec codec;
    private final Watches watches;
    private final Plans plans;

    KindService(
            Kind kind,
            ResourceStore store,
            ServiceDescriptor service,
            Operations operations,
            KubeCodec codec,
            Watches watches,
            Plans plans) {
        this.kind = kind;
        this.store = store;
        this.service = service;
        this.operations = operations;
        this.codec = codec;
        this.watches = watches;
        this.plans = plans;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    ServerServiceDefinition definition() {
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service);
        for (MethodDescriptor<?, ?> method : service.getMethods()) {
            String name = method.getBareMethodName();
            Message response = prototype(method);
            MethodDescriptor<Message, Message> typed = (MethodDescriptor) method;
            if (name.startsWith("Watch")) {
                definition.addMethod(
                        typed,
                        ServerCalls.asyncServerStreamingCall((request, observer) ->
                                watch(request, response, (ServerCallStreamObserver<Message>) observer)));
                continue;
            }
            BiConsumer<Message, StreamObserver<Message>> handler = switch (name.substring(0, 3)) {
                case "Get" -> (request, observer) -> Replies.unary(observer, () -> get(request));
                case "Lis" -> (request, observer) -> Replies.unary(observer, () -> list(request, response));
                case "Cre" -> (request, observer) -> Replies.unary(observer, () -> create(request, response));
                case "Upd" -> (request, observer) -> Replies.unary(observer, () -> update(request, response));
                case "Del" -> (request, observer) -> Replies.unary(observer, () -> delete(request, response));
                default -> throw new IllegalStateException(method.getFullMethodName() + " is no standard method");
            };
            definition.addMethod(typed, ServerCalls.asyncUnaryCall(handler::accept));
        }
        return definition.build();
    }

    // ---- the methods

    private Message get(Message request) {
        ResourceNames.Name name = ResourceNames.parse(kind, "name", text(request, "name"));
        return operations.run(
                RestRequest.of("GET", kind, name.namespace(), name.name()),
                200,
                context -> store.get(context, name.namespace(), name.name()));
    }

    private Message list(Message request, Message responsePrototype) {
        String parent = text(request, "parent");
        String namespace = ResourceNames.parent(kind, "parent", parent, false);
        String labels = text(request, "label_selector");
        String fields = text(request, "field_selector");
        int pageSize = pageSize((Integer) request.getField(field(request, "page_size")));
        String continueToken = PageTokens.unwrap(text(request, "page_token"), kind.plural(), parent, labels, fields);
        RestRequest rest = RestRequest.of(
                "GET",
                kind,
                namespace,
                "",
                "",
                RestRequest.query(
                        "continue",
                        continueToken,
                        "fieldSelector",
                        fields,
                        "labelSelector",
                        labels,
                        "limit",
                        Integer.toString(pageSize)));
        Page page = operations.run(
                rest,
                200,
                context -> store.list(
                        context,
                        namespace,
                        new ListQuery(labels, fields, pageSize, continueToken, 0, ListOptions.Match.LATEST)));
        Message.Builder response = responsePrototype.newBuilderForType();
        FieldDescriptor items = kindField(response.getDescriptorForType());
        for (Message item : page.items()) {
            response.addRepeatedField(items, item);
        }
        response.setField(
                field(response, "next_page_token"),
                PageTokens.wrap(page.continueToken(), kind.plural(), parent, labels, fields));
        response.setField(field(response, "resource_version"), page.resourceVersion());
        return response.build();
    }

    private Message create(Message request, Message responsePrototype) {
        FieldDescriptor objectField = kindField(request.getDescriptorForType());
        String objectName = objectField.getName();
        if (!request.hasField(objectField)) {
            throw new InvalidArgument(objectName, "required: the object to create");
        }
        Message object = (Message) request.getField(objectField);
        ObjectMeta meta = Objects.meta(object);
        String parent = text(request, "parent");
        String namespace;
        if (kind.clusterScoped() || !parent.isEmpty() || meta.getNamespace().isEmpty()) {
            namespace = ResourceNames.parent(kind, "parent", parent, true);
        } else {
            namespace = ResourceNames.checkNamespace(objectName + ".metadata.namespace", meta.getNamespace());
        }
        if (!kind.clusterScoped()
                && !meta.getNamespace().isEmpty()
                && !meta.getNamespace().equals(namespace)) {
            throw new InvalidArgument(
                    objectName + ".metadata.namespace", "does not match the parent's namespace \"" + namespace + "\"");
        }
        boolean validateOnly = flag(request, "validate_only");
        Message normalized = normalize(object);
        Written written = operations.run(
                RestRequest.of("POST", kind, namespace, "", "", dryRun(validateOnly)),
                201,
                context -> store.create(
                        context,
                        namespace,
                        normalized,
                        new WriteOptions(validateOnly, Caller.current().fieldManager())));
        return write(responsePrototype, written, validateOnly);
    }

    private Message update(Message request, Message responsePrototype) {
        FieldDescriptor objectField = kindField(request.getDescriptorForType());
        String objectName = objectField.getName();
        if (!request.hasField(objectField)) {
            throw new InvalidArgument(objectName, "required: the object to update");
        }
        Message requested = (Message) request.getField(objectField);
        ObjectMeta meta = Objects.meta(requested);
        String namespace = kind.clusterScoped()
                ? ""
                : ResourceNames.checkNamespace(objectName + ".metadata.namespace", meta.getNamespace());
        String name = ResourceNames.checkName(objectName + ".metadata.name", meta.getName());
        String etag = etag(objectName + ".metadata.resource_version", meta.getResourceVersion());
        List<List<FieldDescriptor>> paths = UpdateMasks.resolve(
                kind.descriptor(), (FieldMask) request.getField(field(request, "update_mask")), "update_mask");
        boolean validateOnly = flag(request, "validate_only");
        Written written = operations.run(
                RestRequest.of("PUT", kind, namespace, name, "", dryRun(validateOnly)),
                200,
                context -> store.patch(
                        context,
                        namespace,
                        name,
                        current -> {
                            Message merged = UpdateMasks.apply(current, requested, paths);
                            String version =
                                    etag.isEmpty() ? Objects.meta(current).getResourceVersion() : etag;
                            return normalize(Objects.withMeta(
                                    merged,
                                    Objects.meta(merged).toBuilder()
                                            .setResourceVersion(version)
                                            .build()));
                        },
                        new WriteOptions(validateOnly, Caller.current().fieldManager()),
                        false));
        return write(responsePrototype, written, validateOnly);
    }

    private Message delete(Message request, Message responsePrototype) {
        ResourceNames.Name name = ResourceNames.parse(kind, "name", text(request, "name"));
        String etag = etag("etag", text(request, "etag"));
        boolean validateOnly = flag(request, "validate_only");
        Written written = operations.run(
                RestRequest.of("DELETE", kind, name.namespace(), name.name(), "", dryRun(validateOnly)),
                200,
                context -> store.delete(
                        context, name.namespace(), name.name(), new DeleteOptions(validateOnly, "", etag, "")));
        Message.Builder response = responsePrototype.newBuilderForType();
        response.setField(kindField(response.getDescriptorForType()), written.object());
        return response.build();
    }

    private void watch(Message request, Message eventPrototype, ServerCallStreamObserver<Message> observer) {
        WatchQuery query;
        Operations.Started started;
        String namespace;
        try {
            namespace = ResourceNames.parent(kind, "parent", text(request, "parent"), false);
            String labels = text(request, "label_selector");
            String fields = text(request, "field_selector");
            String version = text(request, "resource_version");
            long since = version.isEmpty() ? 0 : Long.parseLong(etag("resource_version", version));
            query = new WatchQuery(labels, fields, since, since == 0, true);
            started = operations.start(RestRequest.of(
                    "GET",
                    kind,
                    namespace,
                    "",
                    "",
                    RestRequest.query(
                            "allowWatchBookmarks",
                            "true",
                            "fieldSelector",
                            fields,
                            "labelSelector",
                            labels,
                            "resourceVersion",
                            version,
                            "watch",
                            "true")));
        } catch (RuntimeException e) {
            observer.onError(Replies.status(e));
            return;
        }
        FieldDescriptor objectField = kindField(eventPrototype.getDescriptorForType());
        FieldDescriptor typeField = field(eventPrototype, "type");
        watches.serve(started, store, namespace, query, observer, event -> {
            Message.Builder out = eventPrototype.newBuilderForType();
            out.setField(
                    typeField,
                    typeField.getEnumType().findValueByName(event.type().name()));
            out.setField(objectField, event.object());
            return out.build();
        });
    }

    // ---- helpers

    private Message write(Message responsePrototype, Written written, boolean validateOnly) {
        Message.Builder response = responsePrototype.newBuilderForType();
        response.setField(kindField(response.getDescriptorForType()), written.object());
        FieldDescriptor warnings = field(response, "warnings");
        for (String warning : written.warnings()) {
            response.addRepeatedField(warnings, warning);
        }
        if (validateOnly) {
            Plans.Plan plan = plans.plan(kind, written.object());
            FieldDescriptor statements = field(response, "plan");
            plan.statements().forEach(statement -> response.addRepeatedField(statements, statement));
            plan.warnings().forEach(warning -> response.addRepeatedField(warnings, warning));
        }
        return response.build();
    }

    /**
     * The object as the REST API would have decoded it: encoded to Kubernetes JSON and decoded again with the same
     * codec, so that a value the codec refuses (an enum value of no spelling, a malformed quantity, a field beyond the
     * size limits) is refused here as there, and nothing a JSON client could not send is stored.
     */
    private Message normalize(Message object) {
        Decoded<Message> decoded;
        try {
            decoded = codec.decodeJson(codec.encodeJson(object), kind.object());
        } catch (CodecException | IllegalArgumentException e) {
            throw new ApiException.BadRequest("the object cannot be read as a " + kind.kind() + ": " + e.getMessage());
        }
        if (!decoded.invalidValues().isEmpty()) {
            throw new ApiException.Invalid(
                    kind.group(), kind.kind(), Objects.meta(decoded.object()).getName(), decoded.invalidValues());
        }
        return decoded.object();
    }

    private static java.util.Map<String, String> dryRun(boolean validateOnly) {
        return validateOnly ? RestRequest.query("dryRun", "All") : java.util.Map.of();
    }

    private static int pageSize(int requested) {
        if (requested < 0) {
            throw new InvalidArgument("page_size", "must not be negative");
        }
        return requested == 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
    }

    /** A resource version given as an etag or a watch's start: digits, or nothing. */
    private static String etag(String field, String value) {
        if (value.isEmpty()) {
            return value;
        }
        if (value.length() > 19 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidArgument(
                    field, "\"" + InvalidArgument.printable(value) + "\" is not a resource version (digits)");
        }
        try {
            Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidArgument(field, "is out of range");
        }
        return value;
    }

    private FieldDescriptor kindField(Descriptor message) {
        for (FieldDescriptor candidate : message.getFields()) {
            if (candidate.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && candidate
                            .getMessageType()
                            .getFullName()
                            .equals(kind.descriptor().getFullName())) {
                return candidate;
            }
        }
        throw new IllegalStateException(message.getFullName() + " has no field of " + kind.kind());
    }

    private static FieldDescriptor field(Message message, String name) {
        return field(message.getDescriptorForType(), name);
    }

    private static FieldDescriptor field(Message.Builder message, String name) {
        return field(message.getDescriptorForType(), name);
    }

    private static FieldDescriptor field(Descriptor message, String name) {
        FieldDescriptor field = message.findFieldByName(name);
        if (field == null) {
            throw new IllegalStateException(message.getFullName() + " has no field " + name);
        }
        return field;
    }

    private static String text(Message request, String name) {
        return (String) request.getField(field(request, name));
    }

    private static boolean flag(Message request, String name) {
        return (Boolean) request.getField(field(request, name));
    }

    private static Message prototype(MethodDescriptor<?, ?> method) {
        if (method.getResponseMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> marshaller
                && marshaller.getMessagePrototype() instanceof Message message) {
            return message;
        }
        throw new IllegalStateException(method.getFullMethodName() + " has no protobuf response marshaller");
    }
}
