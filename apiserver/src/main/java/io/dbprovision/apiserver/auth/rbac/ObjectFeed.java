package io.dbprovision.apiserver.auth.rbac;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WatchQuery;
import io.dbprovision.apiserver.request.RequestContext;
import java.util.List;
import java.util.function.Consumer;

/**
 * What {@link StoreRbacSource} needs of one kind's store, as an informer needs it: every object with the version of
 * that state, and the changes after a version. {@link #of(ResourceStore)} is the one place that knows the registry's
 * calls.
 */
public interface ObjectFeed {

    /** Every object of the kind (all namespaces), and the version they are the state at. */
    record Snapshot(List<Message> objects, long resourceVersion) {}

    /** A change: the object as it now is, or as it was when deleted. */
    record Change(boolean deleted, Message object) {}

    Snapshot list();

    /**
     * Sends every change after {@code sinceVersion} to {@code onChange}, in order, until closed; {@code onEnd} is
     * called once if the feed ends by itself (storage outage, version too old), after which the caller lists again.
     */
    AutoCloseable watch(long sinceVersion, Consumer<Change> onChange, Consumer<RuntimeException> onEnd);

    /** The feed of a registry store, read as the server itself (no request user: this is the authorizer's own view). */
    /** The authorizer's own reads. */
    RequestContext SERVER = RequestContext.internal("system:dbprovision:rbac");

    static ObjectFeed of(ResourceStore store) {
        return new ObjectFeed() {
            @Override
            public Snapshot list() {
                var page = store.list(SERVER, "", ListQuery.ALL);
                return new Snapshot(page.items(), Long.parseLong(page.resourceVersion()));
            }

            @Override
            public AutoCloseable watch(long sinceVersion, Consumer<Change> onChange, Consumer<RuntimeException> onEnd) {
                return store.watch(
                        SERVER,
                        "",
                        new WatchQuery("", "", sinceVersion, false, false),
                        event -> {
                            switch (event.type()) {
                                case ADDED, MODIFIED -> onChange.accept(new Change(false, event.object()));
                                case DELETED -> onChange.accept(new Change(true, event.object()));
                                case BOOKMARK -> {}
                            }
                        },
                        end -> onEnd.accept(end == null ? new IllegalStateException("watch closed") : end));
            }
        };
    }
}
