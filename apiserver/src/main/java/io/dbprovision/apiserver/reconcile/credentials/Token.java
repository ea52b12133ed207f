package io.dbprovision.apiserver.reconcile.credentials;

/** A lexical item of Go's text/template, with its text as written and its offset in the template. */
record Token(Kind kind, String text, int pos) {

    enum Kind {
        TEXT,
        LEFT_DELIM,
        RIGHT_DELIM,
        SPACE,
        PIPE,
        LEFT_PAREN,
        RIGHT_PAREN,
        ASSIGN,
        DECLARE,
        /** A printable ASCII character with no meaning of its own, such as {@code ,}. */
        CHAR,
        STRING,
        RAW_STRING,
        CHAR_CONSTANT,
        NUMBER,
        BOOL,
        NIL,
        DOT,
        FIELD,
        VARIABLE,
        IDENTIFIER,
        IF,
        ELSE,
        END,
        WITH,
        RANGE,
        TEMPLATE,
        DEFINE,
        BLOCK,
        BREAK,
        CONTINUE,
        EOF
    }

    /** How a message names this token: never the content of a string literal or of text. */
    String describe() {
        return switch (kind) {
            case TEXT -> "text";
            case LEFT_DELIM -> "\"{{\"";
            case RIGHT_DELIM -> "\"}}\"";
            case SPACE -> "space";
            case STRING, RAW_STRING -> "string literal";
            case CHAR_CONSTANT -> "character constant";
            case NUMBER -> "number";
            case EOF -> "end of template";
            case IF, ELSE, END, WITH, RANGE, TEMPLATE, DEFINE, BLOCK, BREAK, CONTINUE -> "{{" + text + "}}";
            default -> "\"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
        };
    }
}
