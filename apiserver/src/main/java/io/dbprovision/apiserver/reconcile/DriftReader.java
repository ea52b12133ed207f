package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.SubresourceReader;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.DatabaseDrift;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.time.Clock;
import java.util.List;

/**
 * {@code GET databases/{name}/drift}: a live comparison of the server with the spec, made at request time through
 * the kind's own {@link EngineObjectLogic#observe} — the same comparison the periodic drift check makes, without
 * waiting for its interval and without writing anything. An object whose instance is not usable answers 409 with
 * the reason; an engine that fails answers 503.
 */
public final class DriftReader implements SubresourceReader {
    private final ResourceStore store;
    private final EngineObjectLogic logic;
    private final RequestContext internal;
    private final Clock clock;

    public DriftReader(ResourceStore store, EngineObjectLogic logic, RequestContext internal, Clock clock) {
        this.store = store;
        this.logic = logic;
        this.internal = internal;
        this.clock = clock;
    }

    @Override
    public Message read(RequestContext context, String namespace, String name) {
        Message object = store.get(internal, namespace, name); // NotFound names the object
        ApiException.Subject subject =
                new ApiException.Subject(store.kind().group(), store.kind().plural(), name);
        DatabaseDrift.Builder answer = DatabaseDrift.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace(namespace).setName(name))
                .setCheckedAt(Conditions.timestamp(clock.instant()));
        try {
            logic.checkDependencies(object);
            Instances.Resolved instance = logic.instanceOf(object);
            List<DriftDiff> diffs = logic.observe(object, instance, StatusDraft.scratch(object, clock.instant()));
            return answer.setDetected(!diffs.isEmpty())
                    .addAllDiffs(diffs)
                    .setMessage(diffs.isEmpty() ? "the server matches the spec" : "differs in " + Drift.fields(diffs))
                    .build();
        } catch (Waiting waiting) {
            throw new ApiException.Conflict(subject, "cannot compare now: " + waiting.getMessage());
        } catch (ReconcileFailure failure) {
            if (failure.transientFailure()) {
                throw new ApiException.Unavailable("cannot compare now: " + failure.getMessage(), null);
            }
            throw new ApiException.Conflict(subject, "cannot compare: " + failure.getMessage());
        }
    }
}
