package io.dbprovision.apiserver.portal;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.ObjectEvent;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WatchQuery;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows the Database, DatabaseUser and DatabaseGrant of a RequestDatabase call through the registry's watch until
 * all three are Ready, sending a progress message each time one's phase or readiness changes, and the connection
 * details (without the password) last. An object that turns Failed ends the call with FAILED_PRECONDITION and its
 * status message; the caller's deadline or cancellation ends it too, the objects staying to converge. The watches
 * are the server's own reads of objects the caller has just created (not audited as the caller's requests).
 */
final class Convergence {
    private static final RequestContext INTERNAL = RequestContext.internal("system:dbprovision:portal");
    private static final List<String> PLURALS = List.of("databases", "databaseusers", "databasegrants");

    private final Registry registry;
    private final Connections connections;
    private final DatabaseRequest request;
    private final ServerCallStreamObserver<RequestDatabaseProgress> stream;
    private final Map<String, Message> current = new LinkedHashMap<>();
    private final Map<String, String> reported = new LinkedHashMap<>();

    Convergence(
            Registry registry,
            Connections connections,
            DatabaseRequest request,
            ServerCallStreamObserver<RequestDatabaseProgress> stream) {
        this.registry = registry;
        this.connections = connections;
        this.request = request;
        this.stream = stream;
    }

    void follow() {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        List<AutoCloseable> watches = new ArrayList<>();
        Context call = Context.current();
        try {
            for (String plural : PLURALS) {
                String name = plural.equals("databases") ? request.database() : request.user();
                watches.add(store(plural)
                        .watch(
                                INTERNAL,
                                request.namespace(),
                                new WatchQuery("", "metadata.name=" + name, 0, true, false),
                                event -> queue.add(new Change(plural, event)),
                                cause -> queue.add(
                                        cause == null
                                                ? new ApiException.Unavailable("the watch ended", null)
                                                : cause)));
            }
            while (!call.isCancelled()) {
                Object next = queue.poll(1, TimeUnit.SECONDS);
                if (next == null) {
                    continue;
                }
                if (next instanceof ApiException error) {
                    throw error;
                }
                Change change = (Change) next;
                if (change.event().type() == ObjectEvent.Type.DELETED) {
                    throw Status.ABORTED
                            .withDescription(what(change.plural()) + " was deleted while it converged")
                            .asRuntimeException();
                }
                if (change.event().type() != ObjectEvent.Type.BOOKMARK) {
                    current.put(change.plural(), change.event().object());
                }
                // Reported once the burst is over (the initial state ends with bookmarks, which count too).
                if (queue.isEmpty() && !current.isEmpty() && report()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!call.isCancelled()) {
                stream.onError(Replies.status(e));
            }
        } finally {
            for (AutoCloseable watch : watches) {
                try {
                    watch.close();
                } catch (Exception e) {
                    // closing a registry watch cannot fail in a way the caller could act on
                }
            }
        }
    }

    /** Sends progress when something changed; true once the call has ended (everything Ready). */
    private boolean report() {
        boolean changed = false;
        List<String> lines = new ArrayList<>();
        boolean allReady = current.size() == PLURALS.size();
        for (String plural : PLURALS) {
            Message object = current.get(plural);
            String phase = object == null ? "Pending" : phase(object);
            if (!phase.equals(reported.put(plural, phase))) {
                changed = true;
                lines.add(what(plural) + ": " + phase + message(object));
            }
            if (phase.equals("Failed")) {
                throw Status.FAILED_PRECONDITION
                        .withDescription(what(plural) + " failed" + message(object))
                        .asRuntimeException();
            }
            allReady &= phase.equals("Ready");
        }
        if (!changed && !allReady) {
            return false;
        }
        RequestDatabaseProgress.Builder progress =
                RequestDatabaseProgress.newBuilder().setMessage(lines.isEmpty() ? "ready" : String.join("; ", lines));
        if (current.get("databases") instanceof Database database) {
            progress.setDatabase(database);
        }
        if (current.get("databaseusers") instanceof DatabaseUser user) {
            progress.setUser(user);
        }
        if (current.get("databasegrants") instanceof DatabaseGrant grant) {
            progress.setGrant(grant);
        }
        if (allReady) {
            progress.setReady(true).setConnection(connections.read(request.namespace(), request.user(), false));
        }
        stream.onNext(progress.build());
        if (allReady) {
            stream.onCompleted();
        }
        return allReady;
    }

    private String what(String plural) {
        return switch (plural) {
            case "databases" -> "database " + request.database();
            case "databaseusers" -> "user " + request.user();
            default -> "grant " + request.user();
        };
    }

    /** The object's {@code status.phase} as its JSON spelling ("Ready"), "Pending" before the first status. */
    private static String phase(Message object) {
        FieldDescriptor statusField = object.getDescriptorForType().findFieldByName("status");
        if (!object.hasField(statusField)) {
            return "Pending";
        }
        Message status = (Message) object.getField(statusField);
        EnumValueDescriptor phase = (EnumValueDescriptor)
                status.getField(status.getDescriptorForType().findFieldByName("phase"));
        String name = phase.getName();
        if (name.endsWith("_UNSPECIFIED")) {
            return "Pending";
        }
        StringBuilder spelled = new StringBuilder();
        String[] words =
                name.substring(name.indexOf("_PHASE_") + "_PHASE_".length()).split("_");
        for (String word : words) {
            spelled.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return spelled.toString();
    }

    private static String message(Message object) {
        if (object == null) {
            return "";
        }
        FieldDescriptor statusField = object.getDescriptorForType().findFieldByName("status");
        Message status = (Message) object.getField(statusField);
        FieldDescriptor message = status.getDescriptorForType().findFieldByName("message");
        String text = message == null ? "" : (String) status.getField(message);
        return text.isEmpty() ? "" : " (" + text + ")";
    }

    private ResourceStore store(String plural) {
        return registry.byPlural(plural).orElseThrow();
    }

    private record Change(String plural, ObjectEvent event) {}

    static String describe(Message object) {
        return Objects.meta(object).getName();
    }
}
