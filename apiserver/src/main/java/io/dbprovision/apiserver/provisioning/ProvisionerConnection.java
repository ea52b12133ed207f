package io.dbprovision.apiserver.provisioning;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A server's open way to its provisioner, whichever {@link ProvisionerChoice} it is: the {@link EngineChannel} the
 * reconcilers call, and what closing it stops (the channel, and for an in-process provisioner the provisioner too).
 */
public final class ProvisionerConnection implements AutoCloseable {
    private final EngineChannel channel;
    private final AutoCloseable resources;
    private final String description;

    private ProvisionerConnection(EngineChannel channel, AutoCloseable resources, String description) {
        this.channel = channel;
        this.resources = resources;
        this.description = description;
    }

    /**
     * Opens {@code choice}: for {@link ProvisionerChoice.InProcess}, {@code inProcess} starts the provisioner (the
     * caller decides where its certificates come from); for {@link ProvisionerChoice.External}, the channel is made
     * from its files.
     */
    public static ProvisionerConnection open(ProvisionerChoice choice, Supplier<EmbeddedProvisioner> inProcess) {
        Objects.requireNonNull(choice, "choice");
        return switch (choice) {
            case ProvisionerChoice.InProcess local -> {
                EmbeddedProvisioner provisioner = inProcess.get();
                yield new ProvisionerConnection(
                        provisioner.client(),
                        provisioner,
                        "in-process on 127.0.0.1:" + provisioner.port() + " (mutual TLS)");
            }
            case ProvisionerChoice.External external -> {
                ProvisionerClient client = external.connect();
                yield new ProvisionerConnection(client, client, external.describe());
            }
        };
    }

    /** The reconcilers' channel. */
    public EngineChannel channel() {
        return channel;
    }

    /** Where the provisioner is, for the start-up summary; no secret in it. */
    public String describe() {
        return description;
    }

    /** Closes the channel (and an in-process provisioner). Stop the reconcilers first. */
    @Override
    public void close() {
        try {
            resources.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot close the provisioner: " + e.getMessage(), e);
        }
    }
}
