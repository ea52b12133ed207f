package io.dbprovision.apiserver.provisioning;

import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import java.time.Duration;

/**
 * The reconcilers' way to the provisioner: a stub of {@code dbops.engine.v1alpha1.EngineService} over a mutual-TLS
 * channel, in-process (standalone: a provisioner started inside this server, still over mTLS on loopback) or remote
 * (its own Deployment). Every call gets a deadline, so a dead database server costs a worker at most that long.
 */
public interface EngineChannel {
    /** A stub whose calls must finish within {@code deadline} of this call. */
    EngineServiceGrpc.EngineServiceBlockingStub engine(Duration deadline);
}
