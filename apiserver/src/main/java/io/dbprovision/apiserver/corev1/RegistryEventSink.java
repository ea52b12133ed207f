package io.dbprovision.apiserver.corev1;

import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.k8s.core.v1.Event;

/**
 * Events into this server's own core v1 {@code events} store (standalone mode), as the controllers' user, through the
 * registry's write path (admission included: no Event in a namespace that is being deleted, as in Kubernetes).
 */
public final class RegistryEventSink implements EventSink {
    private static final WriteOptions WRITE = new WriteOptions(false, ControllerIdentity.COMPONENT);

    private final ResourceStore store;

    /** Over the registry's {@code v1/events} store; refused when the registry does not serve core v1. */
    public RegistryEventSink(Registry registry) {
        this(registry.lookup("v1", "events")
                .orElseThrow(() -> new IllegalArgumentException("the registry serves no core v1 events")));
    }

    RegistryEventSink(ResourceStore store) {
        if (!(store.kind().object() instanceof Event)) {
            throw new IllegalArgumentException(
                    "not a store of Events: " + store.kind().kind());
        }
        this.store = store;
    }

    private static RequestContext context() {
        return RequestContext.internal(ControllerIdentity.USER);
    }

    @Override
    public Event create(Event event) {
        return (Event) store.create(context(), event.getMetadata().getNamespace(), event, WRITE)
                .object();
    }

    @Override
    public Event update(Event event) {
        // a patch of the current Event: only the recorder writes it, so whatever its version, these fields are ours
        return (Event) store.patch(
                        context(),
                        event.getMetadata().getNamespace(),
                        event.getMetadata().getName(),
                        current -> ((Event) current)
                                .toBuilder()
                                        .setCount(event.getCount())
                                        .setLastTimestamp(event.getLastTimestamp())
                                        .setMessage(event.getMessage())
                                        .build(),
                        WRITE,
                        false)
                .object();
    }
}
