package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.CodecException;
import io.dbprovision.api.codec.Decoded;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.ApplyConfiguration;
import io.dbprovision.apiserver.registry.Objects;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * The REST half of {@code PATCH} with {@code application/apply-patch+yaml} (server-side apply): reads and checks the
 * request — the required {@code fieldManager}, {@code force}, the body (YAML or JSON) as the named kind and version,
 * its name and namespace against the URL's, {@code fieldValidation} — into an {@link ApplyConfiguration}; the
 * registry merges it ({@link io.dbprovision.apiserver.registry.ResourceStore#apply}).
 */
final class ServerSideApply {
    static final int MAX_FIELD_MANAGER_LENGTH = 128;

    private final KubeCodec codec;
    private final int maxBodyBytes;

    ServerSideApply(KubeCodec codec, int maxBodyBytes) {
        this.codec = codec;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The configuration the request applies to the object {@code name} of {@code kind}. */
    ApplyConfiguration read(Call call, Kind kind, String namespace, String name) {
        String manager = call.query("fieldManager");
        if (manager.isEmpty()) {
            throw invalidOptions(FieldError.required(FieldPath.of("fieldManager"), "is required for apply patch"));
        }
        validateFieldManager(manager, "PatchOptions");
        boolean force = call.flag("force");
        FieldValidation validation = FieldValidation.of(call);
        byte[] body = call.body(maxBodyBytes);

        Decoded<Message> decoded;
        try {
            decoded = codec.decodeYaml(body, kind.object());
        } catch (CodecException e) {
            throw new ApiException.BadRequest(PublicMessages.clean(e.getMessage()));
        }
        Map<String, Object> raw = readRaw(body);
        checkType(raw, kind);
        if (raw.get("metadata") instanceof Map<?, ?> metadata && metadata.get("managedFields") != null) {
            throw new ApiException.BadRequest("metadata.managedFields must be nil");
        }
        validation.check(decoded, call);
        if (!decoded.invalidValues().isEmpty()) {
            throw new ApiException.Invalid(kind.group(), kind.kind(), name, decoded.invalidValues());
        }
        String configName = Objects.meta(decoded.object()).getName();
        if (!configName.isEmpty() && !configName.equals(name)) {
            throw new ApiException.BadRequest(
                    "the name of the object (" + configName + ") does not match the name on the URL (" + name + ")");
        }
        String configNamespace = Objects.meta(decoded.object()).getNamespace();
        if (!kind.clusterScoped() && !configNamespace.isEmpty() && !configNamespace.equals(namespace)) {
            throw new ApiException.BadRequest(
                    "the namespace of the provided object does not match the namespace sent on the request");
        }
        return new ApplyConfiguration(manager, force, raw, decoded.object());
    }

    /** Kubernetes' {@code ValidateFieldManager}: at most 128 characters, all printable. */
    static void validateFieldManager(String manager, String optionsKind) {
        List<FieldError> errors = new ArrayList<>();
        FieldPath path = FieldPath.of("fieldManager");
        if (manager.length() > MAX_FIELD_MANAGER_LENGTH) {
            errors.add(FieldError.tooLong(path, MAX_FIELD_MANAGER_LENGTH));
        }
        if (!manager.codePoints().allMatch(ServerSideApply::printable)) {
            errors.add(FieldError.invalid(path, manager, "must only contain printable characters"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException.Invalid("meta.k8s.io", optionsKind, "", errors);
        }
    }

    /** Like Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean printable(int codePoint) {
        if (codePoint == ' ') {
            return true;
        }
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.PRIVATE_USE,
                    Character.SURROGATE,
                    Character.UNASSIGNED,
                    Character.SPACE_SEPARATOR,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    private static ApiException invalidOptions(FieldError error) {
        return new ApiException.Invalid("meta.k8s.io", "PatchOptions", "", List.of(error));
    }

    /**
     * The document as written, as plain maps, lists and scalars: which fields the manager names (the codec has
     * already read it, within its limits, so this read succeeds on anything that got here).
     */
    private Map<String, Object> readRaw(byte[] body) {
        LoadSettings settings = LoadSettings.builder()
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(true)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(codec.limits().maxAliases())
                .setCodePointLimit(Math.max(codec.limits().maxBytes(), 1))
                .build();
        Object document;
        try {
            document = new Load(settings).loadFromString(new String(body, StandardCharsets.UTF_8));
        } catch (YamlEngineException e) {
            throw new ApiException.BadRequest("error decoding YAML: " + PublicMessages.clean(e.getMessage()));
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new ApiException.BadRequest("error decoding YAML: the document must be an object");
        }
        return stringKeys(map);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((key, value) -> out.put(String.valueOf(key), value instanceof Map<?, ?> m ? stringKeys(m) : value));
        return out;
    }

    /** Kubernetes' versionCheckManager: the applied object must name this kind and version. */
    private static void checkType(Map<String, Object> raw, Kind kind) {
        String apiVersion = raw.get("apiVersion") instanceof String s ? s : "";
        String kindName = raw.get("kind") instanceof String s ? s : "";
        if (!apiVersion.equals(kind.apiVersion()) || !kindName.equals(kind.kind())) {
            int slash = apiVersion.indexOf('/');
            String group = slash < 0 ? "" : apiVersion.substring(0, slash);
            String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
            throw new ApiException.BadRequest("invalid object type: " + group + "/" + version + ", Kind=" + kindName);
        }
    }
}
