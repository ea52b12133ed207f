package io.dbprovision.api.schema;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.proto.v1alpha1.MetaProto;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A read-only subresource of a kind whose answer is computed when it is asked for and never stored, such as
 * {@code databaseusers/credentials} or {@code databases/drift}: what a CRD cannot have. The only verb is {@code get};
 * the answer is a message of its own ({@code DatabaseUserCredentials}) with {@code apiVersion}, {@code kind} and
 * {@code metadata} like an object, in the parent's group-version, but it is no kind: no list, no store, no watch.
 * Discovery lists it as {@code plural/name} with its response kind, and OpenAPI describes its GET path and its message.
 *
 * @param parent the kind it belongs to
 * @param name the subresource's path segment, such as {@code credentials}
 * @param response the default instance of the message answered
 */
public record ComputedSubresource(Kind parent, String name, Message response) {
    /** A path segment as Kubernetes' subresources are spelled: lower-case letters, at most 63. */
    private static final Pattern NAME = Pattern.compile("[a-z]([a-z0-9-]{0,61}[a-z0-9])?");

    /** The verbs a computed subresource serves. */
    public static final List<String> VERBS = List.of("get");

    public ComputedSubresource {
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(response, "response");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a subresource name is a lower-case path segment, not " + name);
        }
        if (name.equals("status")) {
            throw new IllegalArgumentException("status is every kind's stored subresource, not a computed one");
        }
        if (parent.createOnly()) {
            throw new IllegalArgumentException(parent.kind() + " is create-only: it has no objects to read from");
        }
        Descriptor message = response.getDescriptorForType();
        if (message.getOptions().hasExtension(OptionsProto.resource)) {
            throw new IllegalArgumentException(
                    message.getFullName() + " is a kind; a computed subresource answers with a message of its own");
        }
        requireField(message, "api_version", FieldDescriptor.Type.STRING);
        requireField(message, "kind", FieldDescriptor.Type.STRING);
        FieldDescriptor metadata = requireField(message, "metadata", FieldDescriptor.Type.MESSAGE);
        if (!metadata.getMessageType().getFile().equals(MetaProto.getDescriptor())
                || !metadata.getMessageType().getName().equals("ObjectMeta")) {
            throw new IllegalArgumentException(message.getFullName() + ".metadata must be an ObjectMeta");
        }
    }

    /** The subresource of {@code plural} of {@code schema}, answered with {@code response}'s message. */
    public static ComputedSubresource of(Schema schema, String plural, String name, Message response) {
        Kind parent = schema.byPlural(plural)
                .orElseThrow(() -> new IllegalArgumentException(schema.apiVersion() + " has no resource " + plural));
        return new ComputedSubresource(parent, name, response.getDefaultInstanceForType());
    }

    /** {@code databaseusers/credentials}: the resource as discovery and RBAC rules name it. */
    public String resource() {
        return parent.plural() + "/" + name;
    }

    /** The kind of the response, its message's name: {@code DatabaseUserCredentials}. */
    public String responseKind() {
        return descriptor().getName();
    }

    /** The response's {@code apiVersion}: the parent's group-version. */
    public String apiVersion() {
        return parent.apiVersion();
    }

    public Descriptor descriptor() {
        return response.getDescriptorForType();
    }

    /**
     * Whether the response carries secrets: some field of it, at any depth, is marked {@code debug_redact}. Such an
     * answer is never logged, not even in an error's message.
     */
    public boolean sensitive() {
        return redacts(descriptor(), new HashSet<>());
    }

    private static boolean redacts(Descriptor message, Set<Descriptor> seen) {
        if (!seen.add(message)) {
            return false;
        }
        for (FieldDescriptor field : message.getFields()) {
            if (field.getOptions().getDebugRedact()) {
                return true;
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && redacts(field.getMessageType(), seen)) {
                return true;
            }
        }
        return false;
    }

    private static FieldDescriptor requireField(Descriptor message, String name, FieldDescriptor.Type type) {
        FieldDescriptor field = message.findFieldByName(name);
        if (field == null || field.getType() != type || field.isRepeated()) {
            throw new IllegalArgumentException(message.getFullName() + " needs a field " + name + " of type "
                    + type.name().toLowerCase(Locale.ROOT) + ", as every Kubernetes object has");
        }
        return field;
    }
}
