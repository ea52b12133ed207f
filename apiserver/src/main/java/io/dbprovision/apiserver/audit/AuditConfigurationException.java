package io.dbprovision.apiserver.audit;

/**
 * Audit cannot be set up as configured: a flag out of range, a policy file that cannot be read or is not a valid
 * {@code audit.k8s.io/v1} {@code Policy}, a log file that cannot be opened. The message names the flag or file and, for
 * a policy, the field ({@code rules[2].level}); the server refuses to start with it rather than run without an audit
 * trail it was asked for.
 */
public class AuditConfigurationException extends RuntimeException {
    public AuditConfigurationException(String message) {
        super(message);
    }

    public AuditConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
