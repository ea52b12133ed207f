package io.dbprovision.client;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One kind of the portal API as the client calls it: the kind's schema (plural, scope) and the six standard methods
 * of its {@code <Plural>Service}, with the fields of their requests and responses found by name once, here. The
 * services are generated from one table (scripts/generate-portal-proto.py), so every kind has the same shape and one
 * generic {@link Resources} serves all eleven; a service that does not have that shape fails when its constant in
 * {@link Kinds} is built, not at the first call.
 *
 * @param <T> the kind's message, such as {@code Database}
 */
public final class ResourceKind<T extends Message> {
    private final Kind schema;
    private final T prototype;
    private final String serviceName;

    final MethodDescriptor<Message, Message> get;
    final MethodDescriptor<Message, Message> list;
    final MethodDescriptor<Message, Message> create;
    final MethodDescriptor<Message, Message> update;
    final MethodDescriptor<Message, Message> delete;
    final MethodDescriptor<Message, Message> watch;

    final FieldDescriptor listItems;
    final FieldDescriptor createObject;
    final FieldDescriptor updateObject;
    final FieldDescriptor writeObject;
    final FieldDescriptor eventObject;
    final FieldDescriptor objectMetadata;

    private ResourceKind(ServiceDescriptor service, T prototype) {
        this.prototype = Objects.requireNonNull(prototype, "prototype");
        Descriptor type = prototype.getDescriptorForType();
        this.schema = Schema.get()
                .byKind(type.getName())
                .orElseThrow(() -> new IllegalArgumentException("not a kind of the schema: " + type.getName()));
        this.serviceName = service.getName();
        String singular = schema.kind();
        String plural = pluralOf(service);
        this.get = method(service, "Get" + singular);
        this.list = method(service, "List" + plural);
        this.create = method(service, "Create" + singular);
        this.update = method(service, "Update" + singular);
        this.delete = method(service, "Delete" + singular);
        this.watch = method(service, "Watch" + plural);
        this.listItems = fieldOfType(responseOf(list), type, true);
        this.createObject = fieldOfType(requestOf(create), type, false);
        this.updateObject = fieldOfType(requestOf(update), type, false);
        this.writeObject = fieldOfType(responseOf(create), type, false);
        this.eventObject = fieldOfType(responseOf(watch), type, false);
        this.objectMetadata = type.findFieldByName("metadata");
        if (objectMetadata == null || objectMetadata.getMessageType() != ObjectMeta.getDescriptor()) {
            throw new IllegalArgumentException(type.getName() + " has no ObjectMeta metadata");
        }
        for (MethodDescriptor<Message, Message> method : List.of(get, delete)) {
            requireField(requestOf(method), "name");
        }
        requireField(requestOf(list), "parent");
        requireField(requestOf(list), "page_token");
        requireField(responseOf(list), "next_page_token");
        requireField(requestOf(watch), "resource_version");
        requireField(responseOf(watch), "type");
        requireField(requestOf(update), "update_mask");
    }

    /** The kind served by {@code service} (a generated {@code *Grpc.getServiceDescriptor()}), whose objects are {@code prototype}'s type. */
    public static <T extends Message> ResourceKind<T> of(ServiceDescriptor service, T prototype) {
        return new ResourceKind<>(service, prototype);
    }

    /** The kind's name, such as {@code Database}. */
    public String kind() {
        return schema.kind();
    }

    /** The resource, such as {@code databases}. */
    public String plural() {
        return schema.plural();
    }

    public boolean namespaced() {
        return !schema.clusterScoped();
    }

    /** The kind's schema: names, short names, printer columns. */
    public Kind schema() {
        return schema;
    }

    public T prototype() {
        return prototype;
    }

    /** The gRPC service's full name, such as {@code dbops.portal.v1alpha1.DatabasesService}. */
    public String serviceName() {
        return serviceName;
    }

    /** The methods that change nothing, which the client retries when the server is unavailable. */
    List<MethodDescriptor<?, ?>> idempotentMethods() {
        return List.of(get, list, watch);
    }

    /** The resource name of an object: {@code namespaces/demo/databases/orders} or {@code clusterdatabaseinstances/x}. */
    public String resourceName(String namespace, String name) {
        requireNonEmpty(name, "name");
        if (namespaced()) {
            requireNonEmpty(namespace, "namespace");
            return "namespaces/" + namespace + "/" + plural() + "/" + name;
        }
        return plural() + "/" + name;
    }

    /** The parent of a list, watch or create: {@code namespaces/demo}, or empty (every namespace; cluster-scoped kinds). */
    String parent(String namespace) {
        return namespaced() && namespace != null && !namespace.isEmpty() ? "namespaces/" + namespace : "";
    }

    ObjectMeta metadataOf(Message object) {
        return (ObjectMeta) object.getField(objectMetadata);
    }

    @SuppressWarnings("unchecked")
    T cast(Object object) {
        return (T) object;
    }

    static Message requestOf(MethodDescriptor<?, ?> method) {
        return prototypeOf(method.getRequestMarshaller(), method);
    }

    static Message responseOf(MethodDescriptor<?, ?> method) {
        return prototypeOf(method.getResponseMarshaller(), method);
    }

    private static Message prototypeOf(MethodDescriptor.Marshaller<?> marshaller, MethodDescriptor<?, ?> method) {
        if (marshaller instanceof MethodDescriptor.PrototypeMarshaller<?> typed
                && typed.getMessagePrototype() instanceof Message message) {
            return message;
        }
        throw new IllegalArgumentException(method.getFullMethodName() + " does not marshal protobuf messages");
    }

    @SuppressWarnings("unchecked")
    private static MethodDescriptor<Message, Message> method(ServiceDescriptor service, String name) {
        String full = service.getName() + "/" + name;
        for (MethodDescriptor<?, ?> method : service.getMethods()) {
            if (method.getFullMethodName().equals(full)) {
                return (MethodDescriptor<Message, Message>) method;
            }
        }
        throw new IllegalArgumentException(service.getName() + " has no method " + name);
    }

    /** {@code Databases} from {@code dbops.portal.v1alpha1.DatabasesService}. */
    private static String pluralOf(ServiceDescriptor service) {
        String simple = service.getName().substring(service.getName().lastIndexOf('.') + 1);
        if (!simple.endsWith("Service")) {
            throw new IllegalArgumentException("not a resource service: " + service.getName());
        }
        return simple.substring(0, simple.length() - "Service".length());
    }

    private static FieldDescriptor fieldOfType(Message holder, Descriptor type, boolean repeated) {
        List<FieldDescriptor> found = new ArrayList<>();
        for (FieldDescriptor field : holder.getDescriptorForType().getFields()) {
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && field.getMessageType() == type
                    && field.isRepeated() == repeated) {
                found.add(field);
            }
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException(holder.getDescriptorForType().getFullName() + " has no single "
                    + (repeated ? "repeated " : "") + type.getName() + " field");
        }
        return found.getFirst();
    }

    private static void requireField(Message holder, String name) {
        if (holder.getDescriptorForType().findFieldByName(name) == null) {
            throw new IllegalArgumentException(holder.getDescriptorForType().getFullName() + " has no field " + name);
        }
    }

    /**
     * Names are DNS labels or subdomains; one with a '/' would make the resource name point elsewhere ({@code
     * namespaces/a/databases/b/../..}), so it is refused here rather than trusted to the server's parsing.
     */
    private static void requireNonEmpty(String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (value.indexOf('/') >= 0) {
            throw new IllegalArgumentException(what + " must not contain '/'");
        }
    }

    @Override
    public String toString() {
        return "ResourceKind[" + plural() + "]";
    }
}
