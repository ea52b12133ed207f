package io.dbprovision.provisioner.service;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.provisioner.engine.EngineSession;

/**
 * The session of one gRPC call as the service sees it: what the engine works with, plus the two things only the call
 * knows about — cancelling the statement that is running when the caller gives up, and the plan the call answers
 * with. Closing it gives its connections back.
 */
public interface CallSession extends EngineSession, AutoCloseable {
    /** Cancels the statement running now, if any, on the engine. Safe from any thread, at any time, repeatedly. */
    void cancel();

    /** What the call changed (or, with validate_only, would change): the plan run so far and the notes. */
    ChangeResponse result();

    @Override
    void close();
}
