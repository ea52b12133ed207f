package io.dbprovision.apiserver.reconcile.user;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The default keys ({@code username}, {@code password}, {@code host}, {@code port} as a decimal), and for template
 * data only the plain field actions {@code {{ .Field }}}: anything else (functions, pipelines, control structures)
 * is refused as an {@link CredentialsRenderer.InvalidTemplate}, as an unknown field is. The full Go template engine
 * replaces it behind {@link CredentialsRenderer}.
 */
public final class SimpleCredentialsRenderer implements CredentialsRenderer {
    private static final Pattern ACTION = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);
    private static final Pattern FIELD = Pattern.compile("\\s*\\.([A-Za-z]+)\\s*");

    @Override
    public Map<String, String> render(Map<String, String> templateData, CredentialValues values) {
        if (templateData.isEmpty()) {
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("username", values.username());
            keys.put("password", values.password());
            keys.put("host", values.host());
            keys.put("port", Integer.toString(values.port()));
            return keys;
        }
        Map<String, String> rendered = new TreeMap<>();
        templateData.forEach((key, text) -> rendered.put(key, renderOne(key, text, values)));
        return rendered;
    }

    private static String renderOne(String key, String text, CredentialValues values) {
        StringBuilder out = new StringBuilder();
        Matcher action = ACTION.matcher(text);
        int end = 0;
        while (action.find()) {
            String before = text.substring(end, action.start());
            if (before.contains("{{")) {
                throw new CredentialsRenderer.InvalidTemplate(
                        "secretTemplate.data[" + quoted(key) + "]: unclosed action");
            }
            out.append(before);
            Matcher field = FIELD.matcher(action.group(1));
            if (!field.matches()) {
                throw new CredentialsRenderer.InvalidTemplate("secretTemplate.data[" + quoted(key)
                        + "]: only {{ .Field }} actions are supported by this renderer");
            }
            out.append(field(key, field.group(1), values));
            end = action.end();
        }
        String rest = text.substring(end);
        if (rest.contains("{{")) {
            throw new CredentialsRenderer.InvalidTemplate("secretTemplate.data[" + quoted(key) + "]: unclosed action");
        }
        return out.append(rest).toString();
    }

    private static String field(String key, String name, CredentialValues values) {
        return switch (name) {
            case "Username" -> values.username();
            case "Password" -> values.password();
            case "Host" -> values.host();
            case "Port" -> Integer.toString(values.port());
            case "Database" -> values.database();
            case "SSLMode" -> values.sslMode();
            case "Namespace" -> values.namespace();
            case "Name" -> values.name();
            case "CA" -> values.ca();
            case "TLSCert" -> values.tlsCert();
            case "TLSKey" -> values.tlsKey();
            case "DatabaseURL" -> values.databaseUrl();
            default ->
                throw new CredentialsRenderer.InvalidTemplate(
                        "secretTemplate.data[" + quoted(key) + "]: can't evaluate field " + bounded(name));
        };
    }

    /** A key or field name as a message may show it: short, and printable. */
    private static String quoted(String text) {
        return "\"" + bounded(text) + "\"";
    }

    private static String bounded(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 64 ? printable : printable.substring(0, 64) + "…";
    }
}
