package io.dbprovision.apiserver.audit;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's audit: the policy that chooses what is recorded and the log it is recorded in, built from the flags by
 * {@link #from}. The request pipeline's audit filter uses it in two calls:
 *
 * <pre>{@code
 * AuditEvent.Builder event = audit.begin(attributes, auditId, receivedAt, receivedNanoTime);
 * ... // later filters: event.impersonatedUser(..), event.authorization(allowed, reason), event.responseStatus(..)
 * audit.record(event, AuditStage.RESPONSE_COMPLETE);
 * }</pre>
 *
 * When auditing is off, or the policy gives a request level {@code None}, the builder records nothing and
 * {@link #record} returns at once.
 */
public final class Audit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Audit.class);
    private static final Audit DISABLED = new Audit(null, AuditLog.disabled());

    private final AuditPolicy policy;
    private final AuditLog log;

    private Audit(AuditPolicy policy, AuditLog log) {
        this.policy = policy;
        this.log = log;
    }

    /** Audit that records nothing. */
    public static Audit disabled() {
        return DISABLED;
    }

    /** Audit with this policy into this log. */
    public static Audit of(AuditPolicy policy, AuditLog log) {
        return new Audit(policy, log);
    }

    /**
     * Audit as the flags ask: the policy read (or the default one), the log opened. A policy file is read even when no
     * log is asked for, so that a broken one is found at once rather than when the log is turned on.
     *
     * @throws AuditConfigurationException if a flag is out of range, the policy is not valid, or the log cannot be
     *     opened; the message names the flag or the policy's field
     */
    public static Audit from(AuditOptions options) {
        List<String> errors = options.validate();
        if (!errors.isEmpty()) {
            throw new AuditConfigurationException(String.join("; ", errors));
        }
        AuditPolicy policy;
        if (options.policyFile().isEmpty()) {
            policy = AuditPolicy.metadataForEverything();
        } else {
            policy = AuditPolicy.load(Path.of(options.policyFile()));
        }
        if (!options.logEnabled()) {
            if (!options.policyFile().isEmpty()) {
                LOG.warn(
                        "audit: --audit-policy-file {} is given but no --audit-log-path: nothing is audited",
                        options.policyFile());
            } else {
                LOG.info("audit: off (no --audit-log-path)");
            }
            return DISABLED;
        }
        if (options.policyFile().isEmpty()) {
            LOG.info("audit: no --audit-policy-file; every request is audited at level Metadata");
        }
        List<Integer> downgraded = policy.rulesRecordedBelowTheirLevel();
        if (!downgraded.isEmpty()) {
            LOG.warn(
                    "audit: policy {} asks for level Request or RequestResponse in rules {} (counted from 0); they are"
                            + " recorded at level Metadata, because request and response bodies may hold credentials"
                            + " (Secrets, passwords) that the audit log must never carry",
                    policy.source(),
                    downgraded);
        }
        AuditLog log;
        if (options.logPath().equals(AuditOptions.STDOUT)) {
            log = StreamAuditLog.stdout();
        } else {
            log = FileAuditLog.open(Path.of(options.logPath()), options.rotation());
        }
        LOG.info("audit: {} with {}, rotation {}", log, policy, options.rotation());
        return new Audit(policy, log);
    }

    public boolean enabled() {
        return policy != null;
    }

    /** The policy, or {@code null} when auditing is off. */
    public AuditPolicy policy() {
        return policy;
    }

    public AuditLog log() {
        return log;
    }

    /**
     * Starts the event of a request: asks the policy for its level and fills in what the attributes say (user, verb,
     * object). The caller fills in the rest as the request proceeds.
     *
     * @param request the authenticated user (before impersonation), verb and object or path
     * @param auditId from {@link AuditIds#forRequest}
     * @param receivedAt when the request was received
     * @param receivedNanoTime {@link System#nanoTime()} when the request was received; latency is measured from it
     */
    public AuditEvent.Builder begin(
            AuditAttributes request, String auditId, Instant receivedAt, long receivedNanoTime) {
        AuditDecision decision = policy == null ? AuditDecision.NONE : policy.evaluate(request);
        return AuditEvent.builder(auditId, receivedAt, receivedNanoTime)
                .decision(decision)
                .user(request.user())
                .verb(request.verb())
                .objectRef(request.objectRef());
    }

    /** Writes the event's {@code stage} if the policy records it for this request. Never throws. */
    public void record(AuditEvent.Builder event, AuditStage stage) {
        if (!event.records(stage)) {
            return;
        }
        try {
            log.write(event.build(stage));
        } catch (RuntimeException e) {
            // a request is never failed by its audit; AuditLog.write does not throw, so this is a bug worth seeing
            LOG.error("audit: cannot build the event {} ({}): {}", event.auditId(), stage.wireName(), e.toString());
        }
    }

    /** Writes out what waits and closes the log. */
    @Override
    public void close() {
        log.close();
    }
}
