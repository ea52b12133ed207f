package io.dbprovision.apiserver.corev1;

/**
 * Who the reconcilers are when they write core v1 objects: the user of their in-process registry calls (standalone),
 * and the field manager and event component of their writes in both modes, so that {@code managedFields} and
 * {@code kubectl describe} name them alike everywhere.
 */
public final class ControllerIdentity {
    /** The user the reconcilers' registry calls act as (standalone mode). */
    public static final String USER = "system:dbprovision:controllers";
    /** The field manager of their writes, and the {@code source.component} / {@code reportingComponent} of Events. */
    public static final String COMPONENT = "dbprovision-controller";

    private ControllerIdentity() {}
}
