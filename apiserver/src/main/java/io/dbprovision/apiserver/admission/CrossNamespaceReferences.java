package io.dbprovision.apiserver.admission;

import com.google.protobuf.Message;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.admission.AdmissionPlugin;
import io.dbprovision.apiserver.registry.admission.AdmissionRequest;
import io.dbprovision.apiserver.registry.admission.Operation;
import java.util.Set;

/**
 * Closes the confused-deputy hole of the system we re-create (§10: "cross-namespace allowed, no RBAC check"): the
 * reconcilers act with their own, wide permissions, so an object that points at an instance, Secret, backup or
 * other object outside its own namespace — or at a cluster-scoped instance or role — is admitted only if the user
 * who writes it may {@code get} that object themselves, asked of the server's own authorizer. Checked on create and
 * on every update that adds or changes a reference; references within the object's namespace are covered by the
 * user's right to write the object there.
 */
public final class CrossNamespaceReferences implements AdmissionPlugin {
    private final Authorizer authorizer;

    public CrossNamespaceReferences(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public String name() {
        return "CrossNamespaceReferences";
    }

    @Override
    public void admit(AdmissionRequest request) {
        if (request.operation() == Operation.DELETE
                || !request.kind().group().equals(Schema.GROUP)
                || request.object().isEmpty()) {
            return;
        }
        String namespace = request.namespace();
        Set<References.Reference> before =
                request.oldObject().map(old -> References.of(old, namespace)).orElse(Set.of());
        Message object = request.object().get();
        for (References.Reference reference : References.of(object, namespace)) {
            boolean foreign =
                    reference.namespace().isEmpty() || !reference.namespace().equals(namespace);
            if (!foreign || before.contains(reference) || reference.name().isEmpty()) {
                continue;
            }
            Authorizer.Decision decision = authorizer.authorize(Authorizer.Request.resource(
                    request.context().user(),
                    "get",
                    reference.group(),
                    reference.group().equals(Schema.GROUP) ? Schema.VERSION : "v1",
                    reference.resource(),
                    reference.namespace(),
                    reference.name()));
            if (!decision.allowed()) {
                throw new ApiException.Forbidden(request.kind().qualifiedResource() + " \"" + request.name()
                        + "\" is forbidden: " + reference.field() + " refers to " + reference.qualifiedResource()
                        + " \"" + reference.name() + "\""
                        + (reference.namespace().isEmpty() ? "" : " in the namespace \"" + reference.namespace() + "\"")
                        + ", which User \"" + request.context().user().name() + "\" cannot get");
            }
        }
    }
}
