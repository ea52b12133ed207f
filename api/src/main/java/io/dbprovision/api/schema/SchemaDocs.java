package io.dbprovision.api.schema;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The proto comments of the schema. Generated Java descriptors carry no source info, so the comments come from the
 * descriptor set the proto build writes with source info; OpenAPI turns them into descriptions.
 */
public final class SchemaDocs {
    static final String RESOURCE = "/io/dbprovision/proto/dbops.desc";

    // Field numbers of the descriptor messages, as SourceCodeInfo paths spell them.
    private static final int FILE_MESSAGE = 4;
    private static final int FILE_ENUM = 5;
    private static final int MESSAGE_FIELD = 2;
    private static final int MESSAGE_NESTED = 3;
    private static final int MESSAGE_ENUM = 4;
    private static final int ENUM_VALUE = 2;

    private static final SchemaDocs INSTANCE = load();

    private final Map<String, String> comments;

    SchemaDocs(FileDescriptorSet files) {
        Map<String, String> found = new HashMap<>();
        for (FileDescriptorProto file : files.getFileList()) {
            new FileWalker(file, found).walk();
        }
        this.comments = Map.copyOf(found);
    }

    /** The comments of this build's schema. */
    public static SchemaDocs get() {
        return INSTANCE;
    }

    public Optional<String> of(Descriptor message) {
        return lookup("message:" + message.getFullName());
    }

    public Optional<String> of(FieldDescriptor field) {
        return lookup("field:" + field.getContainingType().getFullName() + "." + field.getName());
    }

    public Optional<String> of(EnumDescriptor type) {
        return lookup("enum:" + type.getFullName());
    }

    public Optional<String> of(EnumValueDescriptor value) {
        // Keyed under the enum rather than protobuf's sibling-scoped full name, so the key reads naturally.
        return lookup("value:" + value.getType().getFullName() + "." + value.getName());
    }

    private Optional<String> lookup(String key) {
        return Optional.ofNullable(comments.get(key));
    }

    private static SchemaDocs load() {
        try (InputStream in = SchemaDocs.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath; build the proto module first");
            }
            return new SchemaDocs(FileDescriptorSet.parseFrom(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Comment text without the comment markers' leading spaces; paragraphs separated by a blank line. */
    static String clean(String raw) {
        List<String> paragraphs = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        for (String line : raw.split("\n", -1)) {
            String text = line.strip();
            if (text.isEmpty()) {
                flush(paragraph, paragraphs);
            } else {
                if (!paragraph.isEmpty()) {
                    paragraph.append(' ');
                }
                paragraph.append(text);
            }
        }
        flush(paragraph, paragraphs);
        return String.join("\n\n", paragraphs);
    }

    private static void flush(StringBuilder paragraph, List<String> paragraphs) {
        if (!paragraph.isEmpty()) {
            paragraphs.add(paragraph.toString());
            paragraph.setLength(0);
        }
    }

    /** Maps one file's source locations to the full names of the elements they describe. */
    private static final class FileWalker {
        private final FileDescriptorProto file;
        private final Map<String, String> out;
        private final Map<List<Integer>, String> byPath = new HashMap<>();

        FileWalker(FileDescriptorProto file, Map<String, String> out) {
            this.file = file;
            this.out = out;
            for (Location location : file.getSourceCodeInfo().getLocationList()) {
                // Leading comments only: protoc may attach a comment meant for the next group as a trailing one.
                String cleaned = clean(location.getLeadingComments());
                if (!cleaned.isEmpty()) {
                    byPath.put(List.copyOf(location.getPathList()), cleaned);
                }
            }
        }

        void walk() {
            String scope = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
            for (int i = 0; i < file.getMessageTypeCount(); i++) {
                message(file.getMessageType(i), scope, List.of(FILE_MESSAGE, i));
            }
            for (int i = 0; i < file.getEnumTypeCount(); i++) {
                enumType(file.getEnumType(i), scope, List.of(FILE_ENUM, i));
            }
        }

        private void message(DescriptorProto message, String scope, List<Integer> path) {
            String name = scope + message.getName();
            record("message:" + name, path);
            for (int k = 0; k < message.getFieldCount(); k++) {
                record("field:" + name + "." + message.getField(k).getName(), append(path, MESSAGE_FIELD, k));
            }
            for (int j = 0; j < message.getNestedTypeCount(); j++) {
                message(message.getNestedType(j), name + ".", append(path, MESSAGE_NESTED, j));
            }
            for (int j = 0; j < message.getEnumTypeCount(); j++) {
                enumType(message.getEnumType(j), name + ".", append(path, MESSAGE_ENUM, j));
            }
        }

        private void enumType(EnumDescriptorProto type, String scope, List<Integer> path) {
            String name = scope + type.getName();
            record("enum:" + name, path);
            for (int k = 0; k < type.getValueCount(); k++) {
                record("value:" + name + "." + type.getValue(k).getName(), append(path, ENUM_VALUE, k));
            }
        }

        private void record(String key, List<Integer> path) {
            String comment = byPath.get(path);
            if (comment != null) {
                out.put(key, comment);
            }
        }

        private static List<Integer> append(List<Integer> path, int kind, int index) {
            List<Integer> longer = new ArrayList<>(path);
            longer.add(kind);
            longer.add(index);
            return List.copyOf(longer);
        }
    }
}
