package io.dbprovision.api.schema;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.dbprovision.proto.v1alpha1.FieldRules;
import io.dbprovision.proto.v1alpha1.OneOfRule;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the schema annotations of {@code options.proto} off descriptors. What is read is kept per descriptor: an
 * extension lookup, {@code hasPresence()} and {@code getDefaultValue()} consult the options and edition features on
 * every call, and validation and defaulting ask them for every field of every object written. Keyed by descriptor
 * identity; the schema's types are a fixed set.
 */
public final class Rules {
    private static final DescriptorMemo<FieldDescriptor, Facts> FIELDS = new DescriptorMemo<>(Facts::of);
    private static final Map<Descriptor, List<OneOfRule>> ONE_OF = new ConcurrentHashMap<>();

    /** What {@link #of} and {@link #isSet} need of a field, read once. */
    private record Facts(FieldRules rules, boolean repeated, boolean presence, Object zero) {
        static Facts of(FieldDescriptor field) {
            boolean repeated = field.isRepeated();
            boolean presence = !repeated && field.hasPresence();
            return new Facts(
                    field.getOptions().getExtension(OptionsProto.field),
                    repeated,
                    presence,
                    repeated || presence ? null : field.getDefaultValue());
        }
    }

    private Rules() {}

    public static FieldRules of(FieldDescriptor field) {
        return facts(field).rules();
    }

    public static List<OneOfRule> oneOf(Descriptor message) {
        List<OneOfRule> rules = ONE_OF.get(message);
        return rules != null
                ? rules
                : ONE_OF.computeIfAbsent(message, m -> m.getOptions().getExtension(OptionsProto.oneOf));
    }

    /** True if the field holds a value: present, non-empty, non-zero enum, or a non-empty list. */
    public static boolean isSet(com.google.protobuf.MessageOrBuilder message, FieldDescriptor field) {
        Facts facts = facts(field);
        if (facts.repeated()) {
            return message.getRepeatedFieldCount(field) > 0;
        }
        if (facts.presence()) {
            return message.hasField(field);
        }
        return !message.getField(field).equals(facts.zero());
    }

    private static Facts facts(FieldDescriptor field) {
        return FIELDS.get(field);
    }
}
