package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.api.validation.ObjectMetaValidator;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserSpec;
import io.dbprovision.proto.v1alpha1.PasswordConfig;
import io.dbprovision.proto.v1alpha1.RotationStrategy;
import java.util.Map;
import java.util.regex.Pattern;

/** DatabaseUser: the credentials Secret's name, password generation and rotation rules. */
final class DatabaseUserRules implements KindRules<DatabaseUser> {
    private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
    private static final Pattern CONFIG_PARAMETER = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.]*");
    private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    @Override
    public Class<DatabaseUser> type() {
        return DatabaseUser.class;
    }

    @Override
    public DatabaseUser defaults(DatabaseUser object) {
        DatabaseUserSpec spec = object.getSpec();
        if (spec.hasPasswordSecret()
                && spec.getPasswordSecret().getSecretName().isEmpty()
                && !spec.getUsername().isEmpty()) {
            return object.toBuilder()
                    .setSpec(spec.toBuilder()
                            .setPasswordSecret(
                                    spec.getPasswordSecret().toBuilder().setSecretName(secretName(spec))))
                    .build();
        }
        return object;
    }

    /** Name of the credentials Secret: {@code passwordSecret.secretName}, else {@link CredentialsSecretNames}. */
    static String secretName(DatabaseUserSpec spec) {
        return CredentialsSecretNames.of(spec);
    }

    @Override
    public void validate(DatabaseUser object, Findings findings) {
        DatabaseUserSpec spec = object.getSpec();
        FieldPath path = FieldPath.of("spec");
        if (spec.hasPasswordSecret()) {
            validatePassword(spec.getPasswordSecret(), path.child("passwordSecret"), findings);
        }
        if (spec.hasPasswordRotation() && spec.getPasswordRotation().getEnabled()) {
            if (spec.getPasswordRotation().getSchedule().isEmpty()) {
                findings.error(FieldError.required(
                        path.child("passwordRotation").child("schedule"),
                        "a cron schedule is required when rotation is enabled"));
            }
            if (spec.getPasswordRotation().getStrategy() == RotationStrategy.ROTATION_STRATEGY_DUAL_PASSWORD) {
                findings.error(FieldError.notSupported(
                        path.child("passwordRotation").child("strategy"),
                        "dual-password",
                        java.util.List.of("role-inheritance")));
            }
        }
        if (spec.hasPostgres()) {
            for (String parameter : spec.getPostgres().getConfigParametersMap().keySet()) {
                if (!CONFIG_PARAMETER.matcher(parameter).matches()) {
                    findings.error(FieldError.invalid(
                            path.child("postgres").child("configParameters").key(parameter),
                            parameter,
                            "must be a PostgreSQL setting name such as search_path or work_mem"));
                }
            }
        }
        if (spec.hasMysql()
                && spec.getMysql().getRequireSsl()
                && spec.getMysql().getRequireX509()) {
            findings.warn("spec.mysql.requireSSL is implied by spec.mysql.requireX509");
        }
        if (!spec.getRolesList().isEmpty()) {
            findings.warn("spec.roles has no effect; use spec.postgres.inRoles or a DatabaseGrant");
        }
    }

    private static void validatePassword(PasswordConfig password, FieldPath path, Findings findings) {
        String secretName = password.getSecretName();
        if (!secretName.isEmpty() && !ObjectMetaValidator.isDnsSubdomain(secretName)) {
            findings.error(FieldError.invalid(
                    path.child("secretName"),
                    secretName,
                    "must be a Secret name: a lowercase RFC 1123 subdomain (lower case alphanumeric characters, '-'"
                            + " or '.', starting and ending with an alphanumeric character, at most 253 characters)"));
        }
        String alphabet = ALPHANUMERIC + (password.getIncludeSpecialChars() ? "!@#$%^&*" : "");
        String usable = alphabet.chars()
                .filter(c -> password.getExcludeChars().indexOf(c) < 0)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        if (usable.length() < 10) {
            findings.error(FieldError.invalid(
                    path.child("excludeChars"),
                    password.getExcludeChars(),
                    "leaves fewer than 10 characters to generate passwords from"));
        }
        if (password.hasSecretTemplate()) {
            for (Map.Entry<String, String> entry :
                    password.getSecretTemplate().getDataMap().entrySet()) {
                if (!SECRET_KEY.matcher(entry.getKey()).matches()
                        || entry.getKey().length() > 253) {
                    findings.error(FieldError.invalid(
                            path.child("secretTemplate").child("data").key(entry.getKey()),
                            entry.getKey(),
                            "a Secret key must consist of alphanumeric characters, '-', '_' or '.'"));
                }
            }
        }
    }
}
