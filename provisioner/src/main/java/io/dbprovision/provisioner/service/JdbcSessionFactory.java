package io.dbprovision.provisioner.service;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.jdbc.ConnectionPools;
import io.dbprovision.provisioner.engine.jdbc.JdbcSession;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.ExecuteListener;

/**
 * Sessions over JDBC from shared connection pools: each call gets a {@link JdbcSession} bounded by the call's
 * deadline. The pools outlive calls; whoever built this closes them when the server has stopped.
 */
public final class JdbcSessionFactory implements SessionFactory {
    private final ConnectionPools pools;
    private final List<ExecuteListener> observers;

    public JdbcSessionFactory(ConnectionPools pools) {
        this(pools, List.of());
    }

    /** @param observers see every statement of every session (the engine benchmark records the SQL of a call) */
    public JdbcSessionFactory(ConnectionPools pools, List<ExecuteListener> observers) {
        this.pools = Objects.requireNonNull(pools);
        this.observers = List.copyOf(observers);
    }

    @Override
    public CallSession open(Instance instance, boolean validateOnly, Instant deadline) {
        return new Jdbc(new JdbcSession(instance, validateOnly, pools, deadline, observers));
    }

    /** A JdbcSession seen as a call's session; closing it gives back the connection the call held. */
    private record Jdbc(JdbcSession session) implements CallSession {
        @Override
        public Instance instance() {
            return session.instance();
        }

        @Override
        public boolean validateOnly() {
            return session.validateOnly();
        }

        @Override
        public <T> T read(String database, Function<DSLContext, T> query) {
            return session.read(database, query);
        }

        @Override
        public void run(Step step) {
            session.run(step);
        }

        @Override
        public int runOnOneConnection(String database, List<Step> steps, boolean stopQuietly) {
            return session.runOnOneConnection(database, steps, stopQuietly);
        }

        @Override
        public void note(String note) {
            session.note(note);
        }

        @Override
        public Optional<EngineException> lastFailure() {
            return session.lastFailure();
        }

        @Override
        public void cancel() {
            session.cancel();
        }

        @Override
        public ChangeResponse result() {
            return session.result();
        }

        @Override
        public void close() {
            session.close();
        }
    }
}
