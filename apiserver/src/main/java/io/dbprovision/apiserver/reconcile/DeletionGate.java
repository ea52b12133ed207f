package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.apiserver.admission.DeletionProtection;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.DeletionConfirmation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Dependency-aware deletion (§3.3 and §4.2 of the catalog). An object being deleted whose dependants still exist
 * is not dropped: it stays (phase Deleting, Ready=False {@code DependenciesExist}) and its status lists who depends
 * on it. With the force-delete annotation the deletion may cascade, once confirmed: the status shows the hash of the
 * sorted dependants, and annotating {@code dbops.dbprovision.io/confirm-force-delete=<hash>} deletes them (each
 * through its own deletion policy); a changed set of dependants changes the hash, so an old confirmation never
 * deletes what it did not list.
 */
public final class DeletionGate {
    public static final String CONFIRM = "dbops.dbprovision.io/confirm-force-delete";

    private final Registry registry;
    private final RequestContext context;

    public DeletionGate(Registry registry, RequestContext context) {
        this.registry = registry;
        this.context = context;
    }

    /** True when nothing depends on {@code object} any more; otherwise {@code status} says who does and why it waits. */
    public boolean clear(Message object, List<Message> dependants, StatusDraft status) {
        List<String> children =
                dependants.stream().map(Dependants::describe).sorted().toList();
        if (children.isEmpty()) {
            setConfirmation(status, null);
            return true;
        }
        var meta = Objects.meta(object);
        String hash = hash(children);
        boolean force = "true".equals(meta.getAnnotationsOrDefault(DeletionProtection.FORCE_DELETE, ""));
        String list = String.join(", ", children.subList(0, Math.min(children.size(), 10)))
                + (children.size() > 10 ? " and " + (children.size() - 10) + " more" : "");
        if (!force) {
            String message = "waiting for " + children.size() + " dependants to be deleted: " + list;
            status.notReady("Deleting", "DependenciesExist", message);
            setConfirmation(
                    status,
                    DeletionConfirmation.newBuilder()
                            .setRequired(false)
                            .addAllChildren(children)
                            .setRemainingCount(children.size())
                            .setMessage(message)
                            .build());
            status.warningEvent("DeletionBlocked", message);
            return false;
        }
        if (!hash.equals(meta.getAnnotationsOrDefault(CONFIRM, ""))) {
            String message = "force-delete would also delete " + children.size() + " dependants (" + list
                    + "); annotate " + CONFIRM + "=" + hash + " to confirm";
            status.notReady("PendingDeletion", "PendingDeletionConfirmation", message);
            setConfirmation(
                    status,
                    DeletionConfirmation.newBuilder()
                            .setRequired(true)
                            .setHash(hash)
                            .addAllChildren(children)
                            .setRemainingCount(children.size())
                            .setMessage(message)
                            .build());
            status.warningEvent("ForceDeletePending", message);
            return false;
        }
        List<String> refused = new ArrayList<>();
        for (Message child : dependants) {
            var childMeta = Objects.meta(child);
            if (childMeta.hasDeletionTimestamp()) {
                continue;
            }
            String apiVersion = InstanceKey.string(child, "api_version");
            String plural = registry.stores().stream()
                    .filter(s -> s.kind().descriptor().equals(child.getDescriptorForType()))
                    .map(s -> s.kind().plural())
                    .findFirst()
                    .orElse("");
            try {
                registry.lookup(apiVersion, plural)
                        .ifPresent(store -> store.delete(
                                context,
                                childMeta.getNamespace(),
                                childMeta.getName(),
                                new DeleteOptions(false, childMeta.getUid(), "", "")));
            } catch (ApiException.NotFound gone) {
                // deleted meanwhile
            } catch (ApiException e) {
                refused.add(Dependants.describe(child) + ": " + e.getMessage());
            }
        }
        String message = "deleting " + children.size() + " dependants: " + list
                + (refused.isEmpty() ? "" : "; refused: " + String.join("; ", refused));
        status.notReady("Deleting", "CascadeDeleting", message);
        setConfirmation(
                status,
                DeletionConfirmation.newBuilder()
                        .setRequired(false)
                        .addAllChildren(children)
                        .setRemainingCount(children.size())
                        .setMessage(message)
                        .build());
        return false;
    }

    /** First 4 bytes of SHA-256 over the sorted children joined by newlines, lower-case hex (§3.3). */
    static String hash(List<String> sortedChildren) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", sortedChildren).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void setConfirmation(StatusDraft status, DeletionConfirmation confirmation) {
        Message.Builder fields = status.fields(Message.Builder.class);
        FieldDescriptor field = fields.getDescriptorForType().findFieldByName("deletion_confirmation");
        if (field == null) {
            return;
        }
        if (confirmation == null) {
            fields.clearField(field);
        } else {
            fields.setField(field, confirmation);
        }
    }
}
