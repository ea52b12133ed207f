package io.dbprovision.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.Decoded;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.kinds.Findings;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Users and RBAC manifests of the tests, read and checked as the server reads and checks them. */
final class RbacFixtures {
    static final KubeCodec CODEC = new KubeCodec(List.of(Schema.rbac(), Schema.authorization()), Limits.defaults());

    private RbacFixtures() {}

    /**
     * The objects of a test resource's YAML stream, defaulted and validated: the manifests must be valid as written.
     */
    static List<Message> manifests(String resource) {
        List<Message> objects = new ArrayList<>();
        for (Decoded<Message> decoded : CODEC.decodeYaml(read(resource))) {
            assertThat(decoded.unknownFields()).as(resource).isEmpty();
            Message object = ObjectRules.rbac().applyDefaults(decoded.object());
            Findings findings = ObjectRules.rbac().validateCreate(object);
            assertThat(findings.errors()).as(resource).isEmpty();
            objects.add(object);
        }
        return objects;
    }

    /** The bootstrap policy's objects, as they would be stored. */
    static List<Message> bootstrap() {
        List<Message> objects = new ArrayList<>();
        objects.addAll(BootstrapPolicy.clusterRoles());
        objects.addAll(BootstrapPolicy.clusterRoleBindings());
        return objects;
    }

    static byte[] read(String resource) {
        try (InputStream in = RbacFixtures.class.getResourceAsStream("/rbac/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource rbac/" + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An authenticated user, as the authenticators describe one. */
    static UserInfo user(String name, String... groups) {
        List<String> all = new ArrayList<>(List.of(groups));
        all.add("system:authenticated");
        return new UserInfo(name, "", all, Map.of());
    }

    static UserInfo serviceAccount(String namespace, String name) {
        return user(
                "system:serviceaccount:" + namespace + ":" + name,
                "system:serviceaccounts",
                "system:serviceaccounts:" + namespace);
    }

    static Authorizer.Request resource(
            UserInfo user, String verb, String group, String resource, String namespace, String name) {
        String subresource = "";
        int slash = resource.indexOf('/');
        if (slash >= 0) {
            subresource = resource.substring(slash + 1);
            resource = resource.substring(0, slash);
        }
        return new Authorizer.Request(user, true, verb, group, "v1", resource, subresource, namespace, name, "");
    }

    static Authorizer.Request dbops(UserInfo user, String verb, String resource, String namespace, String name) {
        return resource(user, verb, Schema.GROUP, resource, namespace, name);
    }

    static Authorizer.Request core(UserInfo user, String verb, String resource, String namespace, String name) {
        return resource(user, verb, "", resource, namespace, name);
    }
}
