package io.dbprovision.api.openapi;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.SchemaDocs;
import io.dbprovision.proto.v1alpha1.OneOfRule;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns one message into the object schema OpenAPI publishes for it. */
final class SchemaBuilder {
    static final String GVK = "x-kubernetes-group-version-kind";

    private final SchemaDocs docs;
    private final FieldSchema fields;

    SchemaBuilder(RefStyle refs, SchemaDocs docs) {
        this.docs = docs;
        this.fields = new FieldSchema(refs, docs);
    }

    Map<String, Object> message(Descriptor message) {
        return build(message, Map.of());
    }

    /** The kind's own schema: tagged with its GVK, which is how {@code kubectl explain} finds it. */
    Map<String, Object> kind(Kind kind) {
        Map<String, Object> schema = build(kind.descriptor(), StandardFields.object());
        schema.put(GVK, List.of(gvk(kind, kind.kind())));
        return schema;
    }

    Map<String, Object> list(Kind kind) {
        Map<String, Object> schema = build(kind.list().getDescriptorForType(), StandardFields.list(kind));
        schema.put(GVK, List.of(gvk(kind, kind.listKind())));
        return schema;
    }

    /**
     * The response of a computed subresource: an object's standard fields, tagged with its own GVK in the parent's
     * group-version, as Kubernetes tags {@code autoscaling/v1 Scale}.
     */
    Map<String, Object> computed(ComputedSubresource subresource) {
        Map<String, Object> schema = build(subresource.descriptor(), StandardFields.object());
        schema.put(GVK, List.of(gvk(subresource.parent(), subresource.responseKind())));
        return schema;
    }

    static Map<String, Object> gvk(Kind kind, String kindName) {
        return Map.of("group", kind.group(), "version", kind.version(), "kind", kindName);
    }

    /** @param descriptions replacement descriptions of some fields, by JSON name */
    private Map<String, Object> build(Descriptor message, Map<String, String> descriptions) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        docs.of(message).ifPresent(text -> schema.put("description", text));
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (FieldDescriptor field : message.getFields()) {
            String name = field.getJsonName();
            properties.put(name, fields.property(field, descriptions.get(name)));
            if (FieldSchema.rules(field).getRequired()) {
                required.add(name);
            }
        }
        if (!properties.isEmpty()) {
            schema.put("properties", properties);
        }
        if (!required.isEmpty()) {
            schema.put("required", required);
        }
        List<Map<String, Object>> validations = oneOfValidations(message);
        if (!validations.isEmpty()) {
            schema.put("x-kubernetes-validations", validations);
        }
        return schema;
    }

    /** The {@code (one_of)} rules as CEL, so that the constraint is visible to readers and tools. */
    private static List<Map<String, Object>> oneOfValidations(Descriptor message) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (OneOfRule rule : message.getOptions().getExtension(OptionsProto.oneOf)) {
            List<String> names = rule.getFieldsList();
            String present = "["
                    + String.join(
                            ", ", names.stream().map(n -> "has(self." + n + ")").toList())
                    + "].filter(x, x).size()";
            String cel = present + (rule.getRequired() ? " == 1" : " <= 1");
            String text = rule.getRequired()
                    ? "exactly one of " + alternatives(names) + " must be specified"
                    : "at most one of " + alternatives(names) + " may be specified";
            out.add(Map.of("rule", cel, "message", text));
        }
        return out;
    }

    /** {@code a or b}, {@code a, b or c}. */
    private static String alternatives(List<String> names) {
        if (names.size() == 1) {
            return names.getFirst();
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
    }
}
