package io.dbprovision.apiserver.reconcile.user;

import io.dbprovision.apiserver.reconcile.credentials.SecretTemplate;
import io.dbprovision.apiserver.reconcile.credentials.TemplateException;
import io.dbprovision.apiserver.reconcile.credentials.TemplateValues;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Credentials rendered by the Go {@code text/template} engine of {@code reconcile.credentials}, so the templates of
 * manifests written for the system we re-create render as they did there. No template data: the default keys.
 */
public final class TemplateCredentialsRenderer implements CredentialsRenderer {
    @Override
    public Map<String, String> render(Map<String, String> templateData, CredentialValues v) {
        if (templateData.isEmpty()) {
            Map<String, String> defaults = new LinkedHashMap<>();
            defaults.put("username", v.username());
            defaults.put("password", v.password());
            defaults.put("host", v.host());
            defaults.put("port", Integer.toString(v.port()));
            return defaults;
        }
        try {
            return SecretTemplate.parse(templateData)
                    .render(new TemplateValues(
                            v.username(),
                            v.password(),
                            v.host(),
                            v.port(),
                            v.database(),
                            v.sslMode(),
                            v.namespace(),
                            v.name(),
                            v.ca(),
                            v.tlsCert(),
                            v.tlsKey(),
                            v.databaseUrl()));
        } catch (TemplateException e) {
            throw new InvalidTemplate(e.getMessage());
        }
    }
}
