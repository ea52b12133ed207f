package io.dbprovision.apiserver.reconcile.credentials;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A DatabaseUser's {@code passwordSecret.secretTemplate.data}: one Go {@code text/template} per Secret key, rendered
 * exactly as the seed's Go operator renders it for everything secret templates use (see the package's classes for the
 * parts of Go implemented and the few refused). Parse once, render on every reconcile. Immutable and thread-safe.
 *
 * <p>Hostile templates are bounded: at most {@value Limits#MAX_KEYS} keys of at most {@value Limits#MAX_TEMPLATE_BYTES}
 * bytes each, {@value Limits#MAX_NESTING} levels of nesting, 1 MiB of output for all keys together, and a fixed amount
 * of work. Exceeding any is a {@link TemplateException}, never an OutOfMemoryError or a long render. Messages never
 * contain a value or rendered output.
 */
public final class SecretTemplate {
    /** Kubernetes' rule for Secret keys (IsConfigMapKey). */
    private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

    private record Parsed(TemplateSource source, Node.ListNode tree) {}

    private final Map<String, Parsed> templates;

    private SecretTemplate(Map<String, Parsed> templates) {
        this.templates = templates;
    }

    /**
     * Parses every key's template, in key order.
     *
     * @param data key to template text; {@code null} is an empty map
     * @throws TemplateException on the first key that is not a valid Secret key, too large, or not a valid template
     */
    public static SecretTemplate parse(Map<String, String> data) {
        Map<String, String> sorted = sortedChecked(data);
        Map<String, Parsed> templates = new LinkedHashMap<>();
        sorted.forEach((key, text) -> templates.put(key, parseOne(key, text)));
        return new SecretTemplate(Collections.unmodifiableMap(templates));
    }

    /**
     * Everything wrong with a template map, one problem per key at most, for admission. Beyond what {@link #parse}
     * refuses, it refuses fields of the data that do not exist ({@code .Passwrod}) wherever dot is the data, which Go
     * only reports when such an action runs.
     */
    public static List<TemplateProblem> validate(Map<String, String> data) {
        Map<String, String> sorted;
        try {
            sorted = sortedChecked(data);
        } catch (TemplateException e) {
            return List.of(e.toProblem());
        }
        List<TemplateProblem> problems = new ArrayList<>();
        sorted.forEach((key, text) -> {
            try {
                Parsed parsed = parseOne(key, text);
                FieldCheck.check(parsed.source(), parsed.tree());
            } catch (TemplateException e) {
                problems.add(e.toProblem());
            }
        });
        return List.copyOf(problems);
    }

    /**
     * Renders every key with these values.
     *
     * @return key to rendered value, in key order
     * @throws TemplateException on the first key whose execution fails (unknown field, wrong argument, bad base64, a
     *     limit, ...)
     */
    public Map<String, String> render(TemplateValues values) {
        if (values == null) {
            throw new IllegalArgumentException("values are required");
        }
        Budget budget = new Budget();
        Value.Root root = Value.Root.of(values);
        Map<String, String> rendered = new LinkedHashMap<>();
        templates.forEach(
                (key, parsed) -> rendered.put(key, Evaluator.execute(parsed.source(), parsed.tree(), root, budget)));
        return Collections.unmodifiableMap(rendered);
    }

    /** The keys the rendered Secret will have, in order. */
    public Set<String> keys() {
        return templates.keySet();
    }

    private static Map<String, String> sortedChecked(Map<String, String> data) {
        if (data == null) {
            return Map.of();
        }
        if (data.size() > Limits.MAX_KEYS) {
            throw new TemplateException(
                    null, "has " + data.size() + " keys; at most " + Limits.MAX_KEYS + " are allowed");
        }
        // Not containsKey(null): immutable maps throw on it.
        if (data.keySet().stream().anyMatch(key -> key == null)) {
            throw new TemplateException(null, "has a null key");
        }
        return new TreeMap<>(data);
    }

    private static Parsed parseOne(String key, String text) {
        checkKey(key);
        if (text == null) {
            throw new TemplateException(key, "has no template");
        }
        long bytes = GoStrings.utf8Length(text);
        if (bytes > Limits.MAX_TEMPLATE_BYTES) {
            throw new TemplateException(
                    key, "template is " + bytes + " bytes; at most " + Limits.MAX_TEMPLATE_BYTES + " are allowed");
        }
        TemplateSource source = new TemplateSource(key, text);
        return new Parsed(source, Parser.parse(source));
    }

    private static void checkKey(String key) {
        String problem = null;
        if (key.isEmpty()) {
            problem = "must not be empty";
        } else if (key.length() > Limits.MAX_KEY_LENGTH) {
            problem = "must be no more than " + Limits.MAX_KEY_LENGTH + " characters";
        } else if (!SECRET_KEY.matcher(key).matches()) {
            problem = "must consist of alphanumeric characters, '-', '_' or '.'";
        } else if (key.equals(".") || key.equals("..")) {
            problem = "must not be '" + key + "'";
        } else if (key.startsWith("..")) {
            problem = "must not start with '..'";
        }
        if (problem != null) {
            throw new TemplateException(key, "is not a valid Secret key: it " + problem);
        }
    }
}
