package io.dbprovision.apiserver.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes field selector: {@code field=value}, {@code field==value} or {@code field!=value}, joined by commas;
 * {@code \,}, {@code \=} and {@code \\} escape those characters in values, and as in Kubernetes any other backslash
 * or an unescaped '=' in a value is an error. Which fields may be used is the registry's business; storage compares
 * against the attributes it holds (an absent field is the empty string).
 */
public final class FieldSelector {
    private static final FieldSelector EVERYTHING = new FieldSelector(List.of(), "");
    private static final List<String> OPERATORS = List.of("!=", "==", "=");

    private final List<Term> terms;
    private final String text;

    private FieldSelector(List<Term> terms, String text) {
        this.terms = terms;
        this.text = text;
    }

    public static FieldSelector everything() {
        return EVERYTHING;
    }

    /** @throws IllegalArgumentException with a message fit for a 400 BadRequest */
    public static FieldSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String part : splitUnescaped(text, ',')) {
            if (!part.isBlank()) { // Kubernetes skips empty terms ("a=b,,c=d", a trailing comma)
                terms.add(term(part, text));
            }
        }
        return new FieldSelector(List.copyOf(terms), text.trim());
    }

    /** The fields this selector constrains, for the registry to check against the kind's selectable fields. */
    public List<String> fields() {
        return terms.stream().map(Term::field).toList();
    }

    public boolean matches(Map<String, String> fields) {
        for (Term term : terms) {
            String actual = fields.getOrDefault(term.field(), "");
            if (term.equal() != actual.equals(term.value())) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return terms.isEmpty();
    }

    /** The value an equality term requires for a field, if there is one (lets a list narrow by namespace or name). */
    public java.util.Optional<String> requiredValue(String field) {
        return terms.stream()
                .filter(t -> t.equal() && t.field().equals(field))
                .map(Term::value)
                .findFirst();
    }

    @Override
    public String toString() {
        return text;
    }

    private record Term(String field, boolean equal, String value) {}

    /**
     * Splits a term at its operator as Kubernetes does: at the first position where {@code !=}, {@code ==} or
     * {@code =} starts, so that "a!==b" is "a" != "=b" (and rejected for its unescaped '=') rather than a guess.
     */
    private static Term term(String part, String whole) {
        for (int i = 0; i < part.length(); i++) {
            for (String operator : OPERATORS) {
                if (part.startsWith(operator, i)) {
                    String field = part.substring(0, i).trim();
                    if (field.isEmpty()) {
                        throw new IllegalArgumentException(
                                "invalid field selector \"" + whole + "\": \"" + part.trim() + "\" has no field name");
                    }
                    String value =
                            unescape(part.substring(i + operator.length()).trim(), whole);
                    return new Term(field, !operator.equals("!="), value);
                }
            }
        }
        throw new IllegalArgumentException("invalid field selector \"" + whole + "\": \"" + part.trim()
                + "\" is not of the form field=value, field==value or field!=value");
    }

    private static List<String> splitUnescaped(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
            } else if (c == separator) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    /** Kubernetes' rules: only {@code \\}, {@code \,} and {@code \=} are escapes, and '=' must be escaped. */
    private static String unescape(String value, String whole) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                if (i + 1 == value.length() || "\\,=".indexOf(value.charAt(i + 1)) < 0) {
                    String sequence = i + 1 == value.length() ? "\\" : value.substring(i, i + 2);
                    throw new IllegalArgumentException(
                            "invalid field selector \"" + whole + "\": invalid escape sequence " + sequence
                                    + " in the value \"" + value + "\" (a backslash escapes only '\\', ',' and '=')");
                }
                out.append(value.charAt(++i));
            } else if (c == '=') {
                throw new IllegalArgumentException("invalid field selector \"" + whole
                        + "\": unescaped '=' in the value \"" + value + "\" (write \\=)");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
