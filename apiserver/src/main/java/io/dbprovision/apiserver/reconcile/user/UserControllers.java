package io.dbprovision.apiserver.reconcile.user;

import io.dbprovision.apiserver.controller.Controller;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.reconcile.DbopsControllers;
import io.dbprovision.apiserver.reconcile.GrantedRoles;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import java.util.List;

/**
 * The DatabaseUser controller: {@link UserLogic} on the users' informer, partitioned by instance, queued again when
 * their instance changes, when a grant naming them changes (a deletion waiting for its grants goes on when the last
 * one is gone), and when their credentials Secret changes or is deleted ({@link SecretTrigger}).
 */
public final class UserControllers {
    /** The users' index by the credentials Secret they use: {@code namespace/secretName}. */
    static final String SECRET_INDEX = "credentials-secret";

    private UserControllers() {}

    public static void register(DbopsControllers controllers, GrantedRoles grantedRoles) {
        register(controllers, new TemplateCredentialsRenderer(), grantedRoles);
    }

    public static Controller<DatabaseUser> register(
            DbopsControllers controllers, CredentialsRenderer renderer, GrantedRoles grantedRoles) {
        DbopsControllers.Parts parts = controllers.parts();
        Informer<DatabaseUser> users = controllers.informers().users();
        users.addIndex(SECRET_INDEX, user -> List.of(secretKey(user)));
        UserLogic logic = new UserLogic(
                parts.instances(),
                parts.engine(),
                parts.secrets(),
                parts.dependants(),
                parts.gate(),
                renderer,
                grantedRoles);
        Controller<DatabaseUser> controller = controllers
                .onInstance("databaseuser-controller", users, logic)
                .watches(controllers.informers().grants(), UserControllers::userOf)
                .watches(controllers.informers().clusterGrants(), UserControllers::userOf)
                .build();
        controllers.add(controller);
        controllers.closeWith(SecretTrigger.start(parts.secrets(), users, controller));
        return controller;
    }

    static String secretKey(DatabaseUser user) {
        return user.getMetadata().getNamespace() + "/" + CredentialsSecret.name(user);
    }

    private static List<NamespacedName> userOf(DatabaseGrant grant) {
        if (!grant.getSpec().hasUserRef()) {
            return List.of();
        }
        String namespace = grant.getSpec().getUserRef().getNamespace();
        return List.of(new NamespacedName(
                namespace.isEmpty() ? grant.getMetadata().getNamespace() : namespace,
                grant.getSpec().getUserRef().getName()));
    }

    private static List<NamespacedName> userOf(ClusterDatabaseGrant grant) {
        if (!grant.getSpec().hasUserRef()
                || grant.getSpec().getUserRef().getNamespace().isEmpty()) {
            return List.of();
        }
        return List.of(new NamespacedName(
                grant.getSpec().getUserRef().getNamespace(),
                grant.getSpec().getUserRef().getName()));
    }
}
