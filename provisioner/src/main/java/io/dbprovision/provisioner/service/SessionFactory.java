package io.dbprovision.provisioner.service;

import io.dbprovision.proto.engine.v1alpha1.Instance;
import java.time.Instant;

/**
 * Opens the session of one call on an instance. The service depends on this and not on the JDBC session itself, so
 * its tests run with a fake and the server decides where connections come from (pools, settings, TLS to engines).
 */
@FunctionalInterface
public interface SessionFactory {
    /** @param deadline when the call's time is up, or null when it has none */
    CallSession open(Instance instance, boolean validateOnly, Instant deadline);
}
