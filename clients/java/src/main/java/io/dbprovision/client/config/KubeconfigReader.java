package io.dbprovision.client.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads a kubeconfig-format file — the one the standalone server writes as {@code <data-dir>/portal-kubeconfig}, or
 * any kubeconfig whose cluster is a portal endpoint — into a {@link ConnectionConfig}: the context named (or the
 * current one), its cluster's {@code server} and CA ({@code certificate-authority-data} or {@code
 * certificate-authority}), and its user's {@code token} / {@code tokenFile} and client certificate and key ({@code
 * -data} or file forms; relative paths are relative to the file, as kubectl reads them).
 *
 * <p>The file is untrusted input: it is refused above {@link #MAX_BYTES}, YAML aliases and duplicate keys are
 * refused, and every error names the file and the path of the field, never a value.
 */
public final class KubeconfigReader {
    /** A kubeconfig with a few clusters is a few KiB; a megabyte is far beyond any real one. */
    public static final int MAX_BYTES = 1024 * 1024;
    /** A token or a PEM file named by the kubeconfig is small too. */
    private static final int MAX_REFERENCED_BYTES = 256 * 1024;

    /** The environment variable naming the file when no path is given. */
    public static final String ENVIRONMENT_VARIABLE = "DBPROVISION_CONFIG";

    private final Path file;
    private final Map<String, Object> root;

    private KubeconfigReader(Path file, Map<String, Object> root) {
        this.file = file;
        this.root = root;
    }

    /**
     * The file to read: {@code explicit} when given, else {@code $DBPROVISION_CONFIG}, else {@code
     * ~/.dbprovision/config}.
     */
    public static Path locate(Optional<Path> explicit, Map<String, String> environment, Path home) {
        if (explicit.isPresent()) {
            return explicit.get();
        }
        String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        return home.resolve(".dbprovision").resolve("config");
    }

    /** {@link #locate} with this process's environment and home directory. */
    public static Path locate(Optional<Path> explicit) {
        return locate(explicit, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** Reads {@code file} and resolves {@code context} (empty: the file's current-context). */
    public static ConnectionConfig read(Path file, Optional<String> context) {
        return parse(file, readBounded(file, MAX_BYTES, "config file")).resolve(context);
    }

    /** Parses kubeconfig text that came from {@code file} (which names it in errors and anchors relative paths). */
    public static ConnectionConfig parse(Path file, String text, Optional<String> context) {
        return parse(file, text).resolve(context);
    }

    private static KubeconfigReader parse(Path file, String text) {
        if (text.length() > MAX_BYTES) {
            throw new ConfigException(file + ": larger than " + MAX_BYTES + " bytes; not a kubeconfig");
        }
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file.toString())
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(0)
                .setCodePointLimit(MAX_BYTES)
                .build();
        Object document;
        try {
            document = new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            // The engine's message quotes the offending text, which may be a token: keep only its kind.
            throw new ConfigException(file + ": not valid YAML (" + e.getClass().getSimpleName() + ")");
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new ConfigException(
                    file + ": expected a kubeconfig (a YAML mapping with clusters, users and " + "contexts)");
        }
        return new KubeconfigReader(file, stringKeys(map, file + ": top level"));
    }

    private ConnectionConfig resolve(Optional<String> requestedContext) {
        String contextName = requestedContext
                .filter(name -> !name.isEmpty())
                .or(() -> optionalString(root, "current-context", "current-context"))
                .orElseThrow(() -> new ConfigException(file + ": no context given and no current-context set"));
        Map<String, Object> context = named("contexts", contextName, "context");
        String contextPath = "contexts[" + shorten(contextName) + "].context";
        String clusterName = requiredString(context, "cluster", contextPath + ".cluster");
        String userName = optionalString(context, "user", contextPath + ".user").orElse("");
        Optional<String> namespace =
                optionalString(context, "namespace", contextPath + ".namespace").filter(s -> !s.isEmpty());

        Map<String, Object> cluster = named("clusters", clusterName, "cluster");
        String clusterPath = "clusters[" + shorten(clusterName) + "].cluster";
        String server = requiredString(cluster, "server", clusterPath + ".server");
        URI endpoint;
        try {
            endpoint = ConnectionConfig.parseEndpoint(server);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + clusterPath + ".server: " + e.getMessage());
        }
        if (optionalBoolean(cluster, "insecure-skip-tls-verify", clusterPath + ".insecure-skip-tls-verify")) {
            throw new ConfigException(file + ": " + clusterPath
                    + ".insecure-skip-tls-verify is not supported: the portal API is only reached with a verified "
                    + "certificate");
        }
        Optional<String> ca = pem(
                cluster,
                "certificate-authority-data",
                "certificate-authority",
                clusterPath,
                "CERTIFICATE",
                "a CA certificate");

        Optional<String> token = Optional.empty();
        Optional<String> certificate = Optional.empty();
        Optional<String> key = Optional.empty();
        if (!userName.isEmpty()) {
            Map<String, Object> user = named("users", userName, "user");
            String userPath = "users[" + shorten(userName) + "].user";
            for (String unsupported : List.of("exec", "auth-provider", "username", "password")) {
                if (user.containsKey(unsupported)) {
                    throw new ConfigException(file + ": " + userPath + "." + unsupported
                            + " is not supported; use token or client-certificate-data");
                }
            }
            token = optionalString(user, "token", userPath + ".token").filter(s -> !s.isEmpty());
            if (token.isEmpty()) {
                token = optionalString(user, "tokenFile", userPath + ".tokenFile")
                        .filter(s -> !s.isEmpty())
                        .map(path -> readBounded(resolvePath(path), MAX_REFERENCED_BYTES, userPath + ".tokenFile")
                                .strip());
            }
            if (token.isPresent() && !isVisibleAscii(token.get())) {
                throw new ConfigException(
                        file + ": " + userPath + ".token: a bearer token is printable ASCII without spaces");
            }
            certificate = pem(
                    user,
                    "client-certificate-data",
                    "client-certificate",
                    userPath,
                    "CERTIFICATE",
                    "a client certificate");
            key = pem(user, "client-key-data", "client-key", userPath, "PRIVATE KEY", "a private key");
            if (certificate.isPresent() != key.isPresent()) {
                throw new ConfigException(file + ": " + userPath
                        + ": a client certificate needs its key (client-key-data) and a key its certificate");
            }
        }
        return new ConnectionConfig(endpoint, ca, token, certificate, key, namespace);
    }

    /** The entry named {@code name} of the list {@code listKey} (entries {name: …, field: {…}}): its {@code field}. */
    private Map<String, Object> named(String listKey, String name, String field) {
        Object list = root.get(listKey);
        if (list == null) {
            throw new ConfigException(file + ": " + listKey + " is missing");
        }
        if (!(list instanceof List<?> entries)) {
            throw new ConfigException(file + ": " + listKey + ": expected a list");
        }
        for (int i = 0; i < entries.size(); i++) {
            String path = listKey + "[" + i + "]";
            if (!(entries.get(i) instanceof Map<?, ?> raw)) {
                throw new ConfigException(file + ": " + path + ": expected a mapping with name and " + field);
            }
            Map<String, Object> entry = stringKeys(raw, file + ": " + path);
            if (name.equals(requiredString(entry, "name", path + ".name"))) {
                Object value = entry.get(field);
                if (!(value instanceof Map<?, ?> inner)) {
                    throw new ConfigException(
                            file + ": " + listKey + "[" + shorten(name) + "]." + field + ": expected a mapping");
                }
                return stringKeys(inner, file + ": " + listKey + "[" + shorten(name) + "]." + field);
            }
        }
        throw new ConfigException(file + ": no entry named \"" + shorten(name) + "\" in " + listKey);
    }

    /** PEM text from {@code dataKey} (base64 of the PEM) or {@code fileKey} (a path), checked for {@code marker}. */
    private Optional<String> pem(
            Map<String, Object> map, String dataKey, String fileKey, String path, String marker, String what) {
        Optional<String> text = optionalString(map, dataKey, path + "." + dataKey)
                .filter(s -> !s.isEmpty())
                .map(data -> decodeBase64(data, path + "." + dataKey));
        if (text.isEmpty()) {
            text = optionalString(map, fileKey, path + "." + fileKey)
                    .filter(s -> !s.isEmpty())
                    .map(name -> readBounded(resolvePath(name), MAX_REFERENCED_BYTES, path + "." + fileKey));
        }
        text.ifPresent(pem -> {
            if (!pem.contains("-----BEGIN ") || !pem.contains(marker + "-----")) {
                throw new ConfigException(file + ": " + path + "." + dataKey + ": expected " + what + " in PEM form");
            }
        });
        return text;
    }

    private String decodeBase64(String data, String path) {
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(data.strip());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + path + ": not valid base64");
        }
        // The MIME decoder skips characters outside the alphabet; a value made of them decodes to nothing.
        if (bytes.length == 0) {
            throw new ConfigException(file + ": " + path + ": not valid base64");
        }
        return utf8(bytes, file + ": " + path);
    }

    private Path resolvePath(String name) {
        Path path = Path.of(name);
        Path parent = file.toAbsolutePath().getParent();
        return path.isAbsolute() || parent == null ? path : parent.resolve(path);
    }

    private String requiredString(Map<String, Object> map, String key, String path) {
        return optionalString(map, key, path)
                .filter(s -> !s.isEmpty())
                .orElseThrow(() -> new ConfigException(file + ": " + path + " is missing"));
    }

    private Optional<String> optionalString(Map<String, Object> map, String key, String path) {
        Object value = map.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            throw new ConfigException(file + ": " + path + ": expected a string, not " + typeName(value));
        }
        return Optional.of(text);
    }

    private boolean optionalBoolean(Map<String, Object> map, String key, String path) {
        Object value = map.get(key);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean flag)) {
            throw new ConfigException(file + ": " + path + ": expected true or false, not " + typeName(value));
        }
        return flag;
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map, String where) {
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                throw new ConfigException(where + ": keys must be strings");
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) map;
        return typed;
    }

    private static String readBounded(Path path, int limit, String what) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new ConfigException(path + " (" + what + "): larger than " + limit + " bytes");
            }
            return utf8(bytes, path + " (" + what + ")");
        } catch (NoSuchFileException e) {
            throw new ConfigException(path + " (" + what + "): no such file");
        } catch (IOException e) {
            throw new ConfigException(
                    path + " (" + what + "): cannot read: " + e.getClass().getSimpleName());
        }
    }

    private static String utf8(byte[] bytes, String where) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(where + ": not UTF-8 text");
        }
    }

    private static boolean isVisibleAscii(String token) {
        return token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static String typeName(Object value) {
        return switch (value) {
            case Map<?, ?> ignored -> "a mapping";
            case List<?> ignored -> "a list";
            case Boolean ignored -> "a boolean";
            case Number ignored -> "a number";
            default -> "a " + value.getClass().getSimpleName();
        };
    }

    private static String shorten(String name) {
        return name.length() > 64 ? name.substring(0, 64) + "…" : name;
    }
}
