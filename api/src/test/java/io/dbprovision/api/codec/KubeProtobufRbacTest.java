package io.dbprovision.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.k8s.authorization.v1.SelfSubjectAccessReview;
import io.dbprovision.proto.k8s.rbac.v1.RoleBinding;
import io.dbprovision.proto.k8s.wire.v1.ObjectMeta;
import io.dbprovision.proto.k8s.wire.v1.ResourceAttributes;
import io.dbprovision.proto.k8s.wire.v1.RoleRef;
import io.dbprovision.proto.k8s.wire.v1.SelfSubjectAccessReviewSpec;
import io.dbprovision.proto.k8s.wire.v1.Subject;
import io.dbprovision.proto.k8s.wire.v1.TypeMeta;
import io.dbprovision.proto.k8s.wire.v1.Unknown;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The protobuf bodies kubectl's typed clients send for RBAC objects ({@code kubectl create rolebinding}) and for
 * {@code kubectl auth can-i} decode like their JSON, with Kubernetes' field numbers (k8s.io/api rbac/v1 and
 * authorization/v1).
 */
class KubeProtobufRbacTest {
    private final KubeCodec codec = new KubeCodec(
            List.of(Schema.get(), Schema.core(), Schema.rbac(), Schema.authorization()), Limits.defaults());

    @Test
    void aRoleBindingAsKubectlCreateSendsIt() {
        var wire = io.dbprovision.proto.k8s.wire.v1.RoleBinding.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName("dev").setNamespace("app"))
                .addSubjects(Subject.newBuilder()
                        .setKind("User")
                        .setApiGroup("rbac.authorization.k8s.io")
                        .setName("alice"))
                .setRoleRef(RoleRef.newBuilder()
                        .setApiGroup("rbac.authorization.k8s.io")
                        .setKind("Role")
                        .setName("database-developer"))
                .build();

        RoleBinding binding = codec.decodeProtobuf(body("", "RoleBinding", wire), RoleBinding.getDefaultInstance())
                .object();

        assertThat(binding.getApiVersion()).isEqualTo("rbac.authorization.k8s.io/v1");
        assertThat(binding.getMetadata().getName()).isEqualTo("dev");
        assertThat(binding.getSubjects(0).getName()).isEqualTo("alice");
        assertThat(binding.getRoleRef().getName()).isEqualTo("database-developer");
    }

    @Test
    void anAccessReviewAsKubectlAuthCanISendsIt() {
        var wire = io.dbprovision.proto.k8s.wire.v1.SelfSubjectAccessReview.newBuilder()
                .setSpec(SelfSubjectAccessReviewSpec.newBuilder()
                        .setResourceAttributes(ResourceAttributes.newBuilder()
                                .setNamespace("app")
                                .setVerb("create")
                                .setGroup("dbops.dbprovision.io")
                                .setResource("databases")))
                .build();

        SelfSubjectAccessReview review = codec.decodeProtobuf(
                        body("authorization.k8s.io/v1", "SelfSubjectAccessReview", wire),
                        SelfSubjectAccessReview.getDefaultInstance())
                .object();

        assertThat(review.getKind()).isEqualTo("SelfSubjectAccessReview");
        assertThat(review.getSpec().getResourceAttributes().getVerb()).isEqualTo("create");
        assertThat(review.getSpec().getResourceAttributes().getResource()).isEqualTo("databases");
        assertThat(review.getSpec().hasNonResourceAttributes()).isFalse();
    }

    private static byte[] body(String apiVersion, String kind, Message object) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'k', '8', 's', 0});
        out.writeBytes(Unknown.newBuilder()
                .setTypeMeta(TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(object.toByteString())
                .build()
                .toByteArray());
        return out.toByteArray();
    }
}
