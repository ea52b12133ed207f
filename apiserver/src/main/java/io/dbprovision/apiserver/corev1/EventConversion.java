package io.dbprovision.apiserver.corev1;

import static io.dbprovision.apiserver.corev1.MetaConversion.emptyToNull;
import static io.dbprovision.apiserver.corev1.MetaConversion.nullToEmpty;

import io.dbprovision.proto.k8s.core.v1.Event;
import io.dbprovision.proto.k8s.core.v1.EventSource;
import io.dbprovision.proto.k8s.core.v1.ObjectReference;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.kubernetes.client.openapi.models.V1ObjectReference;

/** Core v1 Events between our proto {@link Event} and client-java's {@link CoreV1Event}. */
final class EventConversion {
    private EventConversion() {}

    static CoreV1Event toKube(Event event) {
        CoreV1Event kube = new CoreV1Event();
        kube.setApiVersion("v1");
        kube.setKind("Event");
        kube.setMetadata(MetaConversion.toKube(event.getMetadata()));
        ObjectReference involved = event.getInvolvedObject();
        kube.setInvolvedObject(new V1ObjectReference()
                .apiVersion(emptyToNull(involved.getApiVersion()))
                .kind(emptyToNull(involved.getKind()))
                .namespace(emptyToNull(involved.getNamespace()))
                .name(emptyToNull(involved.getName()))
                .uid(emptyToNull(involved.getUid()))
                .resourceVersion(emptyToNull(involved.getResourceVersion()))
                .fieldPath(emptyToNull(involved.getFieldPath())));
        kube.setReason(emptyToNull(event.getReason()));
        kube.setMessage(emptyToNull(event.getMessage()));
        if (event.hasSource()) {
            kube.setSource(new V1EventSource()
                    .component(emptyToNull(event.getSource().getComponent()))
                    .host(emptyToNull(event.getSource().getHost())));
        }
        kube.setFirstTimestamp(MetaConversion.offsetDateTime(event.hasFirstTimestamp(), event.getFirstTimestamp()));
        kube.setLastTimestamp(MetaConversion.offsetDateTime(event.hasLastTimestamp(), event.getLastTimestamp()));
        kube.setCount(event.getCount() == 0 ? null : event.getCount());
        kube.setType(emptyToNull(event.getType()));
        kube.setReportingComponent(emptyToNull(event.getReportingComponent()));
        kube.setReportingInstance(emptyToNull(event.getReportingInstance()));
        kube.setAction(emptyToNull(event.getAction()));
        return kube;
    }

    static Event fromKube(CoreV1Event kube) {
        Event.Builder event = Event.newBuilder()
                .setApiVersion("v1")
                .setKind("Event")
                .setMetadata(MetaConversion.fromKube(kube.getMetadata()))
                .setReason(nullToEmpty(kube.getReason()))
                .setMessage(nullToEmpty(kube.getMessage()))
                .setType(nullToEmpty(kube.getType()))
                .setReportingComponent(nullToEmpty(kube.getReportingComponent()))
                .setReportingInstance(nullToEmpty(kube.getReportingInstance()))
                .setAction(nullToEmpty(kube.getAction()));
        V1ObjectReference involved = kube.getInvolvedObject();
        if (involved != null) {
            event.setInvolvedObject(ObjectReference.newBuilder()
                    .setApiVersion(nullToEmpty(involved.getApiVersion()))
                    .setKind(nullToEmpty(involved.getKind()))
                    .setNamespace(nullToEmpty(involved.getNamespace()))
                    .setName(nullToEmpty(involved.getName()))
                    .setUid(nullToEmpty(involved.getUid()))
                    .setResourceVersion(nullToEmpty(involved.getResourceVersion()))
                    .setFieldPath(nullToEmpty(involved.getFieldPath())));
        }
        if (kube.getSource() != null) {
            event.setSource(EventSource.newBuilder()
                    .setComponent(nullToEmpty(kube.getSource().getComponent()))
                    .setHost(nullToEmpty(kube.getSource().getHost())));
        }
        if (kube.getFirstTimestamp() != null) {
            event.setFirstTimestamp(MetaConversion.timestamp(kube.getFirstTimestamp()));
        }
        if (kube.getLastTimestamp() != null) {
            event.setLastTimestamp(MetaConversion.timestamp(kube.getLastTimestamp()));
        }
        if (kube.getCount() != null) {
            event.setCount(kube.getCount());
        }
        return event.build();
    }
}
