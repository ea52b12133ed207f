package io.dbprovision.apiserver.auth.delegated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * One namespaced core v1 resource of the {@link FakeKubeApiServer} (Secrets, Events), served as the kube-apiserver
 * serves it, in its JSON: create (201, 409 AlreadyExists), get (404), replace with the resourceVersion and uid
 * preconditions (409 Conflict), merge and strategic merge patch, delete with {@code DeleteOptions.preconditions}
 * (answered with a Status), list in one namespace or all of them with label and field selectors and paging, and watch
 * from a resourceVersion (from the current state for none or {@code 0}), filtered by the selectors with the
 * kube-apiserver's transitions (an object that stops matching is DELETED), bookmarks, and an ERROR event with 410 for a
 * version older than the history kept ({@link #compact()}). Errors are Status objects with the real reasons, details
 * and causes.
 *
 * <p>Tests change objects behind the server's clients' backs ({@link #put}, {@link #remove}), end open watches as a
 * kube-apiserver's timeout does ({@link #endWatches()}), and may make answers hostile ({@link #answerWith}).
 */
public final class FakeCoreResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
    private static final int MAX_SECRET_BYTES = 1024 * 1024;
    /** The kube-apiserver's limit on a request body. */
    private static final int MAX_BODY = 3 * 1024 * 1024;

    /** The Kubernetes failure a request ends with. */
    static final class Failure extends Exception {
        final int code;
        final String reason;
        final String name;
        final List<ObjectNode> causes;

        Failure(int code, String reason, String message, String name, List<ObjectNode> causes) {
            super(message, null, false, false);
            this.code = code;
            this.reason = reason;
            this.name = name;
            this.causes = causes;
        }
    }

    /** One change, kept for watches that start from an older version. */
    private record Change(String type, ObjectNode before, ObjectNode after, long version) {}

    /** An open watch: its filters and the queue its stream writes from. */
    private record Watcher(Selector selector, boolean bookmarks, LinkedBlockingQueue<ObjectNode> queue) {}

    private final String kind;
    private final String plural;
    private final AtomicLong versions;
    private final Object lock = new Object();
    private final TreeMap<String, ObjectNode> objects = new TreeMap<>();
    private final List<Change> history = new ArrayList<>();
    private long compactedTo;
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private volatile UnaryOperator<ObjectNode> answers = UnaryOperator.identity();

    public final AtomicInteger creates = new AtomicInteger();
    public final AtomicInteger reads = new AtomicInteger();
    public final AtomicInteger replaces = new AtomicInteger();
    public final AtomicInteger patches = new AtomicInteger();
    public final AtomicInteger deletes = new AtomicInteger();
    public final AtomicInteger lists = new AtomicInteger();
    public final AtomicInteger watches = new AtomicInteger();
    /** Every request, as {@code METHOD path?query}. */
    public final List<String> requests = new CopyOnWriteArrayList<>();

    FakeCoreResource(String kind, String plural, AtomicLong versions) {
        this.kind = kind;
        this.plural = plural;
        this.versions = versions;
    }

    // ---- what tests do behind the clients' backs

    /** The stored object, as the server would answer it. */
    public Optional<ObjectNode> object(String namespace, String name) {
        synchronized (lock) {
            ObjectNode object = objects.get(namespace + "/" + name);
            return Optional.ofNullable(object == null ? null : object.deepCopy());
        }
    }

    /** Every stored object, by namespace and name. */
    public List<ObjectNode> objects() {
        synchronized (lock) {
            return objects.values().stream().map(ObjectNode::deepCopy).toList();
        }
    }

    /** Creates or replaces an object as another client would (no preconditions); returns it as stored. */
    public ObjectNode put(ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        ObjectNode metadata = metadata(copy);
        String key = metadata.path("namespace").asText() + "/"
                + metadata.path("name").asText();
        synchronized (lock) {
            ObjectNode current = objects.get(key);
            copy.put("apiVersion", "v1");
            copy.put("kind", kind);
            if (current == null) {
                metadata.put("uid", UUID.randomUUID().toString());
                metadata.put("creationTimestamp", now());
            } else {
                metadata.set("uid", current.path("metadata").path("uid"));
                metadata.set("creationTimestamp", current.path("metadata").path("creationTimestamp"));
            }
            return store(key, current, copy);
        }
    }

    /**
     * Deletes an object as {@code kubectl delete} would: one with finalizers is only marked (deletionTimestamp) and
     * goes when the last finalizer is removed. False when there was none.
     */
    public boolean delete(String namespace, String name) {
        synchronized (lock) {
            ObjectNode current = objects.get(namespace + "/" + name);
            if (current == null) {
                return false;
            }
            markForDeletion(namespace + "/" + name, current);
            return true;
        }
    }

    /**
     * Marks {@code current} for deletion when finalizers hold it (and returns it as stored), else removes it (and
     * returns empty); call holding the lock.
     */
    private Optional<ObjectNode> markForDeletion(String key, ObjectNode current) {
        if (current.path("metadata").path("finalizers").isEmpty()) {
            removeStored(key);
            return Optional.empty();
        }
        if (current.path("metadata").hasNonNull("deletionTimestamp")) {
            return Optional.of(current.deepCopy());
        }
        ObjectNode marked = current.deepCopy();
        metadata(marked).put("deletionTimestamp", now());
        metadata(marked).put("deletionGracePeriodSeconds", 0);
        return Optional.of(store(key, current, marked));
    }

    /** Deletes an object at once, finalizers or not (as etcd surgery would); false when there was none. */
    public boolean remove(String namespace, String name) {
        synchronized (lock) {
            return removeStored(namespace + "/" + name) != null;
        }
    }

    /** Forgets the history: a watch from any version before the current one is answered 410 Expired. */
    public void compact() {
        synchronized (lock) {
            compactedTo = versions.get();
            history.clear();
        }
    }

    /** Ends every open watch, as the kube-apiserver does when a watch's timeout passes or it restarts. */
    public void endWatches() {
        watchers.forEach(watcher -> watcher.queue().add(JSON.createObjectNode()));
    }

    /** Sends a BOOKMARK with the current version to every watch that asked for bookmarks. */
    public void bookmark() {
        ObjectNode event = JSON.createObjectNode();
        event.put("type", "BOOKMARK");
        ObjectNode object = event.putObject("object");
        object.put("apiVersion", "v1");
        object.put("kind", kind);
        object.putObject("metadata").put("resourceVersion", Long.toString(versions.get()));
        watchers.stream()
                .filter(Watcher::bookmarks)
                .forEach(watcher -> watcher.queue().add(event));
    }

    /** Open watches now. */
    public int openWatches() {
        return watchers.size();
    }

    /** Every object answered (get, write, list item, watch event) passes through {@code rewrite} first. */
    public void answerWith(UnaryOperator<ObjectNode> rewrite) {
        this.answers = rewrite;
    }

    // ---- requests

    /** Serves the request if it is for this resource; false when it is not. */
    boolean serve(HttpExchange exchange, String method, String path) throws IOException, InterruptedException {
        String namespace;
        String name;
        String[] parts = path.split("/", -1);
        // /api/v1/{plural} or /api/v1/namespaces/{ns}/{plural}[/{name}]
        if (parts.length == 4 && parts[3].equals(plural)) {
            namespace = null;
            name = null;
        } else if (parts.length >= 6 && parts.length <= 7 && parts[3].equals("namespaces") && parts[5].equals(plural)) {
            namespace = parts[4];
            name = parts.length == 7 ? parts[6] : null;
        } else {
            return false;
        }
        if (!parts[1].equals("api") || !parts[2].equals("v1")) {
            return false;
        }
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(method + " " + path + (query == null ? "" : "?" + query));
        Map<String, String> params = FakeKubeApiServer.query(exchange);
        try {
            if (namespace != null && !DNS_LABEL.matcher(namespace).matches()) {
                throw new Failure(404, "NotFound", "namespaces \"" + namespace + "\" not found", namespace, List.of());
            }
            if (name == null) {
                boolean watch = "true".equals(params.get("watch")) || "1".equals(params.get("watch"));
                if (method.equals("GET") && watch) {
                    watch(exchange, namespace, params);
                } else if (method.equals("GET")) {
                    list(exchange, namespace, params);
                } else if (method.equals("POST") && namespace != null) {
                    create(exchange, namespace);
                } else {
                    throw new Failure(405, "MethodNotAllowed", "the server does not allow this method", "", List.of());
                }
            } else {
                switch (method) {
                    case "GET" -> get(exchange, namespace, name);
                    case "PUT" -> replace(exchange, namespace, name);
                    case "PATCH" -> patch(exchange, namespace, name);
                    case "DELETE" -> delete(exchange, namespace, name);
                    default ->
                        throw new Failure(
                                405, "MethodNotAllowed", "the server does not allow this method", name, List.of());
                }
            }
        } catch (Failure failure) {
            status(exchange, failure);
        }
        return true;
    }

    private void create(HttpExchange exchange, String namespace) throws IOException, Failure {
        creates.incrementAndGet();
        ObjectNode object = body(exchange);
        ObjectNode metadata = metadata(object);
        checkNamespace(namespace, metadata);
        String name = metadata.path("name").asText("");
        if (name.isEmpty() && !metadata.path("generateName").asText("").isEmpty()) {
            name = metadata.path("generateName").asText()
                    + UUID.randomUUID().toString().substring(0, 5);
            metadata.put("name", name);
        }
        checkName(name);
        metadata.put("namespace", namespace);
        metadata.remove("resourceVersion");
        object.put("apiVersion", "v1");
        object.put("kind", kind);
        validate(object, null);
        synchronized (lock) {
            String key = namespace + "/" + name;
            if (objects.containsKey(key)) {
                throw new Failure(409, "AlreadyExists", plural + " \"" + name + "\" already exists", name, List.of());
            }
            metadata.put("uid", UUID.randomUUID().toString());
            metadata.put("creationTimestamp", now());
            json(exchange, 201, answer(store(key, null, object)));
        }
    }

    private void get(HttpExchange exchange, String namespace, String name) throws IOException, Failure {
        reads.incrementAndGet();
        synchronized (lock) {
            json(exchange, 200, answer(current(namespace, name).deepCopy()));
        }
    }

    private void replace(HttpExchange exchange, String namespace, String name) throws IOException, Failure {
        replaces.incrementAndGet();
        ObjectNode object = body(exchange);
        ObjectNode metadata = metadata(object);
        checkNamespace(namespace, metadata);
        String bodyName = metadata.path("name").asText("");
        if (!bodyName.equals(name)) {
            throw new Failure(
                    400,
                    "BadRequest",
                    "the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")",
                    name,
                    List.of());
        }
        synchronized (lock) {
            ObjectNode current = current(namespace, name);
            json(exchange, 200, answer(write(current, object)));
        }
    }

    private void patch(HttpExchange exchange, String namespace, String name) throws IOException, Failure {
        patches.incrementAndGet();
        String type = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
        if (!type.startsWith("application/merge-patch+json")
                && !type.startsWith("application/strategic-merge-patch+json")) {
            throw new Failure(415, "UnsupportedMediaType", "the fake applies merge patches only", name, List.of());
        }
        ObjectNode patch = body(exchange);
        synchronized (lock) {
            ObjectNode current = current(namespace, name);
            ObjectNode patched = (ObjectNode) mergePatch(current.deepCopy(), patch);
            // a patch without a resourceVersion applies to whatever is current
            if (!patch.path("metadata").has("resourceVersion")) {
                metadata(patched)
                        .set("resourceVersion", current.path("metadata").path("resourceVersion"));
            }
            json(exchange, 200, answer(write(current, patched)));
        }
    }

    private void delete(HttpExchange exchange, String namespace, String name) throws IOException, Failure {
        deletes.incrementAndGet();
        byte[] raw = exchange.getRequestBody().readNBytes(MAX_BODY);
        JsonNode options = raw.length == 0 ? JSON.createObjectNode() : parse(raw);
        synchronized (lock) {
            ObjectNode current = current(namespace, name);
            JsonNode preconditions = options.path("preconditions");
            String uid = current.path("metadata").path("uid").asText();
            String version = current.path("metadata").path("resourceVersion").asText();
            if (preconditions.hasNonNull("uid")
                    && !preconditions.get("uid").asText().equals(uid)) {
                throw conflict(
                        name,
                        "Precondition failed: UID in precondition: "
                                + preconditions.get("uid").asText() + ", UID in object meta: " + uid);
            }
            if (preconditions.hasNonNull("resourceVersion")
                    && !preconditions.get("resourceVersion").asText().equals(version)) {
                throw conflict(
                        name,
                        "Precondition failed: ResourceVersion in precondition: "
                                + preconditions.get("resourceVersion").asText()
                                + ", ResourceVersion in object meta: " + version);
            }
            Optional<ObjectNode> marked = markForDeletion(namespace + "/" + name, current);
            if (marked.isPresent()) {
                // Finalizers hold it: answered as it now is, as the kube-apiserver does.
                json(exchange, 200, answer(marked.get()));
                return;
            }
            ObjectNode status = statusNode(200, "", "");
            status.put("status", "Success");
            status.remove("reason");
            status.remove("message");
            ObjectNode details = status.putObject("details");
            details.put("name", name);
            details.put("kind", plural);
            details.put("uid", uid);
            json(exchange, 200, status);
        }
    }

    private void list(HttpExchange exchange, String namespace, Map<String, String> params) throws IOException, Failure {
        lists.incrementAndGet();
        Selector selector = Selector.of(params, namespace);
        int limit = parseInt(params.getOrDefault("limit", "0"), "limit");
        int offset = 0;
        String continueToken = params.getOrDefault("continue", "");
        if (!continueToken.isEmpty()) {
            try {
                offset =
                        Integer.parseInt(new String(Base64.getDecoder().decode(continueToken), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new Failure(400, "BadRequest", "continue key is not valid", "", List.of());
            }
        }
        ObjectNode list = JSON.createObjectNode();
        list.put("apiVersion", "v1");
        list.put("kind", kind + "List");
        ObjectNode listMeta = list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        synchronized (lock) {
            listMeta.put("resourceVersion", Long.toString(versions.get()));
            List<ObjectNode> matching =
                    objects.values().stream().filter(selector::matches).toList();
            int end = limit > 0 ? Math.min(matching.size(), offset + limit) : matching.size();
            for (int i = Math.min(offset, matching.size()); i < end; i++) {
                ObjectNode item = answer(matching.get(i).deepCopy());
                item.remove("apiVersion"); // list items carry no type, as the kube-apiserver sends them
                item.remove("kind");
                items.add(item);
            }
            if (end < matching.size()) {
                listMeta.put(
                        "continue",
                        Base64.getEncoder().encodeToString(Integer.toString(end).getBytes(StandardCharsets.UTF_8)));
                listMeta.put("remainingItemCount", matching.size() - end);
            }
        }
        json(exchange, 200, list);
    }

    private void watch(HttpExchange exchange, String namespace, Map<String, String> params)
            throws IOException, Failure, InterruptedException {
        watches.incrementAndGet();
        Selector selector = Selector.of(params, namespace);
        String from = params.getOrDefault("resourceVersion", "");
        long seconds = parseInt(params.getOrDefault("timeoutSeconds", "1800"), "timeoutSeconds");
        boolean bookmarks = "true".equals(params.get("allowWatchBookmarks"));
        Watcher watcher = new Watcher(selector, bookmarks, new LinkedBlockingQueue<>());
        synchronized (lock) {
            if (from.isEmpty() || from.equals("0")) {
                for (ObjectNode object : objects.values()) {
                    if (selector.matches(object)) {
                        watcher.queue().add(event("ADDED", object));
                    }
                }
            } else {
                long version = parseInt(from, "resourceVersion");
                if (version < compactedTo) {
                    ObjectNode gone = statusNode(
                            410, "Expired", "too old resource version: " + version + " (" + compactedTo + ")");
                    ObjectNode error = JSON.createObjectNode();
                    error.put("type", "ERROR");
                    error.set("object", gone);
                    watcher.queue().add(error);
                    watcher.queue().add(JSON.createObjectNode());
                } else {
                    for (Change change : history) {
                        if (change.version() > version) {
                            ObjectNode event = filtered(change, selector);
                            if (event != null) {
                                watcher.queue().add(event);
                            }
                        }
                    }
                }
            }
            watchers.add(watcher);
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                ObjectNode event = watcher.queue().poll(left, TimeUnit.NANOSECONDS);
                if (event == null || event.isEmpty()) {
                    return;
                }
                if (event.has("object")
                        && !"ERROR".equals(event.path("type").asText())
                        && !"BOOKMARK".equals(event.path("type").asText())) {
                    event = event.deepCopy();
                    event.set("object", answer((ObjectNode) event.get("object")));
                }
                body.write(JSON.writeValueAsBytes(event));
                body.write('\n');
                body.flush();
            }
        } finally {
            watchers.remove(watcher);
        }
    }

    // ---- storage

    private ObjectNode current(String namespace, String name) throws Failure {
        ObjectNode current = objects.get(namespace + "/" + name);
        if (current == null) {
            throw new Failure(404, "NotFound", plural + " \"" + name + "\" not found", name, List.of());
        }
        return current;
    }

    /** A replace of {@code current} by {@code object} with the kube-apiserver's preconditions; returns it stored. */
    private ObjectNode write(ObjectNode current, ObjectNode object) throws Failure {
        ObjectNode metadata = metadata(object);
        ObjectNode currentMeta = (ObjectNode) current.get("metadata");
        String name = currentMeta.path("name").asText();
        String version = metadata.path("resourceVersion").asText("");
        if (!version.isEmpty()
                && !version.equals(currentMeta.path("resourceVersion").asText())) {
            throw conflict(
                    name,
                    "the object has been modified; please apply your changes to the latest version and try again");
        }
        String uid = metadata.path("uid").asText("");
        if (!uid.isEmpty() && !uid.equals(currentMeta.path("uid").asText())) {
            throw conflict(
                    name,
                    "Precondition failed: UID in precondition: " + uid + ", UID in object meta: "
                            + currentMeta.path("uid").asText());
        }
        object.put("apiVersion", "v1");
        object.put("kind", kind);
        metadata.set("namespace", currentMeta.get("namespace"));
        metadata.set("name", currentMeta.get("name"));
        metadata.set("uid", currentMeta.get("uid"));
        metadata.set("creationTimestamp", currentMeta.get("creationTimestamp"));
        validate(object, current);
        String key = currentMeta.path("namespace").asText() + "/" + name;
        if (currentMeta.hasNonNull("deletionTimestamp")) {
            // As the kube-apiserver: a deletion cannot be taken back, no finalizer added to it, and the object goes
            // once its last finalizer is removed.
            metadata.set("deletionTimestamp", currentMeta.get("deletionTimestamp"));
            metadata.set("deletionGracePeriodSeconds", currentMeta.get("deletionGracePeriodSeconds"));
            for (JsonNode finalizer : metadata.path("finalizers")) {
                if (!containsText(currentMeta.path("finalizers"), finalizer.asText())) {
                    throw new Failure(
                            422,
                            "Invalid",
                            plural + " \"" + name + "\" is invalid: metadata.finalizers: Forbidden: no new finalizers"
                                    + " can be added if the object is being deleted",
                            name,
                            List.of());
                }
            }
            if (metadata.path("finalizers").isEmpty()) {
                ObjectNode last = store(key, current, object);
                removeStored(key);
                return last;
            }
        }
        return store(key, current, object);
    }

    private static boolean containsText(JsonNode array, String text) {
        for (JsonNode element : array) {
            if (element.asText().equals(text)) {
                return true;
            }
        }
        return false;
    }

    /** Stores {@code object} at a new version and tells the watches; call holding the lock. */
    private ObjectNode store(String key, ObjectNode before, ObjectNode object) {
        long version = versions.incrementAndGet();
        metadata(object).put("resourceVersion", Long.toString(version));
        objects.put(key, object);
        publish(new Change(before == null ? "ADDED" : "MODIFIED", before, object.deepCopy(), version));
        return object.deepCopy();
    }

    private ObjectNode removeStored(String key) {
        ObjectNode removed = objects.remove(key);
        if (removed != null) {
            long version = versions.incrementAndGet();
            ObjectNode last = removed.deepCopy();
            metadata(last).put("resourceVersion", Long.toString(version));
            publish(new Change("DELETED", removed, last, version));
        }
        return removed;
    }

    private void publish(Change change) {
        history.add(change);
        for (Watcher watcher : watchers) {
            ObjectNode event = filtered(change, watcher.selector());
            if (event != null) {
                watcher.queue().add(event);
            }
        }
    }

    /** The event a watch with {@code selector} sees of a change, as the kube-apiserver's watch cache filters. */
    private static ObjectNode filtered(Change change, Selector selector) {
        boolean before = change.before() != null && selector.matches(change.before());
        boolean after = !change.type().equals("DELETED") && selector.matches(change.after());
        if (change.type().equals("DELETED")) {
            return before ? event("DELETED", change.after()) : null;
        }
        if (before && after) {
            return event("MODIFIED", change.after());
        }
        if (after) {
            return event("ADDED", change.after());
        }
        if (before) {
            return event("DELETED", change.after()); // it no longer matches: gone, for this watch
        }
        return null;
    }

    private static ObjectNode event(String type, ObjectNode object) {
        ObjectNode event = JSON.createObjectNode();
        event.put("type", type);
        event.set("object", object.deepCopy());
        return event;
    }

    // ---- validation, as the kube-apiserver's strategies

    private void validate(ObjectNode object, ObjectNode old) throws Failure {
        String name = object.path("metadata").path("name").asText();
        // metav1.Time: any RFC 3339 time is read, and served to the second
        for (String field : List.of("firstTimestamp", "lastTimestamp")) {
            if (object.hasNonNull(field)) {
                try {
                    object.put(
                            field,
                            java.time.OffsetDateTime.parse(object.get(field).asText())
                                    .toInstant()
                                    .truncatedTo(ChronoUnit.SECONDS)
                                    .toString());
                } catch (java.time.format.DateTimeParseException e) {
                    throw new Failure(400, "BadRequest", "invalid time in " + field, name, List.of());
                }
            }
        }
        if (kind.equals("Secret")) {
            validateSecret(object, old, name);
        } else if (kind.equals("Event")) {
            validateEvent(object, name);
        }
    }

    private static void validateSecret(ObjectNode secret, ObjectNode old, String name) throws Failure {
        ObjectNode data = secret.has("data") && secret.get("data").isObject()
                ? (ObjectNode) secret.get("data")
                : secret.putObject("data");
        JsonNode stringData = secret.path("stringData");
        for (Iterator<Map.Entry<String, JsonNode>> it = stringData.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            data.put(
                    entry.getKey(),
                    Base64.getEncoder().encodeToString(entry.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        }
        secret.remove("stringData");
        if (data.isEmpty()) {
            secret.remove("data");
        }
        if (secret.path("type").asText("").isEmpty()) {
            secret.put("type", "Opaque");
        }
        long total = 0;
        List<ObjectNode> causes = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!SECRET_KEY.matcher(entry.getKey()).matches() || entry.getKey().length() > 253) {
                causes.add(cause(
                        "FieldValueInvalid",
                        "Invalid value: \"" + entry.getKey() + "\": a valid config key must consist of alphanumeric"
                                + " characters, '-', '_' or '.'",
                        "data[" + entry.getKey() + "]"));
            }
            try {
                total += entry.getKey().length()
                        + Base64.getDecoder().decode(entry.getValue().asText()).length;
            } catch (IllegalArgumentException e) {
                throw new Failure(
                        400, "BadRequest", "illegal base64 data in data[" + entry.getKey() + "]", name, List.of());
            }
        }
        if (total > MAX_SECRET_BYTES) {
            causes.add(cause(
                    "FieldValueTooLong", "Too long: may not be more than " + MAX_SECRET_BYTES + " bytes", "data"));
        }
        if (old != null && old.path("immutable").asBoolean(false)) {
            if (!old.path("data").equals(secret.path("data"))) {
                causes.add(
                        cause("FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set", "data"));
            }
        }
        if (!causes.isEmpty()) {
            throw invalid(name, causes);
        }
    }

    private static void validateEvent(ObjectNode event, String name) throws Failure {
        String namespace = event.path("metadata").path("namespace").asText();
        String involved = event.path("involvedObject").path("namespace").asText("");
        boolean matches =
                involved.isEmpty() ? namespace.isEmpty() || namespace.equals("default") : involved.equals(namespace);
        if (!matches) {
            throw invalid(
                    name,
                    List.of(cause(
                            "FieldValueInvalid",
                            "Invalid value: \"" + involved + "\": does not match event.namespace",
                            "involvedObject.namespace")));
        }
    }

    private static void checkName(String name) throws Failure {
        if (name.isEmpty()) {
            throw invalid(
                    name,
                    List.of(cause(
                            "FieldValueRequired",
                            "Required value: name or generateName is required",
                            "metadata.name")));
        }
        if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            throw invalid(
                    name,
                    List.of(cause(
                            "FieldValueInvalid",
                            "Invalid value: \"" + name + "\": a lowercase RFC 1123 subdomain must consist of lower case"
                                    + " alphanumeric characters, '-' or '.', and must start and end with an"
                                    + " alphanumeric character",
                            "metadata.name")));
        }
    }

    private static void checkNamespace(String namespace, ObjectNode metadata) throws Failure {
        String given = metadata.path("namespace").asText("");
        if (!given.isEmpty() && !given.equals(namespace)) {
            throw new Failure(
                    400,
                    "BadRequest",
                    "the namespace of the provided object does not match the namespace sent on the request",
                    metadata.path("name").asText(""),
                    List.of());
        }
    }

    private Failure conflict(String name, String detail) {
        return new Failure(
                409,
                "Conflict",
                "Operation cannot be fulfilled on " + plural + " \"" + name + "\": " + detail,
                name,
                List.of());
    }

    private static Failure invalid(String name, List<ObjectNode> causes) {
        StringBuilder message = new StringBuilder("is invalid: ");
        for (int i = 0; i < causes.size(); i++) {
            message.append(i == 0 ? "" : ", ")
                    .append(causes.get(i).path("field").asText())
                    .append(": ")
                    .append(causes.get(i).path("message").asText());
        }
        return new Failure(422, "Invalid", message.toString(), name, causes);
    }

    private static ObjectNode cause(String reason, String message, String field) {
        ObjectNode cause = JSON.createObjectNode();
        cause.put("reason", reason);
        cause.put("message", message);
        cause.put("field", field);
        return cause;
    }

    // ---- JSON

    private static ObjectNode body(HttpExchange exchange) throws IOException, Failure {
        InputStream in = exchange.getRequestBody();
        byte[] raw = in.readNBytes(MAX_BODY + 1);
        if (raw.length > MAX_BODY) {
            throw new Failure(413, "RequestEntityTooLarge", "Request entity too large", "", List.of());
        }
        JsonNode node = parse(raw);
        if (!node.isObject()) {
            throw new Failure(400, "BadRequest", "the body is not a JSON object", "", List.of());
        }
        return (ObjectNode) node;
    }

    private static JsonNode parse(byte[] raw) throws Failure {
        try {
            return JSON.readTree(raw);
        } catch (IOException e) {
            throw new Failure(400, "BadRequest", "the body is not valid JSON", "", List.of());
        }
    }

    private static ObjectNode metadata(ObjectNode object) {
        JsonNode metadata = object.get("metadata");
        if (metadata instanceof ObjectNode node) {
            return node;
        }
        return object.putObject("metadata");
    }

    /** RFC 7386; a strategic merge patch of plain fields (all these resources' patches touch) is the same. */
    private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getValue().isNull()) {
                result.remove(entry.getKey());
            } else {
                result.set(entry.getKey(), mergePatch(result.get(entry.getKey()), entry.getValue()));
            }
        }
        return result;
    }

    private ObjectNode answer(ObjectNode object) {
        return answers.apply(object);
    }

    private static int parseInt(String value, String what) throws Failure {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new Failure(400, "BadRequest", "invalid " + what + ": " + value, "", List.of());
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private ObjectNode statusNode(int code, String reason, String message) {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return status;
    }

    private void status(HttpExchange exchange, Failure failure) throws IOException {
        ObjectNode status = statusNode(failure.code, failure.reason, failure.getMessage());
        if (failure.code == 422) {
            status.put("message", kind + " \"" + failure.name + "\" " + failure.getMessage());
        }
        if (failure.name != null && !failure.name.isEmpty() || !failure.causes.isEmpty()) {
            ObjectNode details = status.putObject("details");
            if (failure.name != null && !failure.name.isEmpty()) {
                details.put("name", failure.name);
            }
            details.put("kind", failure.code == 422 ? kind : plural);
            if (!failure.causes.isEmpty()) {
                ArrayNode causes = details.putArray("causes");
                failure.causes.forEach(causes::add);
            }
        }
        json(exchange, failure.code, status);
    }

    private static void json(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** A label selector and the field selectors the kube-apiserver takes for every kind, and the URL's namespace. */
    private record Selector(String namespace, List<Requirement> labels, Map<String, String> fields) {
        static Selector of(Map<String, String> params, String namespace) throws Failure {
            List<Requirement> labels = Requirement.parseAll(params.getOrDefault("labelSelector", ""));
            Map<String, String> fields = new TreeMap<>();
            String fieldSelector = params.getOrDefault("fieldSelector", "");
            if (!fieldSelector.isEmpty()) {
                for (String term : fieldSelector.split(",")) {
                    String[] pair = term.split("==?", 2);
                    if (pair.length != 2
                            || !(pair[0].equals("metadata.name") || pair[0].equals("metadata.namespace"))) {
                        throw new Failure(400, "BadRequest", "field label not supported: " + pair[0], "", List.of());
                    }
                    fields.put(pair[0], pair[1]);
                }
            }
            return new Selector(namespace, labels, fields);
        }

        boolean matches(ObjectNode object) {
            JsonNode metadata = object.path("metadata");
            if (namespace != null
                    && !namespace.equals(metadata.path("namespace").asText())) {
                return false;
            }
            for (Map.Entry<String, String> field : fields.entrySet()) {
                String actual = metadata.path(field.getKey().substring("metadata.".length()))
                        .asText();
                if (!actual.equals(field.getValue())) {
                    return false;
                }
            }
            JsonNode objectLabels = metadata.path("labels");
            return labels.stream().allMatch(requirement -> requirement.matches(objectLabels));
        }
    }

    /** One requirement of a label selector: {@code k=v}, {@code k==v}, {@code k!=v}, {@code k}, {@code !k}, in, notin. */
    private record Requirement(String key, String operator, List<String> values) {
        private static final Pattern SET = Pattern.compile("\\s*([^\\s!=(),]+)\\s+(in|notin)\\s+\\(([^()]*)\\)\\s*");
        private static final Pattern EQUALITY =
                Pattern.compile("\\s*([^\\s!=(),]+)\\s*(==|=|!=)\\s*([^\\s!=(),]*)\\s*");
        private static final Pattern EXISTS = Pattern.compile("\\s*(!?)\\s*([^\\s!=(),]+)\\s*");

        static List<Requirement> parseAll(String selector) throws Failure {
            List<Requirement> requirements = new ArrayList<>();
            if (selector.isBlank()) {
                return requirements;
            }
            // split on commas outside parentheses
            int depth = 0;
            int start = 0;
            for (int i = 0; i < selector.length(); i++) {
                char c = selector.charAt(i);
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (c == ',' && depth == 0) {
                    requirements.add(parse(selector.substring(start, i)));
                    start = i + 1;
                }
                if (depth < 0 || depth > 1) {
                    throw new Failure(
                            400, "BadRequest", "unable to parse requirement: unbalanced parentheses", "", List.of());
                }
            }
            if (depth != 0) {
                throw new Failure(
                        400, "BadRequest", "unable to parse requirement: unbalanced parentheses", "", List.of());
            }
            requirements.add(parse(selector.substring(start)));
            return requirements;
        }

        private static Requirement parse(String term) throws Failure {
            var set = SET.matcher(term);
            if (set.matches()) {
                List<String> values = new ArrayList<>();
                for (String value : set.group(3).split(",")) {
                    values.add(value.trim());
                }
                return new Requirement(set.group(1), set.group(2), values);
            }
            var equality = EQUALITY.matcher(term);
            if (equality.matches()) {
                return new Requirement(
                        equality.group(1), equality.group(2).equals("!=") ? "!=" : "=", List.of(equality.group(3)));
            }
            var exists = EXISTS.matcher(term);
            if (exists.matches()) {
                return new Requirement(exists.group(2), exists.group(1).isEmpty() ? "exists" : "!exists", List.of());
            }
            throw new Failure(400, "BadRequest", "unable to parse requirement: found '" + term + "'", "", List.of());
        }

        boolean matches(JsonNode labels) {
            boolean present = labels.has(key);
            String value = labels.path(key).asText();
            return switch (operator) {
                case "=" -> present && value.equals(values.getFirst());
                case "!=" -> !present || !value.equals(values.getFirst());
                case "in" -> present && values.contains(value);
                case "notin" -> !present || !values.contains(value);
                case "exists" -> present;
                default -> !present;
            };
        }
    }
}
