package io.dbprovision.apiserver.audit;

/**
 * Where audit events go. {@link #write} is called on the request path by many threads at once: it must be cheap, and it
 * must never fail or delay a request because the log cannot be written (a full disk, a removed directory). Such events
 * are dropped, {@linkplain #droppedEvents() counted} and the failure is logged once until writing works again.
 */
public interface AuditLog extends AutoCloseable {
    /** Queues the event's line for the log. Never throws. */
    void write(AuditEvent event);

    /** Events that could not be written since the log was opened. */
    long droppedEvents();

    /** Writes out every queued event and releases the log; later events are dropped. */
    @Override
    void close();

    /** The log when auditing is off: every event is ignored, and none is counted as dropped. */
    static AuditLog disabled() {
        return DisabledAuditLog.INSTANCE;
    }
}
