package io.dbprovision.apiserver.storage;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One group commit of the store, in a flight recording ({@code -XX:StartFlightRecording}): how long its writes took
 * to become durable, and how long feeding the watchers took once the writers had been answered. Costs nothing
 * without a recording; with one, it shows what a write's latency is made of while many watchers are open.
 */
@Name("io.dbprovision.StoreCommit")
@Label("Store commit")
@Category({"DB Provision", "Storage"})
@Description("A group commit: its writes durable, the writers answered, the watchers fed")
@StackTrace(false)
final class CommitEvent extends Event {
    @Label("Writes")
    int writes;

    @Label("Watchers")
    int watchers;

    @Label("Until durable")
    @Description("From the batch's start to its commit and fsync")
    @Timespan
    long durable;

    @Label("Feed")
    @Description("Handing the changes to the watchers, after the writers were answered")
    @Timespan
    long feed;
}
