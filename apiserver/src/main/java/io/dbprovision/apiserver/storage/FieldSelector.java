package io.dbprovision.apiserver.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes field selector: {@code field=value}, {@code field==value} or {@code field!=value}, joined by commas;
 * {@code \,}, {@code \=} and {@code \\} escape those characters in values. Which fields may be used is the
 * registry's business; storage compares against the attributes it holds (an absent field is the empty string).
 */
public final class FieldSelector {
    private static final FieldSelector EVERYTHING = new FieldSelector(List.of(), "");

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
            terms.add(term(part.trim(), text));
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

    private static Term term(String part, String whole) {
        int index = indexOfUnescaped(part, '=');
        if (index <= 0) {
            throw new IllegalArgumentException("invalid field selector \"" + whole + "\": \"" + part
                    + "\" is not of the form field=value, field==value or field!=value");
        }
        boolean notEqual = part.charAt(index - 1) == '!';
        String field = part.substring(0, notEqual ? index - 1 : index).trim();
        String value = part.substring(index + 1);
        if (!notEqual && value.startsWith("=")) {
            value = value.substring(1);
        }
        if (field.isEmpty()) {
            throw new IllegalArgumentException("invalid field selector \"" + whole + "\": empty field name");
        }
        return new Term(field, !notEqual, unescape(value.trim()));
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

    private static int indexOfUnescaped(String text, char target) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == target) {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                out.append(value.charAt(++i));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
