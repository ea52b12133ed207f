package io.dbprovision.apiserver.reconcile.credentials;

import static io.dbprovision.apiserver.reconcile.credentials.Function.Param.ANY;
import static io.dbprovision.apiserver.reconcile.credentials.Function.Param.STRING;
import static io.dbprovision.apiserver.reconcile.credentials.Function.Param.STRING_LIST;
import static io.dbprovision.apiserver.reconcile.credentials.Function.string;

import java.util.List;

/**
 * The seed's template functions (its {@code TemplateFuncMap}), with the same Go signatures: every one takes strings
 * except {@code toJson} (anything) and {@code join} (a {@code []string}, which only {@code nil} can be here). Passing
 * {@code .Port} to a string function is an error, as in Go; {@code printf "%d"} prints it.
 */
final class SecretFunctions {
    private SecretFunctions() {}

    static List<Function> all() {
        return List.of(
                Function.of("urlEncode", args -> str(GoStrings.queryEscape(string(args, 0))), STRING),
                Function.of("urlPathEncode", args -> str(GoStrings.pathEscape(string(args, 0))), STRING),
                Function.of("base64Encode", args -> str(base64Encode(string(args, 0))), STRING),
                Function.of("base64Decode", args -> str(base64Decode(string(args, 0))), STRING),
                Function.of("upper", args -> str(GoStrings.upper(string(args, 0))), STRING),
                Function.of("lower", args -> str(GoStrings.lower(string(args, 0))), STRING),
                Function.of("title", args -> str(GoStrings.title(string(args, 0))), STRING),
                Function.of("trim", args -> str(GoStrings.trimSpace(string(args, 0))), STRING),
                Function.of("trimPrefix", args -> str(trimPrefix(string(args, 0), string(args, 1))), STRING, STRING),
                Function.of("trimSuffix", args -> str(trimSuffix(string(args, 0), string(args, 1))), STRING, STRING),
                Function.of(
                        "replace",
                        args -> str(GoStrings.replaceAll(string(args, 0), string(args, 1), string(args, 2))),
                        STRING,
                        STRING,
                        STRING),
                Function.of("quote", args -> str(GoQuote.json(string(args, 0))), STRING),
                Function.of("squote", args -> str(squote(string(args, 0))), STRING),
                Function.of("default", args -> str(defaultTo(string(args, 0), string(args, 1))), STRING, STRING),
                Function.of("toJson", args -> str(toJson(args.get(0))), ANY),
                // The only []string a template can pass is nil, which Go joins to "".
                Function.of("join", args -> str(""), STRING_LIST, STRING));
    }

    private static Value str(String value) {
        Budget.checkLength(value.length());
        return new Value.Str(value);
    }

    private static String base64Encode(String s) {
        Budget.checkLength((GoStrings.utf8Length(s) + 2) / 3 * 4);
        return GoStrings.base64Encode(s);
    }

    private static String base64Decode(String s) {
        try {
            return GoStrings.base64Decode(s);
        } catch (FunctionError e) {
            throw new FunctionError("base64Decode: " + e.getMessage());
        }
    }

    private static String trimPrefix(String s, String prefix) {
        return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
    }

    private static String trimSuffix(String s, String suffix) {
        return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
    }

    /** Shell single quotes: {@code '} closes, adds an escaped quote, reopens. */
    private static String squote(String s) {
        Budget.checkLength(
                2 + s.length() + 3L * s.chars().filter(c -> c == '\'').count());
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String defaultTo(String fallback, String value) {
        return value.isEmpty() ? fallback : value;
    }

    /** json.Marshal of what a template can pass: strings, integers, booleans, nil, or the whole data. */
    static String toJson(Value value) {
        return switch (value) {
            case Value.Str s -> GoQuote.json(s.value());
            case Value.Int i -> Long.toString(i.value());
            case Value.Bool b -> Boolean.toString(b.value());
            case Value.Nil n -> "null";
            case Value.Root r -> {
                GoFormat.BoundedBuilder out = new GoFormat.BoundedBuilder().append("{");
                for (String field : Value.Root.FIELDS) {
                    out.append(field.equals("Username") ? "" : ",")
                            .append(GoQuote.json(field))
                            .append(":")
                            .append(toJson(r.field(field)));
                }
                yield out.append("}").toString();
            }
        };
    }
}
