package io.dbprovision.provisioner.engine.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * A small PostgreSQL lexer for tests (standard_conforming_strings on): quoted identifiers with doubled quotes,
 * string literals with doubled quotes, words, numbers, comments and single punctuation. Enough to see whether a value
 * stayed inside its quoting.
 */
final class PostgresLexer {
    enum Kind {
        WORD,
        IDENT,
        STRING,
        NUMBER,
        PUNCT,
        COMMENT,
        DOLLAR
    }

    record Token(Kind kind, String value) {}

    private PostgresLexer() {}

    static List<Token> tokens(String sql) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"' || c == '\'') {
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= sql.length()) throw new IllegalArgumentException("unterminated quote");
                    if (sql.charAt(j) == c) {
                        if (j + 1 < sql.length() && sql.charAt(j + 1) == c) {
                            value.append(c);
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    value.append(sql.charAt(j++));
                }
                tokens.add(new Token(c == '"' ? Kind.IDENT : Kind.STRING, value.toString()));
                i = j + 1;
            } else if (sql.startsWith("--", i) || sql.startsWith("/*", i)) {
                tokens.add(new Token(Kind.COMMENT, sql.substring(i)));
                return tokens;
            } else if (c == '$') {
                tokens.add(new Token(Kind.DOLLAR, "$"));
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) j++;
                tokens.add(new Token(Kind.WORD, sql.substring(i, j).toUpperCase()));
                i = j;
            } else if (Character.isDigit(c)
                    || (c == '-' && i + 1 < sql.length() && Character.isDigit(sql.charAt(i + 1)))) {
                int j = i + 1;
                while (j < sql.length() && Character.isDigit(sql.charAt(j))) j++;
                tokens.add(new Token(Kind.NUMBER, sql.substring(i, j)));
                i = j;
            } else {
                tokens.add(new Token(Kind.PUNCT, String.valueOf(c)));
                i++;
            }
        }
        return tokens;
    }
}
