package io.dbprovision.provisioner.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The injection corpus: names and values an attacker would put in any identifier or literal position — quotes of
 * every engine, statement separators, comment markers, NUL, backslashes, line breaks, PostgreSQL dollar quoting,
 * jOOQ's own template markers, Unicode look-alikes, bidirectional overrides, invisible characters and over-long
 * strings. Built from fragments so that it holds several hundred distinct strings; each test picks the ones the
 * position can hold ({@link #fitting}) and prefixes them with its own marker ({@link #prefixed}) so the objects it
 * creates can be found and dropped.
 */
public final class HostileStrings {
    /** Fragments that end a quoted identifier or literal, a statement or the rest of a line in some engine. */
    private static final List<String> BREAKERS = List.of(
            "'",
            "''",
            "\"",
            "\"\"",
            "`",
            "``",
            "\\",
            "\\'",
            "\\\"",
            "\\`",
            ";",
            "--",
            "-- ",
            "#",
            "/*",
            "*/",
            "/*!50000",
            "$$",
            "$tag$",
            "E'",
            "{0}",
            "{",
            "}",
            "?",
            ":name",
            "%s",
            "%",
            "_",
            "@",
            "@'%'",
            "\n",
            "\r\n",
            "\t",
            "\u0000",
            "\u001a",
            "\u00a0",
            "\u200b",
            "\u200d",
            "\u202e",
            "\u2066",
            "\ufeff",
            "\uff07",
            "\uff02",
            "\u2019",
            "\u02bc",
            "\u0430",
            "\u0301",
            "\ud83d\ude00",
            "N'",
            "0x27",
            "char(39)");

    /** Whole payloads as an attacker writes them. */
    private static final List<String> PAYLOADS = List.of(
            "x'; DROP TABLE users; --",
            "x\"; DROP ROLE postgres; --",
            "x`; DROP DATABASE mysql; -- ",
            "a' OR '1'='1",
            "a\" OR \"1\"=\"1",
            "') OR ('a'='a",
            "'); CREATE ROLE evil SUPERUSER; --",
            "\"; CREATE ROLE evil SUPERUSER; --",
            "x' IDENTIFIED BY 'owned",
            "x'@'%' IDENTIFIED BY 'owned",
            "root'@'localhost",
            "x\\'; SELECT 1; -- ",
            "x\\\\'; SELECT 1; -- ",
            "$$; DROP TABLE t; $$",
            "$a$ || pg_sleep(10) || $a$",
            "x' || pg_sleep(10) || '",
            "x' AND SLEEP(10) AND '",
            "SUPERUSER",
            "CURRENT_USER",
            "PUBLIC",
            "pg_catalog",
            "information_schema",
            "mysql.user",
            "null",
            "NULL",
            "true",
            "1e10",
            "-1",
            "0;",
            "*",
            "*.*",
            ".",
            "..",
            "../../etc/passwd",
            "a b",
            " leading",
            "trailing ",
            "UPPER",
            "MiXeD",
            "\u202eevil\u202c",
            "adm\u0131n",
            "p\u0430ssword",
            "\u0440ostgres",
            "line1\nline2",
            "tab\there",
            "nul\u0000byte",
            "{{.Password}}",
            "${jndi:ldap://x}",
            "%00",
            "\u00e9t\u00e9",
            "\u65e5\u672c\u8a9e",
            "\u0645\u0631\u062d\u0628\u0627",
            "x".repeat(63),
            "x".repeat(64),
            "x".repeat(65),
            "x".repeat(80),
            "x".repeat(81),
            "x".repeat(255),
            "x".repeat(256),
            "x".repeat(4096),
            "\u00e9".repeat(32),
            "\ud83d\ude00".repeat(16));

    private static final List<String> ALL = build();

    private HostileStrings() {}

    /** Every string of the corpus, in a stable order, without duplicates. */
    public static List<String> all() {
        return ALL;
    }

    /** The strings at most {@code maxBytes} long in UTF-8 and, if {@code allowNul} is false, without NUL. */
    public static List<String> fitting(int maxBytes, boolean allowNul) {
        return ALL.stream()
                .filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= maxBytes)
                .filter(s -> allowNul || s.indexOf('\u0000') < 0)
                .toList();
    }

    /**
     * Each fitting string behind {@code prefix}, so a test's objects are recognisable: the result is at most
     * {@code maxBytes} long in UTF-8 (strings that would not fit are left out, never cut in the middle of a
     * character) and has no NUL unless allowed.
     */
    public static List<String> prefixed(String prefix, int maxBytes, boolean allowNul) {
        int room = maxBytes - prefix.getBytes(StandardCharsets.UTF_8).length;
        return fitting(room, allowNul).stream().map(s -> prefix + s).toList();
    }

    private static List<String> build() {
        Set<String> strings = new LinkedHashSet<>(PAYLOADS);
        for (String breaker : BREAKERS) {
            strings.add(breaker);
            strings.add("a" + breaker);
            strings.add(breaker + "b");
            strings.add("a" + breaker + "b");
        }
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < BREAKERS.size(); i++) {
            String next = BREAKERS.get((i * 7 + 3) % BREAKERS.size());
            pairs.add("x" + BREAKERS.get(i) + next + "y");
        }
        strings.addAll(pairs);
        return List.copyOf(strings);
    }
}
