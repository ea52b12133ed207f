package io.dbprovision.provisioner.engine.mysql;

import java.util.ArrayList;
import java.util.List;

/**
 * A small MySQL lexer for tests: backtick identifiers (a doubled backtick is one), single- and double-quoted strings
 * (doubled quotes and backslash escapes), comments ({@code #}, {@code -- }, {@code /* *}{@code /}), words, numbers
 * and single punctuation characters. Enough to tell whether a value stayed inside its quotes.
 */
final class MySqlLexer {
    enum Kind {
        IDENTIFIER,
        STRING,
        WORD,
        PUNCT,
        COMMENT,
        UNTERMINATED
    }

    /** A token; {@code value} is the decoded content of identifiers and strings. */
    record Token(Kind kind, String value) {}

    private MySqlLexer() {}

    static List<Token> tokens(String sql) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '`') {
                StringBuilder v = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                while (j < n) {
                    char d = sql.charAt(j);
                    if (d == '`') {
                        if (j + 1 < n && sql.charAt(j + 1) == '`') {
                            v.append('`');
                            j += 2;
                            continue;
                        }
                        closed = true;
                        j++;
                        break;
                    }
                    v.append(d);
                    j++;
                }
                tokens.add(new Token(closed ? Kind.IDENTIFIER : Kind.UNTERMINATED, v.toString()));
                i = j;
            } else if (c == '\'' || c == '"') {
                StringBuilder v = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                while (j < n) {
                    char d = sql.charAt(j);
                    if (d == '\\' && j + 1 < n) {
                        v.append(unescape(sql.charAt(j + 1)));
                        j += 2;
                        continue;
                    }
                    if (d == c) {
                        if (j + 1 < n && sql.charAt(j + 1) == c) {
                            v.append(c);
                            j += 2;
                            continue;
                        }
                        closed = true;
                        j++;
                        break;
                    }
                    v.append(d);
                    j++;
                }
                tokens.add(new Token(closed ? Kind.STRING : Kind.UNTERMINATED, v.toString()));
                i = j;
            } else if (c == '#' || sql.startsWith("-- ", i) || sql.startsWith("--\t", i) || sql.startsWith("--\n", i)) {
                int end = sql.indexOf('\n', i);
                tokens.add(new Token(Kind.COMMENT, sql.substring(i, end < 0 ? n : end)));
                i = end < 0 ? n : end;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                tokens.add(new Token(Kind.COMMENT, sql.substring(i, end < 0 ? n : end + 2)));
                i = end < 0 ? n : end + 2;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                int j = i;
                while (j < n
                        && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_' || sql.charAt(j) == '$')) {
                    j++;
                }
                tokens.add(new Token(Kind.WORD, sql.substring(i, j)));
                i = j;
            } else {
                tokens.add(new Token(Kind.PUNCT, String.valueOf(c)));
                i++;
            }
        }
        return tokens;
    }

    private static String unescape(char c) {
        return switch (c) {
            case '0' -> "\0";
            case 'n' -> "\n";
            case 'r' -> "\r";
            case 't' -> "\t";
            case 'b' -> "\b";
            case 'Z' -> "\u001a";
            case '%' -> "\\%";
            case '_' -> "\\_";
            default -> String.valueOf(c);
        };
    }
}
