package io.dbprovision.apiserver.storage;

/** A label selector and a field selector; an object matches when both match its attributes. */
public record Selector(LabelSelector labels, FieldSelector fields) {
    public static final Selector EVERYTHING = new Selector(LabelSelector.everything(), FieldSelector.everything());

    public boolean matches(Attributes attributes) {
        return labels.matches(attributes.labels()) && fields.matches(attributes.fields());
    }

    public boolean isEverything() {
        return labels.isEverything() && fields.isEverything();
    }
}
