package io.dbprovision.api.codec;

import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The JSON spelling of enum values, from their {@code (json)} option. The zero value has none: it means absent. */
public final class EnumSpelling {
    private EnumSpelling() {}

    public static Optional<String> of(EnumValueDescriptor value) {
        String json = value.getOptions().getExtension(OptionsProto.json);
        return json.isEmpty() ? Optional.empty() : Optional.of(json);
    }

    public static Optional<EnumValueDescriptor> parse(EnumDescriptor type, String text) {
        for (EnumValueDescriptor value : type.getValues()) {
            if (of(value).filter(text::equals).isPresent()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** The spellings users may write, in declaration order. */
    public static List<String> allowed(EnumDescriptor type) {
        List<String> out = new ArrayList<>();
        for (EnumValueDescriptor value : type.getValues()) {
            of(value).ifPresent(out::add);
        }
        return out;
    }
}
