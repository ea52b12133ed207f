package io.dbprovision.apiserver.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --token-auth-file}: bearer tokens from a CSV file in the kube-apiserver's format, one user per line: {@code
 * token,user,uid,"group1,group2"} (the groups column optional). Read once at start, as the kube-apiserver does;
 * tokens are compared in constant time ({@link StaticTokenAuthenticator}).
 */
public final class TokenFileAuthenticator implements Authenticator {
    private final StaticTokenAuthenticator tokens;

    private TokenFileAuthenticator(Map<String, UserInfo> users) {
        this.tokens = new StaticTokenAuthenticator(users);
    }

    /** @throws IllegalArgumentException naming the line of a malformed entry (never its token) */
    public static TokenFileAuthenticator read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file, e);
        }
        Map<String, UserInfo> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            List<String> columns = columns(line);
            if (columns.size() < 3 || columns.get(0).isEmpty() || columns.get(1).isEmpty()) {
                throw new IllegalArgumentException(
                        file + " line " + (i + 1) + ": expected token,user,uid[,\"group1,group2\"]");
            }
            List<String> groups = new ArrayList<>();
            if (columns.size() > 3) {
                for (String group : columns.get(3).split(",")) {
                    if (!group.isBlank()) {
                        groups.add(group.strip());
                    }
                }
            }
            if (users.putIfAbsent(columns.get(0), new UserInfo(columns.get(1), columns.get(2), groups, Map.of()))
                    != null) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": a token appears twice");
            }
        }
        return new TokenFileAuthenticator(users);
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        return tokens.authenticate(credentials);
    }

    /** RFC 4180 columns: commas separate, double quotes enclose (and {@code ""} escapes a quote inside them). */
    static List<String> columns(String line) {
        List<String> columns = new ArrayList<>();
        StringBuilder column = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    column.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    column.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                columns.add(column.toString());
                column.setLength(0);
            } else {
                column.append(c);
            }
        }
        columns.add(column.toString());
        return columns;
    }
}
