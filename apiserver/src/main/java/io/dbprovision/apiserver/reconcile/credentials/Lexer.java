package io.dbprovision.apiserver.reconcile.credentials;

import io.dbprovision.apiserver.reconcile.credentials.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits a template into tokens the way Go's {@code text/template/parse} lexer does: text outside {@code {{ }}},
 * actions inside, trim markers ({@code "{{- "} and {@code " -}}"} remove the white space beside them), comments
 * (slash-star to star-slash filling a whole action, dropped). Inside actions, spaces are tokens, because Go's grammar
 * needs them to tell {@code $x :=} from {@code $x foo}. Errors are thrown at once.
 */
final class Lexer {
    private static final String LEFT_DELIM = "{{";
    private static final String RIGHT_DELIM = "}}";
    private static final Map<String, Kind> KEYWORDS = Map.ofEntries(
            Map.entry("block", Kind.BLOCK),
            Map.entry("break", Kind.BREAK),
            Map.entry("continue", Kind.CONTINUE),
            Map.entry("define", Kind.DEFINE),
            Map.entry("else", Kind.ELSE),
            Map.entry("end", Kind.END),
            Map.entry("if", Kind.IF),
            Map.entry("range", Kind.RANGE),
            Map.entry("nil", Kind.NIL),
            Map.entry("template", Kind.TEMPLATE),
            Map.entry("with", Kind.WITH));

    private final TemplateSource source;
    private final String input;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int start;
    private int parenDepth;

    private Lexer(TemplateSource source) {
        this.source = source;
        this.input = source.text();
    }

    static List<Token> lex(TemplateSource source) {
        Lexer lexer = new Lexer(source);
        lexer.lexText();
        return lexer.tokens;
    }

    private void lexText() {
        while (true) {
            int delim = input.indexOf(LEFT_DELIM, pos);
            if (delim < 0) {
                if (pos < input.length()) {
                    tokens.add(new Token(Kind.TEXT, input.substring(pos), pos));
                }
                tokens.add(new Token(Kind.EOF, "", input.length()));
                return;
            }
            boolean trimBefore = hasLeftTrimMarker(delim + LEFT_DELIM.length());
            int textEnd = trimBefore ? delim - trailingSpace(pos, delim) : delim;
            if (textEnd > pos) {
                tokens.add(new Token(Kind.TEXT, input.substring(pos, textEnd), pos));
            }
            pos = delim + LEFT_DELIM.length();
            int afterMarker = trimBefore ? 2 : 0;
            if (input.startsWith("/*", pos + afterMarker)) {
                pos += afterMarker;
                lexComment(delim);
                continue;
            }
            tokens.add(new Token(Kind.LEFT_DELIM, LEFT_DELIM, delim));
            pos += afterMarker;
            parenDepth = 0;
            lexInsideAction();
        }
    }

    private void lexComment(int delim) {
        int end = input.indexOf("*/", pos + 2);
        if (end < 0) {
            throw source.error(delim, "unclosed comment");
        }
        pos = end + 2;
        int trim = rightDelimAt(pos);
        if (trim < 0) {
            throw source.error(pos, "comment ends before closing delimiter");
        }
        skipRightDelim(trim == 1);
    }

    /** Lexes one action, up to and including its right delimiter. */
    private void lexInsideAction() {
        while (true) {
            int trim = rightDelimAt(pos);
            if (trim >= 0) {
                if (parenDepth != 0) {
                    throw source.error(pos, "unclosed left paren");
                }
                int at = pos;
                skipRightDelim(trim == 1);
                tokens.add(new Token(Kind.RIGHT_DELIM, RIGHT_DELIM, at));
                return;
            }
            if (pos >= input.length()) {
                throw source.error(pos, "unclosed action");
            }
            start = pos;
            int c = input.codePointAt(pos);
            if (isSpace(c)) {
                lexSpace();
                continue;
            }
            pos += Character.charCount(c);
            switch (c) {
                case '=' -> emit(Kind.ASSIGN);
                case ':' -> {
                    if (pos >= input.length() || input.charAt(pos) != '=') {
                        throw source.error(start, "expected :=");
                    }
                    pos++;
                    emit(Kind.DECLARE);
                }
                case '|' -> emit(Kind.PIPE);
                case '"' -> lexQuote();
                case '`' -> lexRawQuote();
                case '\'' -> lexCharConstant();
                case '$' -> lexFieldOrVariable(Kind.VARIABLE);
                case '(' -> {
                    emit(Kind.LEFT_PAREN);
                    parenDepth++;
                }
                case ')' -> {
                    emit(Kind.RIGHT_PAREN);
                    if (--parenDepth < 0) {
                        throw source.error(start, "unexpected right paren");
                    }
                }
                default -> lexOther(c);
            }
        }
    }

    private void lexOther(int c) {
        if (c == '.' && (pos >= input.length() || input.charAt(pos) < '0' || input.charAt(pos) > '9')) {
            lexFieldOrVariable(Kind.FIELD);
        } else if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
            pos = start;
            lexNumber();
        } else if (isAlphaNumeric(c)) {
            pos = start;
            lexIdentifier();
        } else if (c < 0x7f && c >= 0x20) {
            emit(Kind.CHAR);
        } else {
            throw source.error(start, "unrecognized character in action: " + codePointName(c));
        }
    }

    /** A run of spaces; the space of a {@code " -}}"} belongs to the delimiter, as in Go. */
    private void lexSpace() {
        int spaces = 0;
        while (pos < input.length() && isSpace(input.charAt(pos))) {
            pos++;
            spaces++;
        }
        if (hasRightTrimMarkerAt(pos - 1)) {
            pos--;
            if (spaces == 1) {
                return;
            }
        }
        emit(Kind.SPACE);
    }

    private void lexQuote() {
        while (true) {
            if (pos >= input.length()) {
                throw source.error(start, "unterminated quoted string");
            }
            char c = input.charAt(pos++);
            if (c == '\\') {
                if (pos >= input.length() || input.charAt(pos) == '\n') {
                    throw source.error(start, "unterminated quoted string");
                }
                pos++;
            } else if (c == '\n') {
                throw source.error(start, "unterminated quoted string");
            } else if (c == '"') {
                break;
            }
        }
        emit(Kind.STRING);
    }

    private void lexRawQuote() {
        int end = input.indexOf('`', pos);
        if (end < 0) {
            throw source.error(start, "unterminated raw quoted string");
        }
        pos = end + 1;
        emit(Kind.RAW_STRING);
    }

    private void lexCharConstant() {
        while (true) {
            if (pos >= input.length()) {
                throw source.error(start, "unterminated character constant");
            }
            char c = input.charAt(pos++);
            if (c == '\\') {
                if (pos >= input.length() || input.charAt(pos) == '\n') {
                    throw source.error(start, "unterminated character constant");
                }
                pos++;
            } else if (c == '\n') {
                throw source.error(start, "unterminated character constant");
            } else if (c == '\'') {
                break;
            }
        }
        emit(Kind.CHAR_CONSTANT);
    }

    /** After {@code $} or {@code .}: a name, or nothing ({@code $} alone is the root, {@code .} alone is dot). */
    private void lexFieldOrVariable(Kind kind) {
        if (atTerminator()) {
            emit(kind == Kind.VARIABLE ? Kind.VARIABLE : Kind.DOT);
            return;
        }
        while (pos < input.length() && isAlphaNumeric(input.codePointAt(pos))) {
            pos += Character.charCount(input.codePointAt(pos));
        }
        if (!atTerminator()) {
            throw source.error(pos, "bad character " + codePointName(input.codePointAt(pos)));
        }
        emit(kind);
    }

    private void lexIdentifier() {
        while (pos < input.length() && isAlphaNumeric(input.codePointAt(pos))) {
            pos += Character.charCount(input.codePointAt(pos));
        }
        if (!atTerminator()) {
            throw source.error(pos, "bad character " + codePointName(input.codePointAt(pos)));
        }
        String word = input.substring(start, pos);
        Kind keyword = KEYWORDS.get(word);
        if (keyword != null) {
            emit(keyword);
        } else if (word.equals("true") || word.equals("false")) {
            emit(Kind.BOOL);
        } else {
            emit(Kind.IDENTIFIER);
        }
    }

    private void lexNumber() {
        if (!scanNumber()) {
            throw source.error(start, "bad number syntax");
        }
        if (pos < input.length() && (input.charAt(pos) == '+' || input.charAt(pos) == '-')) {
            // Go reads 1+2i as one complex constant; the parser then refuses it.
            if (!scanNumber() || input.charAt(pos - 1) != 'i') {
                throw source.error(start, "bad number syntax");
            }
        }
        emit(Kind.NUMBER);
    }

    /** Go's scanNumber: accepts more than Go's grammar; the parser then reads the text with Go's rules. */
    private boolean scanNumber() {
        accept("+-");
        String digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX")) {
                digits = "0123456789abcdefABCDEF_";
            } else if (accept("oO")) {
                digits = "01234567_";
            } else if (accept("bB")) {
                digits = "01_";
            }
        }
        acceptRun(digits);
        if (accept(".")) {
            acceptRun(digits);
        }
        if (digits.length() == 11 && accept("eE")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        if (digits.length() == 23 && accept("pP")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        accept("i");
        if (pos < input.length() && isAlphaNumeric(input.codePointAt(pos))) {
            pos++;
            return false;
        }
        return true;
    }

    private boolean accept(String valid) {
        if (pos < input.length() && valid.indexOf(input.charAt(pos)) >= 0) {
            pos++;
            return true;
        }
        return false;
    }

    private void acceptRun(String valid) {
        while (accept(valid)) {
            // absorb
        }
    }

    private boolean atTerminator() {
        if (pos >= input.length()) {
            return true;
        }
        char c = input.charAt(pos);
        return isSpace(c)
                || c == '.'
                || c == ','
                || c == '|'
                || c == ':'
                || c == ')'
                || c == '('
                || input.startsWith(RIGHT_DELIM, pos);
    }

    /** -1 when no right delimiter starts at {@code at}; 0 for {@code "}}"}; 1 for {@code " -}}"}. */
    private int rightDelimAt(int at) {
        if (hasRightTrimMarkerAt(at)) {
            return 1;
        }
        return input.startsWith(RIGHT_DELIM, at) ? 0 : -1;
    }

    private boolean hasRightTrimMarkerAt(int at) {
        return at >= 0
                && at + 1 < input.length()
                && isSpace(input.charAt(at))
                && input.charAt(at + 1) == '-'
                && input.startsWith(RIGHT_DELIM, at + 2);
    }

    private boolean hasLeftTrimMarker(int at) {
        return at + 1 < input.length() && input.charAt(at) == '-' && isSpace(input.charAt(at + 1));
    }

    private void skipRightDelim(boolean trimAfter) {
        pos += (trimAfter ? 2 : 0) + RIGHT_DELIM.length();
        if (trimAfter) {
            while (pos < input.length() && isSpace(input.charAt(pos))) {
                pos++;
            }
        }
    }

    private int trailingSpace(int from, int to) {
        int i = to;
        while (i > from && isSpace(input.charAt(i - 1))) {
            i--;
        }
        return to - i;
    }

    private void emit(Kind kind) {
        tokens.add(new Token(kind, input.substring(start, pos), start));
    }

    /** Go's isSpace for templates: only these four, not Unicode white space. */
    static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** Go's isAlphaNumeric: underscore, Unicode letters (L) and decimal digits (Nd). */
    static boolean isAlphaNumeric(int c) {
        return c == '_' || Character.isLetter(c) || Character.isDigit(c);
    }

    private static String codePointName(int c) {
        return String.format("U+%04X", c);
    }
}
