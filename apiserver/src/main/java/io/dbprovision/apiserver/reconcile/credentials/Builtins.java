package io.dbprovision.apiserver.reconcile.credentials;

import static io.dbprovision.apiserver.reconcile.credentials.Function.Param.ANY;
import static io.dbprovision.apiserver.reconcile.credentials.Function.Param.STRING;
import static io.dbprovision.apiserver.reconcile.credentials.Function.string;

import java.util.List;

/**
 * Go's predefined template functions that secret templates support, with the semantics of Go 1.18 and later: {@code and}
 * and {@code or} return one of their arguments and stop early (the evaluator runs them, since they must not evaluate
 * every argument), comparisons work on basic kinds only, {@code len} counts bytes.
 */
final class Builtins {
    private Builtins() {}

    static List<Function> all() {
        return List.of(
                Function.variadic("and", ANY, args -> args.get(args.size() - 1), ANY),
                Function.variadic("or", ANY, args -> args.get(args.size() - 1), ANY),
                Function.of("not", args -> Value.Bool.of(!Value.isTrue(args.get(0))), ANY),
                Function.of("len", args -> length(args.get(0)), ANY),
                Function.variadic("eq", ANY, args -> Value.Bool.of(eq(args.get(0), args.subList(1, args.size()))), ANY),
                Function.of("ne", args -> Value.Bool.of(!eq(args.get(0), List.of(args.get(1)))), ANY, ANY),
                Function.of("lt", args -> Value.Bool.of(lt(args.get(0), args.get(1))), ANY, ANY),
                Function.of("le", args -> Value.Bool.of(le(args.get(0), args.get(1))), ANY, ANY),
                Function.of("gt", args -> Value.Bool.of(!le(args.get(0), args.get(1))), ANY, ANY),
                Function.of("ge", args -> Value.Bool.of(!lt(args.get(0), args.get(1))), ANY, ANY),
                Function.variadic("print", ANY, args -> new Value.Str(GoFormat.print(args))),
                Function.variadic("println", ANY, args -> new Value.Str(GoFormat.println(args))),
                Function.variadic(
                        "printf",
                        ANY,
                        args -> new Value.Str(GoFormat.sprintf(string(args, 0), args.subList(1, args.size()))),
                        STRING));
    }

    private static Value length(Value value) {
        return switch (value) {
            case Value.Str s -> Value.Int.of(GoStrings.utf8Length(s.value()));
            case Value.Nil n -> throw new FunctionError("len of nil pointer");
            default -> throw new FunctionError("len of type " + value.goType());
        };
    }

    private enum BasicKind {
        BOOL,
        INT,
        STRING,
        INVALID
    }

    private static BasicKind kind(Value value) {
        return switch (value) {
            case Value.Bool b -> BasicKind.BOOL;
            case Value.Int i -> BasicKind.INT;
            case Value.Str s -> BasicKind.STRING;
            default -> BasicKind.INVALID;
        };
    }

    /** Go's eq: true when the first argument equals any of the others. */
    static boolean eq(Value first, List<Value> others) {
        if (others.isEmpty()) {
            throw new FunctionError("missing argument for comparison");
        }
        BasicKind k1 = kind(first);
        for (Value other : others) {
            BasicKind k2 = kind(other);
            boolean truth;
            if (k1 != k2) {
                if (first != Value.Nil.NIL && other != Value.Nil.NIL) {
                    throw new FunctionError("incompatible types for comparison");
                }
                truth = false;
            } else {
                truth = switch (k1) {
                    case BOOL -> ((Value.Bool) first).value() == ((Value.Bool) other).value();
                    case INT -> ((Value.Int) first).value() == ((Value.Int) other).value();
                    case STRING -> ((Value.Str) first).value().equals(((Value.Str) other).value());
                    // nil equals only nil; the data equals itself.
                    case INVALID -> first.equals(other);
                };
            }
            if (truth) {
                return true;
            }
        }
        return false;
    }

    /** Go's lt: integers by value, strings by bytes (which is by code point). */
    static boolean lt(Value a, Value b) {
        BasicKind k1 = kind(a);
        BasicKind k2 = kind(b);
        if (k1 == BasicKind.INVALID || k2 == BasicKind.INVALID) {
            throw new FunctionError("invalid type for comparison");
        }
        if (k1 != k2) {
            throw new FunctionError("incompatible types for comparison");
        }
        return switch (k1) {
            case INT -> ((Value.Int) a).value() < ((Value.Int) b).value();
            case STRING -> compareByCodePoint(((Value.Str) a).value(), ((Value.Str) b).value()) < 0;
            default -> throw new FunctionError("invalid type for comparison");
        };
    }

    static boolean le(Value a, Value b) {
        return lt(a, b) || eq(a, List.of(b));
    }

    private static int compareByCodePoint(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
