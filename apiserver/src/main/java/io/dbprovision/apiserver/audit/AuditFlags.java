package io.dbprovision.apiserver.audit;

import picocli.CommandLine.Option;

/**
 * The audit flags for a picocli command ({@code @Mixin AuditFlags audit;}), with k8s.io/apiserver's names, defaults and
 * meanings; {@link #options()} gives them to {@link Audit#from}.
 */
public final class AuditFlags {
    @Option(
            names = "--audit-policy-file",
            paramLabel = "FILE",
            description = "Path to the audit.k8s.io/v1 Policy (YAML or JSON) that chooses what is audited. Without it"
                    + " every request is audited at level Metadata. Levels Request and RequestResponse are recorded as"
                    + " Metadata: request and response bodies are never written.")
    String policyFile = "";

    @Option(
            names = "--audit-log-path",
            paramLabel = "PATH",
            description = "If set, every request is logged to this file, one JSON audit.k8s.io/v1 Event per line;"
                    + " '-' means standard out.")
    String logPath = "";

    @Option(
            names = "--audit-log-maxsize",
            paramLabel = "MB",
            description = "The maximum size in megabytes of the audit log file before it gets rotated (0: 100).")
    int logMaxSize;

    @Option(
            names = "--audit-log-maxbackup",
            paramLabel = "N",
            description = "The maximum number of old audit log files to retain (0: all).")
    int logMaxBackup;

    @Option(
            names = "--audit-log-maxage",
            paramLabel = "DAYS",
            description = "The maximum number of days to retain old audit log files based on the timestamp encoded in"
                    + " their filename (0: no limit).")
    int logMaxAge;

    @Option(
            names = "--audit-log-format",
            paramLabel = "FORMAT",
            description = "Format of saved audits: json (structured JSON, one event per line), the only one.")
    String logFormat = "json";

    public AuditOptions options() {
        return new AuditOptions(policyFile, logPath, logMaxSize, logMaxBackup, logMaxAge, logFormat);
    }
}
