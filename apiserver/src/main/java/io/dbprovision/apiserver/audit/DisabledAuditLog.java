package io.dbprovision.apiserver.audit;

/** The log of a server run without {@code --audit-log-path}. */
enum DisabledAuditLog implements AuditLog {
    INSTANCE;

    @Override
    public void write(AuditEvent event) {}

    @Override
    public long droppedEvents() {
        return 0;
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
        return "no audit log";
    }
}
