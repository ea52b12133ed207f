package io.dbprovision.apiserver.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit flags, named and defaulted as k8s.io/apiserver's:
 *
 * <ul>
 *   <li>{@code --audit-policy-file}: the {@code audit.k8s.io/v1} {@code Policy}; none records every request at
 *       {@code Metadata} (Kubernetes would record nothing);
 *   <li>{@code --audit-log-path}: the log file, {@code -} for standard output; none turns auditing off;
 *   <li>{@code --audit-log-maxsize}: megabytes (MiB) before a file is rotated; 0 means 100, as in Kubernetes;
 *   <li>{@code --audit-log-maxbackup}: rotated files kept; 0 keeps all;
 *   <li>{@code --audit-log-maxage}: days a rotated file is kept, by the time in its name; 0 keeps them regardless;
 *   <li>{@code --audit-log-format}: {@code json}, the only format (Kubernetes' {@code legacy} text is not offered).
 * </ul>
 *
 * @param policyFile the policy file, {@code ""} for none
 * @param logPath the log file, {@code "-"} for standard output, {@code ""} for no log
 */
public record AuditOptions(
        String policyFile, String logPath, int logMaxSize, int logMaxBackup, int logMaxAge, String logFormat) {
    public static final String STDOUT = "-";

    public AuditOptions {
        policyFile = policyFile == null ? "" : policyFile;
        logPath = logPath == null ? "" : logPath;
        logFormat = logFormat == null ? "json" : logFormat;
    }

    /** Kubernetes' defaults: no policy file, no log, rotation at 100 MiB, every rotated file kept, json. */
    public static AuditOptions defaults() {
        return new AuditOptions("", "", 0, 0, 0, "json");
    }

    public AuditOptions withPolicyFile(String policyFile) {
        return new AuditOptions(policyFile, logPath, logMaxSize, logMaxBackup, logMaxAge, logFormat);
    }

    public AuditOptions withLogPath(String logPath) {
        return new AuditOptions(policyFile, logPath, logMaxSize, logMaxBackup, logMaxAge, logFormat);
    }

    public AuditOptions withRotation(int logMaxSize, int logMaxBackup, int logMaxAge) {
        return new AuditOptions(policyFile, logPath, logMaxSize, logMaxBackup, logMaxAge, logFormat);
    }

    public boolean logEnabled() {
        return !logPath.isEmpty();
    }

    /** What is wrong with the flags, each naming its flag as Kubernetes' validation does; empty if nothing. */
    public List<String> validate() {
        List<String> errors = new ArrayList<>();
        if (!logFormat.equals("json")) {
            errors.add("--audit-log-format " + logFormat + ": unsupported, the only format is json");
        }
        if (logMaxAge < 0) {
            errors.add("--audit-log-maxage " + logMaxAge + " can't be a negative number");
        }
        if (logMaxBackup < 0) {
            errors.add("--audit-log-maxbackup " + logMaxBackup + " can't be a negative number");
        }
        if (logMaxSize < 0) {
            errors.add("--audit-log-maxsize " + logMaxSize + " can't be a negative number");
        }
        if (logMaxSize > 1024 * 1024) {
            errors.add("--audit-log-maxsize " + logMaxSize + ": at most 1048576 (1 TiB)");
        }
        return errors;
    }

    /** The file rotation these flags ask for. */
    public FileAuditLog.Rotation rotation() {
        long maxBytes = logMaxSize == 0 ? FileAuditLog.Rotation.DEFAULT_MAX_BYTES : logMaxSize * 1024L * 1024L;
        return new FileAuditLog.Rotation(maxBytes, logMaxBackup, Duration.ofDays(logMaxAge));
    }
}
