package io.dbprovision.apiserver.auth.rbac;

/**
 * Where {@link RbacAuthorizer} reads the RBAC objects: the current {@link RbacPolicy}, asked for on every request, so
 * it must be cheap (an in-memory snapshot, never a storage read). {@link StoreRbacSource} keeps one current from the
 * server's own stores; a fixed policy is {@code () -> policy}.
 */
@FunctionalInterface
public interface RbacSource {
    RbacPolicy policy();
}
