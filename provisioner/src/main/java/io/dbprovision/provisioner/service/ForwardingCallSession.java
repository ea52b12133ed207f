package io.dbprovision.provisioner.service;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.Step;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jooq.DSLContext;

/**
 * A call session that hands every call to another, for wrappers that watch or change one or two of them (the engine
 * benchmark marks a call's first read), as gRPC's {@code ForwardingServerCall} does for calls.
 */
public abstract class ForwardingCallSession implements CallSession {
    private final CallSession delegate;

    protected ForwardingCallSession(CallSession delegate) {
        this.delegate = delegate;
    }

    @Override
    public Instance instance() {
        return delegate.instance();
    }

    @Override
    public boolean validateOnly() {
        return delegate.validateOnly();
    }

    @Override
    public <T> T read(String database, Function<DSLContext, T> query) {
        return delegate.read(database, query);
    }

    @Override
    public void run(Step step) {
        delegate.run(step);
    }

    @Override
    public int runOnOneConnection(String database, List<Step> steps, boolean stopQuietly) {
        return delegate.runOnOneConnection(database, steps, stopQuietly);
    }

    @Override
    public void note(String note) {
        delegate.note(note);
    }

    @Override
    public Optional<EngineException> lastFailure() {
        return delegate.lastFailure();
    }

    @Override
    public void cancel() {
        delegate.cancel();
    }

    @Override
    public ChangeResponse result() {
        return delegate.result();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
