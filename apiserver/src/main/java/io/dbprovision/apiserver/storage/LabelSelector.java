package io.dbprovision.apiserver.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Kubernetes label selector in its string form: requirements joined by commas, each {@code key=value},
 * {@code key==value}, {@code key!=value}, {@code key in (a,b)}, {@code key notin (a,b)}, {@code key} (exists),
 * {@code !key} (does not exist), {@code key>1} or {@code key<1}. All requirements must hold.
 */
public final class LabelSelector {
    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), "");

    private final List<Requirement> requirements;
    private final String text;

    private LabelSelector(List<Requirement> requirements, String text) {
        this.requirements = requirements;
        this.text = text;
    }

    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** @throws IllegalArgumentException with a message fit for a 400 BadRequest */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        return new LabelSelector(new Parser(text).parse(), text.trim());
    }

    public boolean matches(Map<String, String> labels) {
        for (Requirement requirement : requirements) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }

    enum Operator {
        EQUALS,
        NOT_EQUALS,
        IN,
        NOT_IN,
        EXISTS,
        DOES_NOT_EXIST,
        GREATER_THAN,
        LESS_THAN
    }

    record Requirement(String key, Operator operator, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
                case GREATER_THAN, LESS_THAN -> compare(value);
            };
        }

        private boolean compare(String value) {
            if (value == null) {
                return false;
            }
            try {
                long actual = Long.parseLong(value);
                long bound = Long.parseLong(values.iterator().next());
                return operator == Operator.GREATER_THAN ? actual > bound : actual < bound;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }

    /** A small hand-written scanner: the grammar is tiny and errors must name what was expected where. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        List<Requirement> parse() {
            List<Requirement> out = new ArrayList<>();
            while (true) {
                out.add(requirement());
                skipSpaces();
                if (pos == text.length()) {
                    return out;
                }
                expect(',');
            }
        }

        private Requirement requirement() {
            skipSpaces();
            if (peek() == '!') {
                pos++;
                skipSpaces();
                return new Requirement(key(), Operator.DOES_NOT_EXIST, Set.of());
            }
            String key = key();
            skipSpaces();
            if (pos == text.length() || peek() == ',') {
                return new Requirement(key, Operator.EXISTS, Set.of());
            }
            if (text.startsWith("==", pos)) {
                pos += 2;
                return new Requirement(key, Operator.EQUALS, Set.of(value()));
            }
            if (text.startsWith("!=", pos)) {
                pos += 2;
                return new Requirement(key, Operator.NOT_EQUALS, Set.of(value()));
            }
            char c = peek();
            if (c == '=' || c == '>' || c == '<') {
                pos++;
                Operator op = c == '=' ? Operator.EQUALS : c == '>' ? Operator.GREATER_THAN : Operator.LESS_THAN;
                String value = value();
                if (op != Operator.EQUALS && !value.matches("-?[0-9]+")) {
                    throw error("the value of " + c + " must be an integer");
                }
                return new Requirement(key, op, Set.of(value));
            }
            if (word("notin")) {
                return new Requirement(key, Operator.NOT_IN, set());
            }
            if (word("in")) {
                return new Requirement(key, Operator.IN, set());
            }
            throw error("expected one of =, ==, !=, in, notin, >, < or ',' after the key \"" + key + "\"");
        }

        private boolean word(String word) {
            if (text.startsWith(word, pos)) {
                int end = pos + word.length();
                if (end < text.length() && (Character.isWhitespace(text.charAt(end)) || text.charAt(end) == '(')) {
                    pos = end;
                    return true;
                }
            }
            return false;
        }

        /**
         * The values of {@code in} and {@code notin}. As in Kubernetes, an empty place is the empty value: "()" is
         * {""} and "(a,)" is {a, ""}; every value must be a valid label value.
         */
        private Set<String> set() {
            skipSpaces();
            expect('(');
            Set<String> values = new TreeSet<>();
            while (true) {
                skipSpaces();
                values.add(checkValue(token()));
                skipSpaces();
                if (peek() == ')') {
                    pos++;
                    return values;
                }
                if (peek() != ',') {
                    throw error("expected ',' or ')' in the set of values");
                }
                pos++;
            }
        }

        private String key() {
            String key = token();
            if (key.isEmpty()) {
                throw error("expected a label key");
            }
            checkQualifiedName(key);
            return key;
        }

        private String value() {
            skipSpaces();
            return checkValue(token());
        }

        private String checkValue(String value) {
            if (value.length() > 63 || !value.matches("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")) {
                throw error("invalid label value \"" + value + "\"");
            }
            return value;
        }

        private String token() {
            int start = pos;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (Character.isWhitespace(c) || "!=,()<>".indexOf(c) >= 0) {
                    break;
                }
                pos++;
            }
            return text.substring(start, pos);
        }

        private void checkQualifiedName(String key) {
            String name = key;
            int slash = key.indexOf('/');
            if (slash >= 0) {
                String prefix = key.substring(0, slash);
                name = key.substring(slash + 1);
                if (prefix.length() > 253
                        || !prefix.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
                    throw error("invalid label key \"" + key + "\"");
                }
            }
            if (name.isEmpty() || name.length() > 63 || !name.matches("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")) {
                throw error("invalid label key \"" + key + "\"");
            }
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void skipSpaces() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private IllegalArgumentException error(String detail) {
            return new IllegalArgumentException(
                    "unable to parse label selector \"" + text + "\" at position " + pos + ": " + detail);
        }
    }
}
