package io.dbprovision.apiserver.corev1;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.proto.k8s.core.v1.Event;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.util.PatchUtils;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Events into the kube-apiserver (delegated mode), namespaced core v1 {@code events} through client-java. Another
 * occurrence is a strategic merge patch of {@code count}, {@code lastTimestamp} and {@code message}, as client-go's
 * recorder sends it: no resourceVersion, so no conflict with itself.
 */
public final class ClusterEventSink implements EventSink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KubeErrors.Resource EVENTS = KubeErrors.Resource.EVENTS;

    private final ApiClient client;
    private final CoreV1Api api;

    public ClusterEventSink(ClusterConnection connection) {
        this.client = connection.client();
        this.api = new CoreV1Api(client);
    }

    @Override
    public Event create(Event event) {
        KubeNames.checkForWrite("Event", event.getMetadata());
        String name = event.getMetadata().getName();
        try {
            CoreV1Event created = api.createNamespacedEvent(
                            event.getMetadata().getNamespace(), EventConversion.toKube(event))
                    .execute();
            return EventConversion.fromKube(created);
        } catch (io.kubernetes.client.openapi.ApiException e) {
            throw KubeErrors.translate(e, EVENTS, name);
        } catch (RuntimeException e) {
            throw KubeErrors.unreadable(e, EVENTS, name);
        }
    }

    @Override
    public Event update(Event event) {
        KubeNames.checkForWrite("Event", event.getMetadata());
        String name = event.getMetadata().getName();
        ObjectNode patch = JSON.createObjectNode();
        patch.put("count", event.getCount());
        if (event.hasLastTimestamp()) {
            patch.put(
                    "lastTimestamp",
                    DateTimeFormatter.ISO_INSTANT.format(
                            Instant.ofEpochSecond(event.getLastTimestamp().getSeconds())));
        }
        patch.put("message", event.getMessage());
        try {
            CoreV1Event patched = PatchUtils.patch(
                    CoreV1Event.class,
                    () -> api.patchNamespacedEvent(
                                    name, event.getMetadata().getNamespace(), new V1Patch(patch.toString()))
                            .buildCall(null),
                    V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH,
                    client);
            return EventConversion.fromKube(patched);
        } catch (io.kubernetes.client.openapi.ApiException e) {
            throw KubeErrors.translate(e, EVENTS, name);
        } catch (RuntimeException e) {
            throw KubeErrors.unreadable(e, EVENTS, name);
        }
    }
}
