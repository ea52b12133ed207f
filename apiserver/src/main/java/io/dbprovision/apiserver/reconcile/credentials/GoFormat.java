package io.dbprovision.apiserver.reconcile.credentials;

import java.util.List;

/**
 * Go's fmt as secret templates reach it: how {@code {{x}}} prints a value, {@code print}, {@code println}, and
 * {@code printf} with the verbs {@code %s %d %v %q} and {@code %%}, including fmt's in-band error forms
 * ({@code %!d(string=x)}, {@code %!s(MISSING)}, {@code %!(EXTRA int=1)}, {@code %!(NOVERB)}). Flags, widths,
 * precisions and other verbs are refused rather than approximated.
 */
final class GoFormat {
    private GoFormat() {}

    /** What {@code {{pipeline}}} writes: fmt.Fprint of the value, {@code <no value>} for an invalid one. */
    static String printValue(Value value) {
        return value == Value.Nil.NIL ? "<no value>" : formatV(value);
    }

    /** fmt's %v. */
    static String formatV(Value value) {
        return switch (value) {
            case Value.Str s -> s.value();
            case Value.Int i -> Long.toString(i.value());
            case Value.Bool b -> Boolean.toString(b.value());
            case Value.Nil n -> "<nil>";
            case Value.Root r -> struct(r, 'v');
        };
    }

    /** fmt.Sprint: a space between two operands when neither is a string. */
    static String print(List<Value> args) {
        BoundedBuilder out = new BoundedBuilder();
        for (int i = 0; i < args.size(); i++) {
            boolean isString = args.get(i) instanceof Value.Str;
            if (i > 0 && !isString && !(args.get(i - 1) instanceof Value.Str)) {
                out.append(" ");
            }
            out.append(formatV(args.get(i)));
        }
        return out.toString();
    }

    /** fmt.Sprintln: spaces between all operands and a newline at the end. */
    static String println(List<Value> args) {
        BoundedBuilder out = new BoundedBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                out.append(" ");
            }
            out.append(formatV(args.get(i)));
        }
        return out.append("\n").toString();
    }

    /** fmt.Sprintf for the supported verbs. */
    static String sprintf(String format, List<Value> args) {
        BoundedBuilder out = new BoundedBuilder();
        int argument = 0;
        int i = 0;
        while (i < format.length()) {
            int percent = format.indexOf('%', i);
            if (percent < 0) {
                out.append(format.substring(i));
                break;
            }
            out.append(format.substring(i, percent));
            if (percent + 1 >= format.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(percent + 1);
            i = percent + 2;
            if (verb == '%') {
                out.append("%");
            } else if (verb == 's' || verb == 'd' || verb == 'v' || verb == 'q') {
                if (argument >= args.size()) {
                    out.append("%!").append(String.valueOf(verb)).append("(MISSING)");
                } else {
                    out.append(format(verb, args.get(argument++)));
                }
            } else if ("+-# 0123456789.*[".indexOf(verb) >= 0) {
                throw new FunctionError("printf flags, widths, precisions and argument indexes are not supported");
            } else {
                throw new FunctionError("printf supports only the verbs %s, %d, %v and %q");
            }
        }
        if (argument < args.size()) {
            out.append("%!(EXTRA ");
            for (int extra = argument; extra < args.size(); extra++) {
                Value value = args.get(extra);
                if (extra > argument) {
                    out.append(", ");
                }
                out.append(value == Value.Nil.NIL ? "<nil>" : typed(value));
            }
            out.append(")");
        }
        return out.toString();
    }

    private static String format(char verb, Value value) {
        return switch (value) {
            case Value.Str s ->
                switch (verb) {
                    case 's', 'v' -> s.value();
                    case 'q' -> GoQuote.go(s.value());
                    default -> badVerb(verb, value);
                };
            case Value.Int i ->
                switch (verb) {
                    case 'd', 'v' -> Long.toString(i.value());
                    case 'q' -> throw new FunctionError("printf: %q of an integer is not supported");
                    default -> badVerb(verb, value);
                };
            case Value.Bool b -> verb == 'v' ? Boolean.toString(b.value()) : badVerb(verb, value);
            case Value.Nil n -> verb == 'v' ? "<nil>" : "%!" + verb + "(<nil>)";
            case Value.Root r -> {
                if (verb == 'q') {
                    throw new FunctionError("printf: %q of the whole data is not supported");
                }
                yield struct(r, verb);
            }
        };
    }

    private static String badVerb(char verb, Value value) {
        return "%!" + verb + "(" + typed(value) + ")";
    }

    private static String typed(Value value) {
        // fmt names the seed's type, package-qualified.
        String type = value instanceof Value.Root ? "secret.TemplateData" : value.goType();
        return type + "=" + formatV(value);
    }

    /** A struct as fmt prints it: each field's value formatted with the verb, space-separated, in braces. */
    private static String struct(Value.Root root, char verb) {
        BoundedBuilder out = new BoundedBuilder().append("{");
        for (int i = 0; i < Value.Root.FIELDS.size(); i++) {
            if (i > 0) {
                out.append(" ");
            }
            out.append(format(verb, root.field(Value.Root.FIELDS.get(i))));
        }
        return out.append("}").toString();
    }

    /** A StringBuilder that refuses to grow past the longest string a function may build. */
    static final class BoundedBuilder {
        private final StringBuilder out = new StringBuilder();

        BoundedBuilder append(String text) {
            Budget.checkLength((long) out.length() + text.length());
            out.append(text);
            return this;
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}
