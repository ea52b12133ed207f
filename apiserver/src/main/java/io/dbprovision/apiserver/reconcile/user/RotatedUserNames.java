package io.dbprovision.apiserver.reconcile.user;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name of each user a rotation creates, from {@code passwordRotation.userNaming}: {@code {{.Username}}} is
 * {@code spec.username}, {@code {{.Date}}} the rotation's date as YYYYMMDD in UTC, {@code {{.Timestamp}}} its Unix
 * seconds (spaces inside the braces allowed); the result is cut to 63 characters. A name already in use by this user
 * (the base user, the active one, one waiting for its grace period — the default naming gives two rotations on one
 * day the same name) gets {@code _<Unix seconds>} appended instead, so a rotation never takes over a user it retires.
 */
public final class RotatedUserNames {
    public static final String DEFAULT_NAMING = "{{.Username}}_{{.Date}}";
    static final int MAX_LENGTH = 63;
    private static final Pattern USERNAME = Pattern.compile("\\{\\{\\s*\\.Username\\s*}}");
    private static final Pattern DATE = Pattern.compile("\\{\\{\\s*\\.Date\\s*}}");
    private static final Pattern TIMESTAMP = Pattern.compile("\\{\\{\\s*\\.Timestamp\\s*}}");
    private static final DateTimeFormatter YYYYMMDD =
            DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    private RotatedUserNames() {}

    /** The name for a rotation at {@code now}, or empty when even the suffixed name is taken. */
    public static Optional<String> next(String naming, String username, Instant now, Collection<String> taken) {
        String pattern = naming == null || naming.isBlank() ? DEFAULT_NAMING : naming;
        String name = cut(TIMESTAMP
                .matcher(DATE.matcher(USERNAME.matcher(pattern)
                                .replaceAll(java.util.regex.Matcher.quoteReplacement(username)))
                        .replaceAll(YYYYMMDD.format(now)))
                .replaceAll(Long.toString(now.getEpochSecond())));
        if (!taken.contains(name)) {
            return Optional.of(name);
        }
        String suffix = "_" + now.getEpochSecond();
        String suffixed = cut(name.substring(0, Math.min(name.length(), MAX_LENGTH - suffix.length())) + suffix);
        return taken.contains(suffixed) ? Optional.empty() : Optional.of(suffixed);
    }

    static String cut(String name) {
        return name.length() <= MAX_LENGTH ? name : name.substring(0, MAX_LENGTH);
    }
}
