package io.dbprovision.apiserver.registry.admission;

/**
 * One admission control, as a Kubernetes admission plugin: it sees every write of the kinds it handles and refuses
 * it by throwing an {@link io.dbprovision.apiserver.registry.ApiException} (usually Forbidden), or lets it pass.
 */
public interface AdmissionPlugin {

    /** Its name, for logs and errors. */
    String name();

    /** Refuses {@code request} by throwing, or returns to let it through. */
    void admit(AdmissionRequest request);
}
