package io.dbprovision.apiserver.reconcile.credentials;

import java.util.List;

/**
 * A function a template can call, described as Go's reflection sees a Go func: its fixed parameter types, optionally a
 * variadic element type, and its body. The evaluator checks the count and types of arguments before calling, with Go's
 * messages, so bodies receive exactly what their signature says.
 *
 * @param variadic the type of the {@code ...} parameter, or {@code null} when there is none
 */
record Function(String name, List<Param> fixed, Param variadic, Body body) {

    /** A parameter's Go type, as far as templates can tell types apart. */
    enum Param {
        /** {@code string}: string literals, or values that are strings. */
        STRING("string"),
        /** {@code interface{}} or {@code reflect.Value}: anything. */
        ANY("interface {}"),
        /** {@code []string}: no value of a secret template is a list, so only {@code nil} fits. */
        STRING_LIST("[]string");

        final String goType;

        Param(String goType) {
            this.goType = goType;
        }
    }

    @FunctionalInterface
    interface Body {
        Value apply(List<Value> args);
    }

    static Function of(String name, Body body, Param... fixed) {
        return new Function(name, List.of(fixed), null, body);
    }

    static Function variadic(String name, Param variadic, Body body, Param... fixed) {
        return new Function(name, List.of(fixed), variadic, body);
    }

    /** The type the argument at {@code index} must have. */
    Param paramAt(int index) {
        return index < fixed.size() ? fixed.get(index) : variadic;
    }

    static String string(List<Value> args, int index) {
        return ((Value.Str) args.get(index)).value();
    }
}
