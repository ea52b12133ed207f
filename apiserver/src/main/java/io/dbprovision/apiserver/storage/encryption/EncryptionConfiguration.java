package io.dbprovision.apiserver.storage.encryption;

import io.dbprovision.apiserver.storage.ValueTransformer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The kube-apiserver's {@code EncryptionConfiguration} ({@code apiserver.config.k8s.io/v1}), YAML or JSON: for each
 * list of resources, the providers their values are stored with. The first provider encrypts new writes; every listed
 * provider decrypts, so a key moved down the list still reads what it wrote, and {@code identity} reads values
 * stored before encryption was turned on.
 *
 * <pre>
 * apiVersion: apiserver.config.k8s.io/v1
 * kind: EncryptionConfiguration
 * resources:
 *   - resources: [secrets]
 *     providers:
 *       - aesgcm:
 *           keys:
 *             - name: key2
 *               secret: &lt;base64 of 16, 24 or 32 random bytes&gt;
 *             - name: key1
 *               secret: ...
 *       - identity: {}
 * </pre>
 *
 * Resources are named as the store names them: {@code secrets} for core Secrets, {@code <plural>.<group>} otherwise
 * ({@code databases.dbops.dbprovision.io}); {@code *.*} is every resource, {@code *.<group>} every resource of a
 * group and {@code *.} every core resource. The first list that names a resource decides its providers. Providers
 * {@code aesgcm} and {@code identity} are supported; {@code aescbc}, {@code secretbox} and {@code kms} are refused with
 * a clear error rather than ignored. Unknown fields are refused too: a misspelt {@code providers} must not silently
 * leave Secrets in the clear.
 *
 * <p>No error message or log line carries key material: secrets are decoded here, reported by key name only, and a
 * YAML syntax error is reported by position only (the parser's own message would quote the line).
 */
public final class EncryptionConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(EncryptionConfiguration.class);
    private static final String API_VERSION = "apiserver.config.k8s.io/v1";
    private static final String KIND = "EncryptionConfiguration";
    private static final int MAX_BYTES = 1 << 20;

    /** One entry of {@code resources}: the resources it names and the forms their values are stored in. */
    record Rule(List<String> resources, List<StoredForm> forms) {}

    private final List<Rule> rules;

    private EncryptionConfiguration(List<Rule> rules) {
        this.rules = rules;
    }

    /** The configuration is unusable; the message says where and why, never with key material. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads the file given to {@code --encryption-provider-config}.
     *
     * <p>It holds the keys to every encrypted value, so on a POSIX file system the server <b>refuses</b> a file that
     * other users may read or write, as ssh refuses such a private key: encryption at rest with a world-readable key
     * protects nothing, and failing at start is the one moment someone is looking. A file its group may read is
     * accepted with a warning, because that is how Kubernetes mounts a Secret for a pod with an {@code fsGroup}
     * (mode 0440, group = the pod's group), the usual way to hand this file to the server in a cluster.
     */
    public static EncryptionConfiguration load(Path file) {
        checkPermissions(file);
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new Invalid(file + ": larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Invalid("cannot read the encryption configuration " + file + ": " + e.getMessage());
        }
        EncryptionConfiguration configuration = parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
        LOG.info("encryption at rest from {}: {}", file, configuration.describeResources());
        return configuration;
    }

    private static void checkPermissions(Path file) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: its access control is not ours to judge
        } catch (IOException e) {
            throw new Invalid("cannot read the encryption configuration " + file + ": " + e.getMessage());
        }
        String mode = PosixFilePermissions.toString(permissions);
        if (permissions.contains(PosixFilePermission.OTHERS_READ)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new Invalid("the encryption configuration " + file + " holds encryption keys but other users may"
                    + " read or change it (" + mode + "); make it readable by the server's user only"
                    + " (chmod 600, or defaultMode 0400 on a Secret volume)");
        }
        if (permissions.contains(PosixFilePermission.GROUP_READ)
                || permissions.contains(PosixFilePermission.GROUP_WRITE)) {
            LOG.warn(
                    "the encryption configuration {} may be read by its group ({}); fine for a Secret volume with an"
                            + " fsGroup, otherwise make it readable by the server's user only (chmod 600)",
                    file,
                    mode);
        }
    }

    /** Parses a configuration; {@code source} names it in error messages. */
    public static EncryptionConfiguration parse(String text, String source) {
        Object document;
        try {
            LoadSettings settings = LoadSettings.builder()
                    .setLabel(source)
                    .setAllowDuplicateKeys(false)
                    .setMaxAliasesForCollections(10)
                    .setCodePointLimit(MAX_BYTES)
                    .build();
            document = new Load(settings).loadFromString(text);
        } catch (MarkedYamlEngineException e) {
            throw new Invalid(source + ": not valid YAML or JSON at " + position(e) + ": " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new Invalid(source + ": not valid YAML or JSON");
        }
        return new Reader(source).configuration(document);
    }

    private static String position(MarkedYamlEngineException e) {
        return e.getProblemMark()
                .map(mark -> "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1))
                .orElse("an unknown position");
    }

    /** The values of every resource this configuration names go through it; the rest pass unchanged. */
    public ValueTransformer transformer() {
        return new EncryptingTransformer(this);
    }

    /** The forms values of {@code resource} are stored in, first the one writes use; empty if it is not named. */
    Optional<List<StoredForm>> formsOf(String resource) {
        for (Rule rule : rules) {
            for (String pattern : rule.resources()) {
                if (matches(pattern, resource)) {
                    return Optional.of(rule.forms());
                }
            }
        }
        return Optional.empty();
    }

    /** For logs: resources and the names of their providers and keys, never key material. */
    public String describeResources() {
        return rules.stream()
                .map(rule -> String.join(",", rule.resources()) + " -> " + rule.forms())
                .collect(Collectors.joining("; "));
    }

    @Override
    public String toString() {
        return "EncryptionConfiguration[" + describeResources() + "]";
    }

    static boolean matches(String pattern, String resource) {
        if (pattern.equals(resource) || pattern.equals("*.*")) {
            return true;
        }
        if (!pattern.startsWith("*.")) {
            return false;
        }
        String group = pattern.substring(2);
        int dot = resource.indexOf('.');
        return group.isEmpty()
                ? dot < 0
                : dot >= 0 && resource.substring(dot + 1).equals(group);
    }

    /** Walks the parsed document, naming the path of each problem it finds. */
    private record Reader(String source) {

        EncryptionConfiguration configuration(Object document) {
            Map<?, ?> root = object(document, "the document");
            fields(root, "the document", Set.of("apiVersion", "kind", "resources"));
            String apiVersion = string(root.get("apiVersion"), "apiVersion");
            String kind = string(root.get("kind"), "kind");
            if (!API_VERSION.equals(apiVersion) || !KIND.equals(kind)) {
                throw invalid(
                        "",
                        "expected apiVersion " + API_VERSION + " and kind " + KIND + ", found " + apiVersion + " "
                                + kind);
            }
            List<?> entries = list(root.get("resources"), "resources");
            if (entries.isEmpty()) {
                throw invalid("resources", "must name at least one list of resources");
            }
            List<Rule> rules = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                Rule rule = rule(entries.get(i), "resources[" + i + "]");
                for (int j = 0; j < rule.resources().size(); j++) {
                    String resource = rule.resources().get(j);
                    String path = "resources[" + i + "].resources[" + j + "]";
                    if (!seen.add(resource)) {
                        throw invalid(path, resource + " is named twice");
                    }
                    for (Rule earlier : rules) {
                        for (String pattern : earlier.resources()) {
                            if (matches(pattern, resource)) {
                                throw invalid(path, resource + " is masked by " + pattern + ", named earlier");
                            }
                        }
                    }
                }
                rules.add(rule);
            }
            return new EncryptionConfiguration(List.copyOf(rules));
        }

        private Rule rule(Object node, String path) {
            Map<?, ?> entry = object(node, path);
            fields(entry, path, Set.of("resources", "providers"));
            List<?> names = list(entry.get("resources"), path + ".resources");
            if (names.isEmpty()) {
                throw invalid(path + ".resources", "must name at least one resource");
            }
            List<String> resources = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String resource = string(names.get(i), path + ".resources[" + i + "]");
                boolean named = !resource.isEmpty()
                        && (!resource.contains("*")
                                || resource.equals("*.*")
                                || (resource.startsWith("*.") && resource.indexOf('*', 1) < 0));
                if (!named) {
                    throw invalid(
                            path + ".resources[" + i + "]",
                            "'" + resource
                                    + "' is not a resource: use secrets, <plural>.<group>, *.<group>, *. or *.*");
                }
                resources.add(resource);
            }
            List<?> providers = list(entry.get("providers"), path + ".providers");
            if (providers.isEmpty()) {
                throw invalid(path + ".providers", "must list at least one provider");
            }
            List<StoredForm> forms = new ArrayList<>();
            for (int i = 0; i < providers.size(); i++) {
                forms.addAll(provider(providers.get(i), path + ".providers[" + i + "]"));
            }
            Set<String> keyNames = new HashSet<>();
            for (StoredForm form : forms) {
                if (form instanceof StoredForm.AesGcm aes
                        && !keyNames.add(aes.key().name())) {
                    throw invalid(
                            path + ".providers",
                            "two aesgcm keys are named " + aes.key().name());
                }
            }
            return new Rule(List.copyOf(resources), List.copyOf(forms));
        }

        private List<StoredForm> provider(Object node, String path) {
            Map<?, ?> provider = object(node, path);
            if (provider.size() != 1) {
                throw invalid(
                        path, "must have exactly one provider type (aesgcm or identity), found " + provider.size());
            }
            Map.Entry<?, ?> only = provider.entrySet().iterator().next();
            String type = String.valueOf(only.getKey());
            return switch (type) {
                case "identity" -> {
                    if (only.getValue() != null) {
                        fields(object(only.getValue(), path + ".identity"), path + ".identity", Set.of());
                    }
                    yield List.of(new StoredForm.Identity());
                }
                case "aesgcm" -> aesgcm(only.getValue(), path + ".aesgcm");
                case "aescbc", "secretbox", "kms" ->
                    throw invalid(
                            path, "provider " + type + " is not supported by this server (use aesgcm or identity)");
                default -> throw invalid(path, "unknown provider " + type + " (use aesgcm or identity)");
            };
        }

        private List<StoredForm> aesgcm(Object node, String path) {
            Map<?, ?> aesgcm = object(node, path);
            fields(aesgcm, path, Set.of("keys"));
            List<?> keys = list(aesgcm.get("keys"), path + ".keys");
            if (keys.isEmpty()) {
                throw invalid(path + ".keys", "must list at least one key");
            }
            List<StoredForm> forms = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String keyPath = path + ".keys[" + i + "]";
                Map<?, ?> key = object(keys.get(i), keyPath);
                fields(key, keyPath, Set.of("name", "secret"));
                String name = string(key.get("name"), keyPath + ".name");
                if (name.isEmpty() || name.contains(":") || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                    throw invalid(keyPath + ".name", "must be printable ASCII without spaces or ':'");
                }
                // Reported by key name only: the secret's text must not reach an error message or a log.
                if (!(key.get("secret") instanceof String secret)) {
                    throw invalid(keyPath + ".secret", "key " + name + " needs a base64 secret");
                }
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(secret.strip());
                } catch (IllegalArgumentException e) {
                    throw invalid(keyPath + ".secret", "the secret of key " + name + " is not valid base64");
                }
                try {
                    forms.add(new StoredForm.AesGcm(new AesGcmKey(name, bytes)));
                } catch (IllegalArgumentException e) {
                    throw invalid(keyPath + ".secret", "the secret of key " + name + " " + e.getMessage());
                } finally {
                    java.util.Arrays.fill(bytes, (byte) 0);
                }
            }
            return forms;
        }

        private Map<?, ?> object(Object node, String path) {
            if (node instanceof Map<?, ?> map) {
                return map;
            }
            throw invalid(path, "must be an object");
        }

        private List<?> list(Object node, String path) {
            if (node instanceof List<?> list) {
                return list;
            }
            throw invalid(path, node == null ? "is required" : "must be a list");
        }

        private String string(Object node, String path) {
            if (node instanceof String text) {
                return text;
            }
            throw invalid(path, node == null ? "is required" : "must be a string");
        }

        private void fields(Map<?, ?> object, String path, Set<String> known) {
            for (Object field : object.keySet()) {
                if (!known.contains(String.valueOf(field))) {
                    throw invalid(path, "unknown field " + field + (known.isEmpty() ? "" : " (known: " + known + ")"));
                }
            }
        }

        private Invalid invalid(String path, String problem) {
            return new Invalid(source + (path.isEmpty() ? "" : ": " + path) + ": " + problem);
        }
    }
}
