package io.dbprovision.apiserver.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one request produced for the audit log, written as one {@code audit.k8s.io/v1} {@code Event} line by
 * {@link AuditEventJson}. It has, on purpose, no field for a request or response body: whatever the policy asks, no
 * body can reach the log, because bodies may hold credentials. The request's latency has no field in the Kubernetes
 * event; it is written as the annotation {@value #LATENCY_ANNOTATION}.
 *
 * <p>A filter fills a {@link Builder} while the request passes (see {@link Audit#begin}) and {@linkplain Builder#build
 * builds} an event per stage it writes.
 *
 * @param level the level recorded, {@link AuditLevel#METADATA} (higher levels are recorded as metadata)
 * @param impersonatedUser the user the caller acts as, or {@code null} if the caller impersonates no one
 * @param objectRef what a resource request acts on, or {@code null} for a non-resource request
 * @param responseStatus how the request ended, or {@code null} if it has no response yet
 * @param latency from the request's receipt to this stage
 */
public record AuditEvent(
        AuditLevel level,
        String auditId,
        AuditStage stage,
        String requestUri,
        String verb,
        AuditUser user,
        AuditUser impersonatedUser,
        List<String> sourceIps,
        String userAgent,
        AuditObjectRef objectRef,
        AuditResponseStatus responseStatus,
        Instant requestReceivedTimestamp,
        Instant stageTimestamp,
        Duration latency,
        Map<String, String> annotations) {

    /** The annotation that carries the request's latency, in Go's duration notation (e.g. {@code 1.234ms}). */
    public static final String LATENCY_ANNOTATION = "dbprovision.io/latency";
    /** Kubernetes' annotation for the authorizer's answer: {@code allow} or {@code forbid}. */
    public static final String DECISION_ANNOTATION = "authorization.k8s.io/decision";
    /** Kubernetes' annotation for why the authorizer answered so. */
    public static final String REASON_ANNOTATION = "authorization.k8s.io/reason";

    /** Kubernetes cuts a user agent at this length too. */
    static final int MAX_USER_AGENT_LENGTH = 1024;
    /** A longer URI is hostile: its head is enough to see what it was. */
    static final int MAX_REQUEST_URI_LENGTH = 8192;

    public AuditEvent {
        Objects.requireNonNull(level, "level");
        if (level == AuditLevel.NONE) {
            throw new IllegalArgumentException("an event at level None is not written");
        }
        level = level.recorded();
        auditId = auditId == null ? "" : auditId;
        Objects.requireNonNull(stage, "stage");
        requestUri = Truncation.cut(requestUri == null ? "" : requestUri, MAX_REQUEST_URI_LENGTH);
        verb = verb == null ? "" : verb;
        user = user == null ? AuditUser.of("", List.of()) : user;
        sourceIps = sourceIps == null ? List.of() : List.copyOf(sourceIps);
        userAgent = Truncation.cut(userAgent == null ? "" : userAgent, MAX_USER_AGENT_LENGTH);
        Objects.requireNonNull(requestReceivedTimestamp, "requestReceivedTimestamp");
        Objects.requireNonNull(stageTimestamp, "stageTimestamp");
        latency = latency == null || latency.isNegative() ? Duration.ZERO : latency;
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    /** A builder for a request received now. */
    public static Builder builder(String auditId) {
        return new Builder(auditId, Instant.now(), System.nanoTime());
    }

    /**
     * A builder for a request received at {@code receivedAt}, when {@link System#nanoTime()} read
     * {@code receivedNanoTime}; the latency of each stage is measured from that reading.
     */
    public static Builder builder(String auditId, Instant receivedAt, long receivedNanoTime) {
        return new Builder(auditId, receivedAt, receivedNanoTime);
    }

    /**
     * An event under construction, filled by the filters a request passes (authentication, impersonation,
     * authorization, the response). Its methods may be called from different threads of one request (a handler and a
     * completion listener), so they are synchronized; uncontended, that costs next to nothing.
     */
    public static final class Builder {
        private final String auditId;
        private final Instant receivedAt;
        private final long receivedNanoTime;
        private AuditLevel level = AuditLevel.METADATA;
        private Set<AuditStage> omitStages = Set.of();
        private String requestUri = "";
        private String verb = "";
        private AuditUser user;
        private AuditUser impersonatedUser;
        private List<String> sourceIps = List.of();
        private String userAgent = "";
        private AuditObjectRef objectRef;
        private AuditResponseStatus responseStatus;
        private final Map<String, String> annotations = new TreeMap<>();

        private Builder(String auditId, Instant receivedAt, long receivedNanoTime) {
            this.auditId = Objects.requireNonNull(auditId, "auditId");
            this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
            this.receivedNanoTime = receivedNanoTime;
        }

        public String auditId() {
            return auditId;
        }

        /** The level the policy gave this request; {@link AuditLevel#NONE} means nothing is written for it. */
        public synchronized AuditLevel level() {
            return level;
        }

        public synchronized Builder level(AuditLevel level) {
            this.level = Objects.requireNonNull(level, "level");
            return this;
        }

        /** Takes the policy's answer for this request: its level and the stages left out. */
        public synchronized Builder decision(AuditDecision decision) {
            this.level = decision.level();
            this.omitStages = decision.omitStages();
            return this;
        }

        /** Whether an event of {@code stage} is to be written for this request. */
        public synchronized boolean records(AuditStage stage) {
            return level != AuditLevel.NONE && !omitStages.contains(stage);
        }

        /** The request's path and query as received, e.g. {@code /apis/dbops.dbprovision.io/v1alpha1/databases?limit=500}. */
        public synchronized Builder requestUri(String requestUri) {
            this.requestUri = requestUri;
            return this;
        }

        /** The Kubernetes verb ({@code get}, {@code list}, {@code watch}, {@code create}, …) or, for a non-resource path, the lower-case HTTP method. */
        public synchronized Builder verb(String verb) {
            this.verb = verb;
            return this;
        }

        /** The authenticated caller (before impersonation). */
        public synchronized Builder user(AuditUser user) {
            this.user = user;
            return this;
        }

        /** The user the caller acts as, once impersonation has been authorized. */
        public synchronized Builder impersonatedUser(AuditUser impersonatedUser) {
            this.impersonatedUser = impersonatedUser;
            return this;
        }

        /** The client's address, after any addresses of proxies ({@code X-Forwarded-For}) as Kubernetes lists them. */
        public synchronized Builder sourceIps(List<String> sourceIps) {
            this.sourceIps = sourceIps;
            return this;
        }

        public synchronized Builder userAgent(String userAgent) {
            this.userAgent = userAgent;
            return this;
        }

        public synchronized Builder objectRef(AuditObjectRef objectRef) {
            this.objectRef = objectRef;
            return this;
        }

        /** The authorizer's answer: {@code allowed} gives {@code allow}, otherwise {@code forbid}, with its reason. */
        public synchronized Builder authorization(boolean allowed, String reason) {
            annotations.put(DECISION_ANNOTATION, allowed ? "allow" : "forbid");
            annotations.put(REASON_ANNOTATION, reason == null ? "" : reason);
            return this;
        }

        public synchronized Builder annotation(String key, String value) {
            annotations.put(Objects.requireNonNull(key, "key"), value == null ? "" : value);
            return this;
        }

        /** The response's HTTP code, when nothing more is known of it. Keeps a failure already recorded with the same code. */
        public synchronized Builder responseCode(int code) {
            if (responseStatus == null || responseStatus.code() != code) {
                responseStatus = AuditResponseStatus.of(code);
            }
            return this;
        }

        /** The response, when it is a {@code Status} of failure (its reason and message, never its details). */
        public synchronized Builder responseStatus(AuditResponseStatus responseStatus) {
            this.responseStatus = responseStatus;
            return this;
        }

        /**
         * The event of {@code stage}, as filled so far; its time and latency are taken now.
         *
         * @throws IllegalArgumentException if the request's level is None ({@link #records} says whether to build)
         */
        public synchronized AuditEvent build(AuditStage stage) {
            Duration latency = Duration.ofNanos(Math.max(0, System.nanoTime() - receivedNanoTime));
            return new AuditEvent(
                    level, // None is refused by the event: such a request is not written at all
                    auditId,
                    stage,
                    requestUri,
                    verb,
                    user,
                    impersonatedUser,
                    sourceIps,
                    userAgent,
                    objectRef,
                    responseStatus,
                    receivedAt,
                    // one clock for both instants, so a wall-clock step cannot make a stage precede its request
                    receivedAt.plus(latency),
                    latency,
                    annotations);
        }
    }
}
