package io.dbprovision.apiserver.registry.admission;

import java.util.List;

/** The admission plugins of a server, run in order on every write; the first refusal ends the write. */
public final class Admission {
    public static final Admission NONE = new Admission(List.of());

    private final List<AdmissionPlugin> plugins;

    public Admission(List<AdmissionPlugin> plugins) {
        this.plugins = List.copyOf(plugins);
    }

    public void admit(AdmissionRequest request) {
        for (AdmissionPlugin plugin : plugins) {
            plugin.admit(request);
        }
    }

    public List<AdmissionPlugin> plugins() {
        return plugins;
    }

    /** These plugins followed by {@code more}. */
    public Admission with(List<AdmissionPlugin> more) {
        List<AdmissionPlugin> all = new java.util.ArrayList<>(plugins);
        all.addAll(more);
        return new Admission(all);
    }
}
