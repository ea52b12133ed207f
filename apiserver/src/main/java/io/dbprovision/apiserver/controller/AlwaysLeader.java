package io.dbprovision.apiserver.controller;

/** The leader election of a single replica (the embedded store): it leads from start to close. */
final class AlwaysLeader implements LeaderElection {
    private final String identity;
    private Leadership leadership;
    private boolean leading;

    AlwaysLeader(String identity) {
        this.identity = identity;
    }

    @Override
    public synchronized void start(Leadership leadership) {
        if (this.leadership != null) {
            throw new IllegalStateException("leader election started already");
        }
        this.leadership = leadership;
        leading = true;
        leadership.newLeader(identity);
        leadership.startedLeading();
    }

    @Override
    public synchronized boolean isLeader() {
        return leading;
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public synchronized void close() {
        if (leading) {
            leading = false;
            leadership.stoppedLeading();
        }
    }
}
