package io.dbprovision.apiserver.controller;

/**
 * What a {@link LeaderElection} tells its replica, in order, on one thread of the election's own: it may take its
 * time (starting or stopping controllers) without delaying the lease's renewals.
 */
public interface Leadership {
    /** This replica leads now: start the controllers. */
    void startedLeading();

    /** This replica leads no more (lost or gave up its lease): stop the controllers at once. */
    void stoppedLeading();

    /** Another replica (or this one) was seen holding the lease; empty identity: nobody holds it. */
    default void newLeader(String identity) {}
}
