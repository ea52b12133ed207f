package io.dbprovision.api.openapi;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.SchemaDocs;
import io.dbprovision.proto.v1alpha1.Status;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The named schemas of a document: the kinds, their lists, the responses of their computed subresources, every
 * message reachable from them, the Status that operations return, and the meta/v1 request types.
 */
final class Components {
    private final SchemaBuilder builder;
    private final Map<String, Map<String, Object>> schemas = new TreeMap<>();
    private final Map<String, Descriptor> owners = new HashMap<>();
    private final Deque<Descriptor> pending = new ArrayDeque<>();

    private Components(RefStyle refs, SchemaDocs docs) {
        this.builder = new SchemaBuilder(refs, docs);
    }

    static Map<String, Map<String, Object>> build(
            List<Kind> kinds, List<ComputedSubresource> subresources, RefStyle refs, SchemaDocs docs) {
        Components components = new Components(refs, docs);
        for (Kind kind : kinds) {
            components.add(kind.descriptor(), components.builder.kind(kind));
            components.add(kind.list().getDescriptorForType(), components.builder.list(kind));
        }
        for (ComputedSubresource subresource : subresources) {
            components.add(subresource.descriptor(), components.builder.computed(subresource));
        }
        components.pending.add(Status.getDescriptor());
        components.drain();
        MetaSchemas.all(refs).forEach((name, schema) -> {
            if (components.schemas.putIfAbsent(name, schema) != null) {
                throw new IllegalStateException("a message of the schema is already named " + name);
            }
        });
        return components.schemas;
    }

    private void add(Descriptor message, Map<String, Object> schema) {
        String name = SchemaNames.of(message);
        Descriptor owner = owners.putIfAbsent(name, message);
        if (owner != null && !owner.equals(message)) {
            throw new IllegalStateException(owner.getFullName() + " and " + message.getFullName() + " share " + name);
        }
        schemas.put(name, schema);
        for (FieldDescriptor field : message.getFields()) {
            Descriptor type = referenced(field);
            if (type != null) {
                pending.add(type);
            }
        }
    }

    private void drain() {
        while (!pending.isEmpty()) {
            Descriptor message = pending.poll();
            if (!WellKnownTypes.isWellKnown(message) && !message.equals(owners.get(SchemaNames.of(message)))) {
                add(message, builder.message(message));
            }
        }
    }

    /** The message a field's values are, looking through map entries; null for scalars and enums. */
    private static Descriptor referenced(FieldDescriptor field) {
        if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            return null;
        }
        if (field.isMapField()) {
            return referenced(field.getMessageType().findFieldByName("value"));
        }
        return field.getMessageType();
    }
}
