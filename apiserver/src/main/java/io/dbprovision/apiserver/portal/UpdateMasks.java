package io.dbprovision.apiserver.portal;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * The field masks of Update calls (AIP-134): which fields of the stored object the request's object replaces. An
 * empty mask means {@code spec}, {@code metadata.labels} and {@code metadata.annotations}. A path is {@code spec},
 * a field inside it ({@code spec.deletion_policy}, {@code spec.postgres.encoding}; proto or JSON spelling), or one of
 * {@code metadata.labels}, {@code metadata.annotations}, {@code metadata.finalizers}; status and the system metadata
 * are never a client's to write. A field inside a list or a map is not addressable: name the list or map. Each path
 * is checked against the kind's message before anything is read; an unknown one is INVALID_ARGUMENT naming it.
 */
final class UpdateMasks {
    private static final List<String> METADATA = List.of("labels", "annotations", "finalizers");
    private static final int MAX_PATHS = 100;

    private UpdateMasks() {}

    /** The paths of {@code mask} as lists of fields of {@code kind}, checked. */
    static List<List<FieldDescriptor>> resolve(Descriptor kind, FieldMask mask, String field) {
        List<String> paths = mask.getPathsList();
        if (paths.isEmpty()) {
            paths = List.of("spec", "metadata.labels", "metadata.annotations");
        }
        if (paths.size() > MAX_PATHS) {
            throw new InvalidArgument(field + ".paths", "at most " + MAX_PATHS + " paths");
        }
        List<List<FieldDescriptor>> resolved = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            resolved.add(resolve(kind, paths.get(i), field + ".paths[" + i + "]"));
        }
        return resolved;
    }

    private static List<FieldDescriptor> resolve(Descriptor kind, String path, String field) {
        String[] names = path.split("\\.", -1);
        if (path.isEmpty() || path.length() > 512) {
            throw unknown(field, path);
        }
        List<FieldDescriptor> fields = new ArrayList<>();
        if (names[0].equals("metadata")) {
            if (names.length != 2 || !METADATA.contains(names[1])) {
                throw new InvalidArgument(
                        field,
                        "\"" + InvalidArgument.printable(path)
                                + "\" cannot be updated: of metadata only labels, annotations and finalizers can");
            }
            FieldDescriptor metadata = kind.findFieldByName("metadata");
            fields.add(metadata);
            fields.add(metadata.getMessageType().findFieldByName(names[1]));
            return fields;
        }
        if (!names[0].equals("spec") || kind.findFieldByName("spec") == null) {
            throw new InvalidArgument(
                    field,
                    "\"" + InvalidArgument.printable(path)
                            + "\" cannot be updated: a path starts with spec or names metadata.labels,"
                            + " metadata.annotations or metadata.finalizers");
        }
        Descriptor message = kind;
        for (int i = 0; i < names.length; i++) {
            if (message == null) {
                throw new InvalidArgument(
                        field,
                        "\"" + InvalidArgument.printable(path)
                                + "\" goes inside a field that is not a message (a list, a map or a value)");
            }
            FieldDescriptor next = message.findFieldByName(names[i]);
            if (next == null) {
                next = byJsonName(message, names[i]);
            }
            if (next == null) {
                throw unknown(field, path);
            }
            fields.add(next);
            message = next.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !next.isRepeated()
                    ? next.getMessageType()
                    : null;
        }
        return fields;
    }

    /**
     * {@code current} with each masked field replaced by {@code requested}'s value of it (cleared where {@code
     * requested} does not set it).
     */
    static Message apply(Message current, Message requested, List<List<FieldDescriptor>> paths) {
        Message result = current;
        for (List<FieldDescriptor> path : paths) {
            result = copy(result, requested, path, 0);
        }
        return result;
    }

    private static Message copy(Message target, Message source, List<FieldDescriptor> path, int depth) {
        FieldDescriptor field = path.get(depth);
        Message.Builder builder = target.toBuilder();
        if (depth == path.size() - 1) {
            builder.clearField(field);
            if (field.isRepeated() ? source.getRepeatedFieldCount(field) > 0 : source.hasField(field)) {
                builder.setField(field, source.getField(field));
            }
            return builder.build();
        }
        Message innerTarget = (Message) target.getField(field);
        Message innerSource = (Message) source.getField(field);
        return builder.setField(field, copy(innerTarget, innerSource, path, depth + 1))
                .build();
    }

    private static FieldDescriptor byJsonName(Descriptor message, String name) {
        for (FieldDescriptor candidate : message.getFields()) {
            if (candidate.getJsonName().equals(name)) {
                return candidate;
            }
        }
        return null;
    }

    private static InvalidArgument unknown(String field, String path) {
        return new InvalidArgument(field, "unknown field path \"" + InvalidArgument.printable(path) + "\"");
    }
}
