package io.dbprovision.api.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.codec.Node.ObjectNode;
import io.dbprovision.api.codec.Node.ScalarNode;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes JSON and YAML for the messages of the schema. Decoding checks {@code apiVersion} and {@code kind},
 * maps fields by their JSON names and reports unknown and duplicate fields with their paths; encoding writes the
 * same JSON a Go API server would (decode, encode, decode gives the same message).
 */
public final class KubeCodec {
    /**
     * Jackson's defaults (which decide the bytes, as in {@link TreeWriter}), except that closing a generator leaves
     * the caller's stream alone (not closed, not flushed) and, after a failure, does not close the open objects: a
     * truncated object must not look complete. Its buffers are recycled through a shared pool: Jackson's default
     * keeps them per thread, and each request runs on a virtual thread of its own, so every generator allocated new
     * ones.
     */
    private static final JsonFactory STREAMING_JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
            .build();

    private final List<Schema> schemas;
    private final Limits limits;
    /**
     * One reader for every JSON body: it holds a JsonFactory, which is thread-safe and meant to be shared, and whose
     * construction and first symbol table cost a fifth of decoding a 1 KiB object when built per request.
     */
    private final JsonReader jsonReader;

    public KubeCodec(Schema schema, Limits limits) {
        this(List.of(schema), limits);
    }

    /** A codec for the kinds of several group-versions (standalone mode adds the core v1 kinds). */
    public KubeCodec(List<Schema> schemas, Limits limits) {
        this.schemas = List.copyOf(schemas);
        this.limits = limits;
        this.jsonReader = new JsonReader(limits);
    }

    /** The codec of this build's schema with the server's limits. */
    public static KubeCodec standard() {
        return new KubeCodec(Schema.get(), Limits.defaults());
    }

    public Limits limits() {
        return limits;
    }

    /** Decodes one JSON object of any kind (or list kind) of the schema. */
    public Decoded<Message> decodeJson(byte[] json) {
        return decode(jsonReader.read(json), null);
    }

    /**
     * Decodes one JSON object into the given kind, as a REST endpoint does: the URL names the kind, so an absent
     * {@code apiVersion} or {@code kind} is filled in and a different one is refused.
     */
    public <T extends Message> Decoded<T> decodeJson(byte[] json, T prototype) {
        return decodeAs(jsonReader.read(json), prototype);
    }

    /** Decodes a YAML object of the given kind (server-side apply bodies). */
    public <T extends Message> Decoded<T> decodeYaml(byte[] yaml, T prototype) {
        List<YamlReader.Document> documents = new YamlReader(limits).readAll(yaml);
        if (documents.size() != 1) {
            throw new CodecException("expected exactly one YAML document, found " + documents.size());
        }
        return decodeAs(documents.getFirst().root(), prototype);
    }

    /** Decodes every document of a YAML stream ({@code ---} separated); empty documents are skipped. */
    public List<Decoded<Message>> decodeYaml(byte[] yaml) {
        List<Decoded<Message>> out = new ArrayList<>();
        List<YamlReader.Document> documents = new YamlReader(limits).readAll(yaml);
        for (YamlReader.Document document : documents) {
            try {
                out.add(decode(document.root(), null));
            } catch (CodecException e) {
                if (documents.size() == 1 && document.number() == 1) {
                    throw e;
                }
                // Numbered by place in the stream, empty documents included, so that "document 3" is the third.
                String prefix = "document " + document.number()
                        + (document.root().position().isEmpty()
                                ? ""
                                : " (" + document.root().position() + ")")
                        + ": ";
                List<String> problems = new ArrayList<>();
                for (String problem : e.problems()) {
                    problems.add(prefix + problem);
                }
                throw new CodecException(problems);
            }
        }
        return out;
    }

    public List<Decoded<Message>> decodeYaml(String yaml) {
        return decodeYaml(yaml.getBytes(StandardCharsets.UTF_8));
    }

    /** Compact Kubernetes JSON, written straight from the message (no intermediate tree: this is the hot path). */
    /**
     * Decodes a request body in Kubernetes' protobuf form, for the kinds that have one here (the core kinds of
     * standalone mode): as the JSON it is equivalent to.
     *
     * @throws CodecException when the body is not such protobuf, or the kind has no protobuf form
     */
    public <T extends Message> Decoded<T> decodeProtobuf(byte[] body, T prototype) {
        return decodeJson(KubeProtobuf.toJson(body, prototype, this), prototype);
    }

    /** Whether {@link #decodeProtobuf} reads bodies of {@code prototype}'s kind. */
    public boolean readsProtobuf(Message prototype) {
        return KubeProtobuf.supports(prototype);
    }

    public byte[] encodeJson(Message message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeJson(message, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /**
     * Writes {@link #encodeJson}'s bytes to {@code out}, which it neither flushes nor closes: a caller writing
     * several objects to one response decides when data goes out.
     */
    public void writeJson(Message message, OutputStream out) throws IOException {
        try (JsonGenerator generator = STREAMING_JSON.createGenerator(out)) {
            writeJson(message, generator);
        }
    }

    /**
     * Writes the message as one JSON object at the generator's current place, so that a caller can put objects into
     * a larger document (the items of a list, the object of a watch event). With a generator of default settings the
     * object's bytes are those of {@link #encodeJson}.
     */
    public void writeJson(Message message, JsonGenerator generator) throws IOException {
        MessageJsonWriter.write(generator, message);
    }

    public byte[] encodeJsonPretty(Message message) {
        return TreeWriter.json(MessageWriter.toTree(message), true);
    }

    public String encodeYaml(Message message) {
        return TreeWriter.yaml(MessageWriter.toTree(message));
    }

    /** Several objects as one YAML stream, documents separated by {@code ---}. */
    public String encodeYaml(List<? extends Message> messages) {
        StringBuilder out = new StringBuilder();
        for (Message message : messages) {
            if (!out.isEmpty()) {
                out.append("---\n");
            }
            out.append(encodeYaml(message));
        }
        return out.toString();
    }

    /** The message as plain maps, lists and scalars in its JSON shape (for JSONPath-style column lookups). */
    public Map<String, Object> toTree(Message message) {
        return MessageWriter.toTree(message);
    }

    private Decoded<Message> decode(Node node, Message prototype) {
        ObjectNode object = requireObject(node);
        String apiVersion = topLevelString(object, "apiVersion");
        String kind = topLevelString(object, "kind");
        if (kind.isEmpty()) {
            throw new CodecException("Object 'Kind' is missing in the document");
        }
        Schema schema = schemas.stream()
                .filter(s -> s.apiVersion().equals(apiVersion))
                .findFirst()
                .orElse(null);
        Message target = schema == null
                ? null
                : schema.byKind(kind)
                        .map(Kind::object)
                        .or(() -> schema.byListKind(kind).map(Kind::list))
                        .orElse(null);
        if (target == null) {
            throw new CodecException("no kind \"" + kind + "\" is registered for version \""
                    + (apiVersion.isEmpty() ? "(empty apiVersion)" : apiVersion) + "\"");
        }
        return read(object, target);
    }

    private <T extends Message> Decoded<T> decodeAs(Node node, T prototype) {
        ObjectNode object = requireObject(node);
        String expectedKind = prototype.getDescriptorForType().getName();
        String expectedApiVersion = apiVersionOf(prototype);
        String apiVersion = topLevelString(object, "apiVersion");
        String kind = topLevelString(object, "kind");
        if (!apiVersion.isEmpty() && !apiVersion.equals(expectedApiVersion)) {
            throw new CodecException("the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + expectedApiVersion + ")");
        }
        if (!kind.isEmpty() && !kind.equals(expectedKind)) {
            throw new CodecException(
                    "the kind in the data (" + kind + ") does not match the expected kind (" + expectedKind + ")");
        }
        Decoded<Message> decoded = read(object, prototype);
        Message.Builder builder = decoded.object().toBuilder();
        setIfPresent(builder, "api_version", expectedApiVersion);
        setIfPresent(builder, "kind", expectedKind);
        @SuppressWarnings("unchecked")
        T typed = (T) builder.build();
        return decoded.withObject(typed);
    }

    /** The apiVersion of the schema the prototype's kind (or list kind) belongs to. */
    private String apiVersionOf(Message prototype) {
        String name = prototype.getDescriptorForType().getName();
        for (Schema schema : schemas) {
            if (schema.byKind(name).isPresent() || schema.byListKind(name).isPresent()) {
                return schema.apiVersion();
            }
        }
        return Schema.API_VERSION;
    }

    private Decoded<Message> read(ObjectNode object, Message target) {
        MessageReader reader = new MessageReader();
        Message.Builder builder = target.newBuilderForType();
        reader.readObject(object, builder, FieldPath.root());
        if (!reader.typeErrors().isEmpty()) {
            throw new CodecException(reader.typeErrors());
        }
        return new Decoded<>(
                builder.build(),
                List.copyOf(reader.unknownFields()),
                List.copyOf(reader.duplicateFields()),
                List.copyOf(reader.invalidValues()));
    }

    private static void setIfPresent(Message.Builder builder, String protoField, String value) {
        FieldDescriptor field = builder.getDescriptorForType().findFieldByName(protoField);
        if (field != null) {
            builder.setField(field, value);
        }
    }

    private static ObjectNode requireObject(Node node) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new CodecException("the document must be an object, not " + kindOf(node));
    }

    private static String kindOf(Node node) {
        return switch (node) {
            case Node.ArrayNode a -> "an array";
            case Node.NullNode n -> "null";
            case ScalarNode s -> "a scalar";
            case ObjectNode o -> "an object";
        };
    }

    private static String topLevelString(ObjectNode object, String name) {
        String value = "";
        for (Map.Entry<String, Node> entry : object.entries()) {
            if (entry.getKey().equals(name)) {
                if (entry.getValue() instanceof ScalarNode scalar
                        && scalar.style() != Node.Style.NUMBER
                        && scalar.style() != Node.Style.BOOLEAN) {
                    value = scalar.text();
                } else if (!(entry.getValue() instanceof Node.NullNode)) {
                    throw new CodecException(name + ": expected a string");
                }
            }
        }
        return value;
    }
}
