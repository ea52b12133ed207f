package io.dbprovision.apiserver.reconcile.user;

import io.dbprovision.apiserver.controller.Controller;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues the users of a credentials Secret that changed or was deleted (the seed's "owns Secrets" watch): a Secret
 * deleted by hand is regenerated at once rather than at the next resync. It watches the Secrets labelled
 * {@code app.kubernetes.io/managed-by=dbprovision} and maps a Secret's name to its users through the users' informer
 * index on the Secret they name.
 *
 * <p>Lifetime: it starts when the controllers are registered and is closed by the controller manager's
 * {@code close}, after the controllers stopped (it is registered with {@code DbopsControllers.closeWith}). While
 * this replica does not lead, {@link Controller#enqueue} drops what it is given, and a controller that starts
 * reconciles every user anyway, so nothing is missed between.
 */
final class SecretTrigger {
    private static final Logger LOG = LoggerFactory.getLogger(SecretTrigger.class);

    private SecretTrigger() {}

    static AutoCloseable start(Secrets secrets, Informer<DatabaseUser> users, Controller<DatabaseUser> controller) {
        return secrets.watch(CredentialsSecret.LABEL_SELECTOR, secret -> {
            for (DatabaseUser user : users.byIndex(UserControllers.SECRET_INDEX, secret.toString())) {
                NamespacedName key = NamespacedName.of(user);
                LOG.debug("DatabaseUser({}): its Secret {} changed", key, secret);
                controller.enqueue(key);
            }
        });
    }
}
