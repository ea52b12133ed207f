package io.dbprovision.provisioner.service;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import io.dbprovision.provisioner.engine.Step;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * A session that runs nothing: {@link #run} records the redacted statement into the plan, as a validate_only session
 * would, and {@link #cancel} counts down a latch a test engine can wait on.
 */
final class FakeSession implements CallSession {
    private static final DSLContext RENDER = DSL.using(SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));

    final Instance instance;
    final boolean validateOnly;
    final Instant deadline;
    final CountDownLatch cancelled = new CountDownLatch(1);
    volatile boolean closed;
    private final ChangeResponse.Builder result = ChangeResponse.newBuilder();

    FakeSession(Instance instance, boolean validateOnly, Instant deadline) {
        this.instance = instance;
        this.validateOnly = validateOnly;
        this.deadline = deadline;
    }

    @Override
    public Instance instance() {
        return instance;
    }

    @Override
    public boolean validateOnly() {
        return validateOnly;
    }

    @Override
    public <T> T read(String database, Function<DSLContext, T> query) {
        return query.apply(RENDER);
    }

    @Override
    public synchronized void run(Step step) {
        result.setChanged(true)
                .addPlan(PlannedStatement.newBuilder()
                        .setSql(RENDER.renderInlined(step.redacted()))
                        .setDatabase(step.database())
                        .setPurpose(step.purpose()));
    }

    @Override
    public int runOnOneConnection(String database, List<Step> steps, boolean stopQuietly) {
        steps.forEach(this::run);
        return steps.size();
    }

    @Override
    public synchronized void note(String note) {
        result.addNotes(note);
    }

    @Override
    public void cancel() {
        cancelled.countDown();
    }

    @Override
    public synchronized ChangeResponse result() {
        return result.build();
    }

    @Override
    public void close() {
        closed = true;
    }
}
