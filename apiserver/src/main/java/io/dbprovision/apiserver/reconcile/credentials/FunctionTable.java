package io.dbprovision.apiserver.reconcile.credentials;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The functions a secret template can call by name: the seed's and Go's predefined ones that are supported. */
final class FunctionTable {
    private static final Map<String, Function> FUNCTIONS = new HashMap<>();
    /** Go's predefined functions that make no sense without lists, maps, HTML or function values. */
    private static final Set<String> UNSUPPORTED = Set.of("call", "html", "index", "js", "slice", "urlquery");

    static {
        SecretFunctions.all().forEach(f -> FUNCTIONS.put(f.name(), f));
        Builtins.all().forEach(f -> FUNCTIONS.put(f.name(), f));
    }

    private FunctionTable() {}

    /** The function; the parser has made sure it exists. */
    static Function get(String name) {
        return FUNCTIONS.get(name);
    }

    /** Go refuses at parse time to call a function that does not exist; so does this. */
    static void checkDefined(String name, TemplateSource source, int pos) {
        if (UNSUPPORTED.contains(name)) {
            throw source.error(pos, "function \"" + name + "\" is not supported in secret templates");
        }
        if (!FUNCTIONS.containsKey(name)) {
            throw source.error(pos, "function " + GoQuote.forMessage(name) + " not defined");
        }
    }
}
