package io.dbprovision.apiserver.portal;

import com.google.protobuf.Message;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.reconcile.EngineObjectLogic;
import io.dbprovision.apiserver.reconcile.ReconcileFailure;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Plans asked of the provisioner, for the kinds that are something on a database server (Database, DatabaseUser,
 * DatabaseRole, ClusterDatabaseRole, DatabaseGrant, ClusterDatabaseGrant): the kind's reconcile logic finds the
 * instance and its admin credentials as a reconcile would and sends its "make it so" call with {@code
 * validate_only}; the statements come back in order, secrets redacted by the provisioner. A plan that cannot be made
 * — the instance (or the user a grant is for) missing or not Ready, the provisioner unreachable or refusing — is no
 * statements and a warning that says why, never a failure of the dry run: the object itself was valid.
 */
public final class ProvisionerPlans implements Plans {
    private final Function<String, Optional<EngineObjectLogic>> logicByPlural;

    /** @param logicByPlural the reconcile logic of a kind, by plural ({@code DbopsControllers::engineLogic}) */
    public ProvisionerPlans(Function<String, Optional<EngineObjectLogic>> logicByPlural) {
        this.logicByPlural = logicByPlural;
    }

    @Override
    public Plan plan(Kind kind, Message object) {
        Optional<EngineObjectLogic> logic = logicByPlural.apply(kind.plural());
        String subject = describe(kind, object);
        if (logic.isEmpty()) {
            return Plan.none("no plan for " + subject + ": the provisioner runs no SQL for " + kind.kind() + "s");
        }
        ChangeResponse response;
        try {
            response = logic.get().plan(object);
        } catch (Waiting waiting) {
            return Plan.none("no plan for " + subject + ": " + waiting.getMessage());
        } catch (ReconcileFailure failure) {
            // The provisioner's messages never carry a secret; they say which step and why.
            return Plan.none("no plan for " + subject + ": " + failure.getMessage());
        }
        List<String> warnings = new ArrayList<>();
        if (response.getPlanCount() == 0) {
            warnings.add("plan for " + subject + ": nothing to change on the server");
        }
        response.getNotesList().forEach(note -> warnings.add("plan for " + subject + ": " + note));
        return new Plan(response.getPlanList(), warnings);
    }

    private static String describe(Kind kind, Message object) {
        var meta = Objects.meta(object);
        return kind.clusterScoped()
                ? kind.kind() + " " + meta.getName()
                : kind.kind() + " " + meta.getNamespace() + "/" + meta.getName();
    }
}
