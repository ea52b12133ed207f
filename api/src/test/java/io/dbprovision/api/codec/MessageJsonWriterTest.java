package io.dbprovision.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueOptions;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.dbprovision.api.Golden;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.ManagedFieldsEntry;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import io.dbprovision.proto.v1alpha1.OwnerReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The direct JSON writer must write exactly the bytes of the tree route, {@code TreeWriter.json(MessageWriter.toTree(
 * message), false)}, which the golden files and every client have seen so far.
 */
class MessageJsonWriterTest {
    private static final KubeCodec CODEC = KubeCodec.standard();
    private static final Path RESOURCES = Path.of("src/test/resources");

    /** Every manifest and golden object of the test resources, as decoded and as the server stores it (defaulted). */
    static Stream<String> resourceFiles() throws IOException {
        List<String> out = new ArrayList<>();
        for (String dir : List.of("manifests", "golden", "security-page")) {
            try (Stream<Path> files = Files.list(RESOURCES.resolve(dir))) {
                files.map(p -> dir + "/" + p.getFileName())
                        .filter(name -> name.endsWith(".yaml") || name.endsWith(".json"))
                        .sorted()
                        .forEach(out::add);
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("resourceFiles")
    void resourceObjectsEncodeAsTheTreeDoes(String file) {
        String text = Golden.read(file);
        List<Message> objects = file.endsWith(".json")
                ? List.of(
                        CODEC.decodeJson(text.getBytes(StandardCharsets.UTF_8)).object())
                : CODEC.decodeYaml(text).stream().map(Decoded::object).toList();

        assertThat(objects).isNotEmpty();
        for (Message object : objects) {
            assertSameBytes(object);
            assertSameBytes(ObjectRules.standard().applyDefaults(object));
        }
    }

    @Test
    void metadataWithMapsStructsOddStringsAndExtremeNumbers() {
        DatabaseInstance manifest = (DatabaseInstance) CodecTestSupport.manifest("databaseinstances");
        ObjectMeta metadata = manifest.getMetadata().toBuilder()
                // keys put in unsorted order, some beyond ASCII (String order sorts by UTF-16 unit)
                .putLabels("zeta", "last")
                .putLabels("Alpha", "capital first")
                .putLabels("é", "e acute")
                .putLabels("😀", "astral")
                .putLabels("ｚ", "fullwidth")
                .putLabels("", "empty key")
                .putAnnotations("controls", "nul\u0000 bell\u0007 tab\t nl\n cr\r esc\u001b del\u007f")
                .putAnnotations("quotes", "\"quoted\" back\\slash /slash </script>")
                .putAnnotations("unicode", "Grüße 日本語 😀 \u2028\u2029 \ufeff")
                .putAnnotations("empty", "")
                .setGeneration(Long.MAX_VALUE)
                .setDeletionGracePeriodSeconds(0) // has presence: 0 is written
                .setCreationTimestamp(Timestamp.newBuilder().setSeconds(-1).setNanos(999_999_999))
                .setDeletionTimestamp(Timestamp.getDefaultInstance()) // set: 1970-01-01T00:00:00Z
                .addOwnerReferences(OwnerReference.newBuilder()
                        .setApiVersion("v1")
                        .setKind("Owner")
                        .setName("o")
                        .setUid("u")
                        .setController(false)) // has presence: false is written
                .addOwnerReferences(OwnerReference.getDefaultInstance()) // {}
                .addManagedFields(ManagedFieldsEntry.newBuilder()
                        .setManager("kubectl")
                        .setOperation("Apply")
                        .setFieldsType("FieldsV1")
                        .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000))
                        .setFieldsV1(oddStruct()))
                .addManagedFields(ManagedFieldsEntry.newBuilder().setFieldsV1(Struct.getDefaultInstance()))
                .addManagedFields(ManagedFieldsEntry.getDefaultInstance())
                .build();
        DatabaseInstance instance = manifest.toBuilder().setMetadata(metadata).build();

        assertSameBytes(instance);
        assertSameBytes(instance.toBuilder()
                .setMetadata(metadata.toBuilder().setGeneration(Long.MIN_VALUE))
                .build());
        assertSameBytes(instance.toBuilder()
                .setMetadata(metadata.toBuilder().setGeneration(-1))
                .build());
    }

    @Test
    void setMessagesWithNothingInsideAreWrittenAsEmptyObjects() {
        DatabaseInstance manifest = (DatabaseInstance) CodecTestSupport.manifest("databaseinstances");
        DatabaseInstanceSpec.Builder spec = manifest.getSpec().toBuilder();
        for (FieldDescriptor field : spec.getDescriptorForType().getFields()) {
            if (!field.isRepeated() && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                spec.setField(field, ((Message) spec.getField(field)).getDefaultInstanceForType());
            }
        }
        DatabaseInstance emptied = manifest.toBuilder()
                .setSpec(spec)
                .setMetadata(ObjectMeta.getDefaultInstance())
                .build();

        assertThat(new String(CODEC.encodeJson(emptied), StandardCharsets.UTF_8))
                .contains("\"metadata\":{}");
        assertSameBytes(emptied);
        assertSameBytes(DatabaseInstance.getDefaultInstance());
    }

    @Test
    void bytesAreBase64() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        Secret secret = Secret.newBuilder()
                .setApiVersion("v1")
                .setKind("Secret")
                .putData("password", ByteString.copyFromUtf8("s3cr3t/+=?"))
                .putData("binary", ByteString.copyFrom(all))
                .putData("empty", ByteString.EMPTY)
                .putData("one", ByteString.copyFrom(new byte[] {(byte) 0xff}))
                .setImmutable(false)
                .build();

        assertSameBytes(secret);
    }

    /** Every field shape, including those the schema does not use today (a repeated enum, a map of Values...). */
    @Test
    void everyFieldShapeOfASyntheticMessage() {
        assertSameBytes(DynamicMessage.getDefaultInstance(Synthetic.ALL));
        assertSameBytes(Synthetic.full());
        assertSameBytes(Synthetic.builder()
                .set("f", -0.0f) // not equal to the default by equals: set
                .set("d", Double.NaN)
                .set("color", Synthetic.color("COLOR_RED"))
                .set("val", Value.newBuilder().setNumberValue(3).build())
                .set("choice_s", "") // in a oneof: has presence
                .build());
        assertSameBytes(Synthetic.builder()
                .set("d", Double.NEGATIVE_INFINITY)
                .set("f", Float.NaN)
                .set(
                        "val",
                        Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
                .set("opt_color", Synthetic.color("COLOR_RED"))
                .set("choice_m", Synthetic.full())
                .build());
    }

    @Test
    void writesIntoALargerDocumentAndLeavesTheStreamOpen() throws IOException {
        Message instance = CodecTestSupport.manifest("databaseinstances");
        byte[] single = treeJson(instance);

        ByteArrayOutputStream list = new ByteArrayOutputStream();
        try (JsonGenerator generator = new JsonFactory().createGenerator(list)) {
            generator.writeStartObject();
            generator.writeFieldName("items");
            generator.writeStartArray();
            CODEC.writeJson(instance, generator);
            CODEC.writeJson(instance, generator);
            generator.writeEndArray();
            generator.writeEndObject();
        }
        String one = new String(single, StandardCharsets.UTF_8);
        assertThat(list.toString(StandardCharsets.UTF_8)).isEqualTo("{\"items\":[" + one + "," + one + "]}");

        RecordingStream out = new RecordingStream();
        CODEC.writeJson(instance, out);
        CODEC.writeJson(instance, out);
        assertThat(out.toByteArray()).isEqualTo(CodecTestSupport.concat(single, single));
        assertThat(out.closed).isFalse();
        assertThat(out.flushed).isFalse();
    }

    private static void assertSameBytes(Message message) {
        byte[] expected = treeJson(message);
        byte[] actual = CODEC.encodeJson(message);
        // Strings first for a readable difference, then the bytes themselves.
        assertThat(new String(actual, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        assertThat(actual).isEqualTo(expected);
    }

    private static byte[] treeJson(Message message) {
        return TreeWriter.json(MessageWriter.toTree(message), false);
    }

    /** A fieldsV1-like Struct with every kind of Value and numbers at the edges of the integer rule. */
    private static Struct oddStruct() {
        Struct.Builder numbers = Struct.newBuilder();
        double[] samples = {
            0,
            -0.0,
            1,
            -1,
            1.5,
            -2.25,
            0.1,
            1e-300,
            Double.MIN_VALUE,
            9007199254740991.0,
            9007199254740992.0,
            -9007199254740991.0,
            -9007199254740992.0,
            9007199254740993.0,
            1e15,
            1e16,
            1e300,
            Double.MAX_VALUE,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            123456789.125
        };
        for (int i = 0; i < samples.length; i++) {
            numbers.putFields(
                    "n" + (char) ('z' - i),
                    Value.newBuilder().setNumberValue(samples[i]).build());
        }
        ListValue list = ListValue.newBuilder()
                .addValues(Value.newBuilder().setNullValue(NullValue.NULL_VALUE))
                .addValues(Value.getDefaultInstance()) // kind not set: null
                .addValues(Value.newBuilder().setBoolValue(false))
                .addValues(Value.newBuilder().setStringValue("ctl\u0001 😀"))
                .addValues(Value.newBuilder().setListValue(ListValue.getDefaultInstance()))
                .addValues(Value.newBuilder().setStructValue(Struct.getDefaultInstance()))
                .build();
        return Struct.newBuilder()
                .putFields("f:spec", Value.newBuilder().setStructValue(numbers).build())
                .putFields(
                        ".",
                        Value.newBuilder()
                                .setStructValue(Struct.getDefaultInstance())
                                .build())
                .putFields(
                        "f:metadata",
                        Value.newBuilder()
                                .setStructValue(Struct.newBuilder()
                                        .putFields(
                                                "f:labels",
                                                Value.newBuilder()
                                                        .setBoolValue(true)
                                                        .build())
                                        .putFields(
                                                "k:{\"type\":\"Ready\"}",
                                                Value.newBuilder()
                                                        .setListValue(list)
                                                        .build())
                                        .putFields(
                                                "é",
                                                Value.newBuilder()
                                                        .setStringValue("")
                                                        .build()))
                                .build())
                .putFields(
                        "Z",
                        Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
                .build();
    }

    /** A proto3 message built at run time with every field shape the writer distinguishes. */
    private static final class Synthetic {
        static final Descriptor ALL = build();

        static Descriptor build() {
            EnumDescriptorProto color = EnumDescriptorProto.newBuilder()
                    .setName("Color")
                    .addValue(enumValue("COLOR_UNSPECIFIED", 0, ""))
                    .addValue(enumValue("COLOR_RED", 1, "red"))
                    .addValue(enumValue("COLOR_UNSPELLED", 2, ""))
                    .build();
            DescriptorProto.Builder all = DescriptorProto.newBuilder()
                    .setName("All")
                    .addOneofDecl(OneofDescriptorProto.newBuilder().setName("choice"))
                    .addOneofDecl(OneofDescriptorProto.newBuilder().setName("_opt_i32"))
                    .addOneofDecl(OneofDescriptorProto.newBuilder().setName("_opt_color"));
            int n = 0;
            all.addField(field("i32", ++n, Type.TYPE_INT32));
            all.addField(field("i64", ++n, Type.TYPE_INT64));
            all.addField(field("u32", ++n, Type.TYPE_UINT32));
            all.addField(field("u64", ++n, Type.TYPE_UINT64));
            all.addField(field("s32", ++n, Type.TYPE_SINT32));
            all.addField(field("sf64", ++n, Type.TYPE_SFIXED64));
            all.addField(field("f", ++n, Type.TYPE_FLOAT));
            all.addField(field("d", ++n, Type.TYPE_DOUBLE));
            all.addField(field("b", ++n, Type.TYPE_BOOL));
            all.addField(field("s", ++n, Type.TYPE_STRING).setJsonName("customName"));
            all.addField(field("by", ++n, Type.TYPE_BYTES));
            all.addField(field("odd_name", ++n, Type.TYPE_BOOL).setJsonName("naïve 😀 \"quoted\" \\ \u0001"));
            all.addField(field("color", ++n, ".codectest.Color"));
            all.addField(field("opt_i32", ++n, Type.TYPE_INT32).setOneofIndex(1).setProto3Optional(true));
            all.addField(
                    field("opt_color", ++n, ".codectest.Color").setOneofIndex(2).setProto3Optional(true));
            all.addField(field("child", ++n, ".codectest.All"));
            all.addField(field("ts", ++n, ".google.protobuf.Timestamp"));
            all.addField(field("st", ++n, ".google.protobuf.Struct"));
            all.addField(field("val", ++n, ".google.protobuf.Value"));
            all.addField(field("lv", ++n, ".google.protobuf.ListValue"));
            all.addField(field("colors", ++n, ".codectest.Color").setLabel(Label.LABEL_REPEATED));
            all.addField(field("vals", ++n, ".google.protobuf.Value").setLabel(Label.LABEL_REPEATED));
            all.addField(field("tss", ++n, ".google.protobuf.Timestamp").setLabel(Label.LABEL_REPEATED));
            all.addField(field("ds", ++n, Type.TYPE_DOUBLE).setLabel(Label.LABEL_REPEATED));
            all.addField(field("fs", ++n, Type.TYPE_FLOAT).setLabel(Label.LABEL_REPEATED));
            all.addField(field("i64s", ++n, Type.TYPE_INT64).setLabel(Label.LABEL_REPEATED));
            all.addField(field("bys", ++n, Type.TYPE_BYTES).setLabel(Label.LABEL_REPEATED));
            all.addField(field("children", ++n, ".codectest.All").setLabel(Label.LABEL_REPEATED));
            all.addField(field("choice_s", ++n, Type.TYPE_STRING).setOneofIndex(0));
            all.addField(field("choice_m", ++n, ".codectest.All").setOneofIndex(0));
            map(all, "color_map", ++n, field("value", 2, ".codectest.Color"));
            map(all, "value_map", ++n, field("value", 2, ".google.protobuf.Value"));
            map(all, "child_map", ++n, field("value", 2, ".codectest.All"));
            map(all, "bytes_map", ++n, field("value", 2, Type.TYPE_BYTES));
            map(all, "ts_map", ++n, field("value", 2, ".google.protobuf.Timestamp"));
            map(all, "int_map", ++n, field("value", 2, Type.TYPE_INT32));
            FileDescriptorProto file = FileDescriptorProto.newBuilder()
                    .setName("codectest.proto")
                    .setPackage("codectest")
                    .setSyntax("proto3")
                    .addDependency("google/protobuf/struct.proto")
                    .addDependency("google/protobuf/timestamp.proto")
                    .addEnumType(color)
                    .addMessageType(all)
                    .build();
            try {
                return FileDescriptor.buildFrom(file, new FileDescriptor[] {
                            Struct.getDescriptor().getFile(),
                            Timestamp.getDescriptor().getFile()
                        })
                        .findMessageTypeByName("All");
            } catch (DescriptorValidationException e) {
                throw new IllegalStateException(e);
            }
        }

        static DynamicMessage full() {
            DynamicMessage child = builder().set("i32", 7).set("s", "child").build();
            return builder()
                    .set("i32", Integer.MIN_VALUE)
                    .set("i64", Long.MIN_VALUE)
                    .set("u32", -1) // 4294967295 unsigned; Java holds it as -1
                    .set("u64", -1L)
                    .set("s32", -5)
                    .set("sf64", 1L << 60)
                    .set("f", 1.1f)
                    .set("d", 0.1)
                    .set("b", true)
                    .set("s", "tab\t nul\u0000 é 😀 \u2028")
                    .set("by", ByteString.copyFrom(new byte[] {0, -1, 62, 63}))
                    .set("odd_name", true)
                    .set("color", color("COLOR_UNSPELLED")) // set, but no spelling: omitted
                    .set("opt_i32", 0) // has presence: written
                    .set("opt_color", color("COLOR_UNSPECIFIED")) // has presence, no spelling: omitted
                    .set("child", DynamicMessage.getDefaultInstance(ALL)) // {}
                    .set("ts", Timestamp.newBuilder().setSeconds(253402300799L).build())
                    .set("st", oddStruct())
                    .set("val", Value.getDefaultInstance()) // null as a field: omitted
                    .set(
                            "lv",
                            ListValue.newBuilder() // not special-cased: an object with "values"
                                    .addValues(Value.newBuilder().setNumberValue(2))
                                    .build())
                    .add("colors", color("COLOR_RED"), color("COLOR_UNSPELLED"), color("COLOR_UNSPECIFIED"))
                    .add(
                            "vals",
                            Value.getDefaultInstance(),
                            Value.newBuilder().setNumberValue(-0.5).build(),
                            Value.newBuilder().setStructValue(oddStruct()).build())
                    .add(
                            "tss",
                            Timestamp.getDefaultInstance(),
                            Timestamp.newBuilder().setSeconds(-62135596800L).build())
                    .add("ds", 0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e300, Double.MIN_VALUE, 2.0)
                    .add("fs", Float.NaN, -0.0f, Float.MAX_VALUE, 3.0f, 0.1f)
                    .add("i64s", 0L, Long.MAX_VALUE, 9007199254740993L)
                    .add("bys", ByteString.EMPTY, ByteString.copyFromUtf8("a"))
                    .add("children", DynamicMessage.getDefaultInstance(ALL), child)
                    .set("choice_s", "chosen")
                    .entries("color_map", "b", color("COLOR_RED"), "a", color("COLOR_UNSPELLED"))
                    .entries(
                            "value_map",
                            "z",
                            Value.getDefaultInstance(),
                            "y",
                            Value.newBuilder().setNumberValue(2.5).build(),
                            "x",
                            Value.newBuilder()
                                    .setListValue(ListValue.getDefaultInstance())
                                    .build())
                    .entries("child_map", "", DynamicMessage.getDefaultInstance(ALL), "c", child)
                    .entries("bytes_map", "k", ByteString.copyFrom(new byte[] {1, 2, 3}))
                    .entries(
                            "ts_map",
                            "t",
                            Timestamp.newBuilder().setSeconds(86400).build())
                    // a repeated key, as only a dynamic message can hold: the last value wins, as in a TreeMap
                    .entries("int_map", "dup", 1, "other", 0, "dup", 2)
                    .build();
        }

        static Builder builder() {
            return new Builder();
        }

        static Object color(String name) {
            return ALL.getFile().findEnumTypeByName("Color").findValueByName(name);
        }

        /** Sets fields by name, so that the test reads like the message. */
        static final class Builder {
            private final DynamicMessage.Builder message = DynamicMessage.newBuilder(ALL);

            Builder set(String name, Object value) {
                message.setField(ALL.findFieldByName(name), value);
                return this;
            }

            Builder add(String name, Object... values) {
                for (Object value : values) {
                    message.addRepeatedField(ALL.findFieldByName(name), value);
                }
                return this;
            }

            /** Map entries as key, value, key, value... in the order given. */
            Builder entries(String name, Object... keysAndValues) {
                FieldDescriptor field = ALL.findFieldByName(name);
                Descriptor entry = field.getMessageType();
                for (int i = 0; i < keysAndValues.length; i += 2) {
                    message.addRepeatedField(
                            field,
                            DynamicMessage.newBuilder(entry)
                                    .setField(entry.findFieldByName("key"), keysAndValues[i])
                                    .setField(entry.findFieldByName("value"), keysAndValues[i + 1])
                                    .build());
                }
                return this;
            }

            DynamicMessage build() {
                return message.build();
            }
        }

        private static EnumValueDescriptorProto enumValue(String name, int number, String json) {
            return EnumValueDescriptorProto.newBuilder()
                    .setName(name)
                    .setNumber(number)
                    .setOptions(EnumValueOptions.newBuilder().setExtension(OptionsProto.json, json))
                    .build();
        }

        private static FieldDescriptorProto.Builder field(String name, int number, Type type) {
            return FieldDescriptorProto.newBuilder()
                    .setName(name)
                    .setNumber(number)
                    .setLabel(Label.LABEL_OPTIONAL)
                    .setType(type);
        }

        private static FieldDescriptorProto.Builder field(String name, int number, String typeName) {
            return FieldDescriptorProto.newBuilder()
                    .setName(name)
                    .setNumber(number)
                    .setLabel(Label.LABEL_OPTIONAL)
                    .setTypeName(typeName);
        }

        /** A map<string, V> field: a repeated field of a nested map-entry message, as protoc declares it. */
        private static void map(
                DescriptorProto.Builder message, String name, int number, FieldDescriptorProto.Builder value) {
            String entryName = toCamel(name) + "Entry";
            message.addNestedType(DescriptorProto.newBuilder()
                    .setName(entryName)
                    .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                    .addField(field("key", 1, Type.TYPE_STRING))
                    .addField(value));
            message.addField(field(name, number, ".codectest.All." + entryName).setLabel(Label.LABEL_REPEATED));
        }

        private static String toCamel(String name) {
            StringBuilder out = new StringBuilder();
            for (String part : name.split("_")) {
                out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
            return out.toString();
        }
    }

    /** Records whether the codec flushed or closed a caller's stream. */
    private static final class RecordingStream extends ByteArrayOutputStream {
        boolean flushed;
        boolean closed;

        @Override
        public void flush() {
            flushed = true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
