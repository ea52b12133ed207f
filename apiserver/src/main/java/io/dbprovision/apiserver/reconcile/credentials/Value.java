package io.dbprovision.apiserver.reconcile.credentials;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A value during evaluation: what Go's {@code reflect.Value} can be in a secret template. Integers remember their Go
 * type ({@code int} for constants and {@code len}, {@code int32} for {@code .Port}) because Go's fmt prints it in
 * {@code %!s(int32=5432)}.
 */
sealed interface Value {
    /** A Go type name, for messages and fmt's error forms. */
    String goType();

    record Str(String value) implements Value {
        @Override
        public String goType() {
            return "string";
        }
    }

    record Int(long value, String goType) implements Value {
        static Int of(long value) {
            return new Int(value, "int");
        }
    }

    record Bool(boolean value) implements Value {
        static final Bool TRUE = new Bool(true);
        static final Bool FALSE = new Bool(false);

        static Bool of(boolean value) {
            return value ? TRUE : FALSE;
        }

        @Override
        public String goType() {
            return "bool";
        }
    }

    /** Go's invalid {@code reflect.Value}: the literal {@code nil}, or the zero value {@code and}/{@code or} pass on. */
    enum Nil implements Value {
        NIL;

        @Override
        public String goType() {
            return "nil";
        }
    }

    /**
     * The data: the root dot and {@code $}. Its fields are computed once per render, so reading a large {@code .CA}
     * many times costs nothing.
     */
    record Root(Map<String, Value> fields) implements Value {
        /** The field names in the order of Go's struct, which is the order {@code %v} and {@code toJson} print. */
        static final List<String> FIELDS = List.of(
                "Username",
                "Password",
                "Host",
                "Port",
                "Database",
                "SSLMode",
                "Namespace",
                "Name",
                "CA",
                "TLSCert",
                "TLSKey",
                "DatabaseURL");

        static Root of(TemplateValues values) {
            Map<String, Value> fields = new HashMap<>();
            fields.put("Username", text(values.username()));
            fields.put("Password", text(values.password()));
            fields.put("Host", text(values.host()));
            fields.put("Port", new Int(values.port(), "int32"));
            fields.put("Database", text(values.database()));
            fields.put("SSLMode", text(values.sslMode()));
            fields.put("Namespace", text(values.namespace()));
            fields.put("Name", text(values.name()));
            fields.put("CA", text(values.ca()));
            fields.put("TLSCert", text(values.tlsCert()));
            fields.put("TLSKey", text(values.tlsKey()));
            fields.put("DatabaseURL", text(values.databaseUrl()));
            return new Root(Map.copyOf(fields));
        }

        /** The Go type of a field, or {@code null} when there is none by that (case-sensitive) name. */
        static String fieldType(String name) {
            return !FIELDS.contains(name) ? null : name.equals("Port") ? "int32" : "string";
        }

        @Override
        public String goType() {
            return "TemplateValues";
        }

        /** The field, or {@code null} when there is none by that name. */
        Value field(String name) {
            return fields.get(name);
        }

        /** Go strings from Kubernetes JSON never hold a lone surrogate; Java's might, so it reads as U+FFFD. */
        private static Str text(String value) {
            return new Str(GoStrings.wellFormed(value));
        }
    }

    /** Go's truth for {@code if}, {@code with}, {@code and}, {@code or}, {@code not}: the zero value is false. */
    static boolean isTrue(Value value) {
        return switch (value) {
            case Str s -> !s.value().isEmpty();
            case Int i -> i.value() != 0;
            case Bool b -> b.value();
            case Root r -> true;
            case Nil n -> false;
        };
    }
}
