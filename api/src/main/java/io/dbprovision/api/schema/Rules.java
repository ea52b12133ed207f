package io.dbprovision.api.schema;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.dbprovision.proto.v1alpha1.FieldRules;
import io.dbprovision.proto.v1alpha1.OneOfRule;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import java.util.List;

/** Reads the schema annotations of {@code options.proto} off descriptors. */
public final class Rules {
    private Rules() {}

    public static FieldRules of(FieldDescriptor field) {
        return field.getOptions().getExtension(OptionsProto.field);
    }

    public static List<OneOfRule> oneOf(Descriptor message) {
        return message.getOptions().getExtension(OptionsProto.oneOf);
    }

    /** True if the field holds a value: present, non-empty, non-zero enum, or a non-empty list. */
    public static boolean isSet(com.google.protobuf.MessageOrBuilder message, FieldDescriptor field) {
        if (field.isRepeated()) {
            return message.getRepeatedFieldCount(field) > 0;
        }
        if (field.hasPresence()) {
            return message.hasField(field);
        }
        return !message.getField(field).equals(field.getDefaultValue());
    }
}
