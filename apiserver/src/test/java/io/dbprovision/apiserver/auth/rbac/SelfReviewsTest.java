package io.dbprovision.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.api.field.InvalidObjectException;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.proto.k8s.authorization.v1.SelfSubjectAccessReview;
import io.dbprovision.proto.k8s.authorization.v1.SelfSubjectRulesReview;
import io.dbprovision.proto.k8s.authorization.v1.SubjectRulesReviewStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code kubectl auth can-i} and {@code --list}: the reviews as kubectl sends them, the answers as it reads them. */
class SelfReviewsTest {
    private final RbacAuthorizer rbac = new RbacAuthorizer(AuthorizationMatrixTest.matrixPolicy());
    // RBAC alone: AuthorizerChain turns "no opinion from anyone" into an explicit deny, which a review reports as
    // denied: true; Kubernetes' union authorizer keeps it "no opinion" (allowed: false only).
    private final SelfReviews reviews = new SelfReviews(rbac, rbac);
    private final UserInfo alice = RbacFixtures.user("alice");

    private SelfSubjectAccessReview accessReview(String json) {
        return RbacFixtures.CODEC
                .decodeJson(json.getBytes(StandardCharsets.UTF_8), SelfSubjectAccessReview.getDefaultInstance())
                .object();
    }

    private static String json(com.google.protobuf.Message message) {
        return new String(RbacFixtures.CODEC.encodeJson(message), StandardCharsets.UTF_8);
    }

    @Test
    void canIAnswersYesWithTheBindingThatAllows() {
        SelfSubjectAccessReview answer = reviews.accessReview(alice, accessReview("""
                {"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{},
                 "spec":{"resourceAttributes":{"namespace":"app-namespace","verb":"create",
                 "group":"dbops.dbprovision.io","resource":"databases"}}}"""));
        assertThat(json(answer.getStatus()))
                .isEqualTo("{\"allowed\":true,\"reason\":\"RBAC: allowed by RoleBinding"
                        + " \\\"alice-developer/app-namespace\\\" of Role \\\"database-developer\\\" to User"
                        + " \\\"alice\\\"\"}");
        assertThat(answer.getSpec().getResourceAttributes().getResource()).isEqualTo("databases");
    }

    @Test
    void canIAnswersNoWithAllowedFalseWritten() {
        SelfSubjectAccessReview answer = reviews.accessReview(alice, accessReview("""
                {"spec":{"resourceAttributes":{"namespace":"app-namespace","verb":"get","resource":"secrets",
                 "name":"postgres-admin"}}}"""));
        assertThat(json(answer.getStatus())).isEqualTo("{\"allowed\":false}");
    }

    @Test
    void subresourcesAndNonResourcePathsAreReviewedToo() {
        assertThat(reviews.accessReview(alice, accessReview("""
                                {"spec":{"resourceAttributes":{"namespace":"app-namespace","verb":"update",
                                 "group":"dbops.dbprovision.io","resource":"databases","subresource":"status"}}}""")).getStatus().getAllowed())
                .isFalse();
        assertThat(reviews.accessReview(alice, accessReview("""
                                {"spec":{"nonResourceAttributes":{"path":"/version","verb":"get"}}}""")).getStatus().getAllowed())
                .isTrue();
    }

    @Test
    void aReviewMustAskExactlyOneThing() {
        assertThatThrownBy(() -> reviews.accessReview(alice, accessReview("{\"spec\":{}}")))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("spec.resourceAttributes: Required value: exactly one of nonResourceAttributes"
                        + " or resourceAttributes must be specified");
        assertThatThrownBy(() -> reviews.accessReview(alice, accessReview("""
                        {"spec":{"resourceAttributes":{"verb":"get"},"nonResourceAttributes":{"path":"/","verb":"get"}}}""")))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("cannot be specified in combination with resourceAttributes");
    }

    @Test
    void listingGivesTheNamespacesRulesAndTheClusterWideOnes() {
        SelfSubjectRulesReview answer = reviews.rulesReview(
                alice,
                RbacFixtures.CODEC
                        .decodeJson(
                                "{\"spec\":{\"namespace\":\"app-namespace\"}}".getBytes(StandardCharsets.UTF_8),
                                SelfSubjectRulesReview.getDefaultInstance())
                        .object());
        SubjectRulesReviewStatus status = answer.getStatus();
        assertThat(status.getIncomplete()).isFalse();
        assertThat(json(status)).contains("\"incomplete\":false");
        assertThat(status.getResourceRulesList())
                .anySatisfy(rule -> {
                    assertThat(rule.getResourcesList()).containsExactly("databases", "databaseusers", "databasegrants");
                    assertThat(rule.getVerbsList()).contains("create");
                })
                .anySatisfy(rule -> {
                    assertThat(rule.getResourcesList()).containsExactly("secrets");
                    assertThat(rule.getResourceNamesList()).containsExactly("*-credentials");
                })
                .anySatisfy(rule -> assertThat(rule.getResourcesList()).contains("selfsubjectaccessreviews"));
        assertThat(status.getNonResourceRulesList())
                .anySatisfy(rule -> assertThat(rule.getNonResourceUrlsList()).contains("/apis/*"));
        assertThat(json(status)).contains("\"nonResourceURLs\":[");

        SelfSubjectRulesReview elsewhere = reviews.rulesReview(
                alice,
                SelfSubjectRulesReview.newBuilder()
                        .setSpec(answer.getSpec().toBuilder().setNamespace("database"))
                        .build());
        assertThat(elsewhere.getStatus().getResourceRulesList())
                .noneSatisfy(rule -> assertThat(rule.getResourcesList()).contains("databases"));
    }

    @Test
    void listingWithoutANamespaceIsRefused() {
        assertThatThrownBy(() -> reviews.rulesReview(alice, SelfSubjectRulesReview.getDefaultInstance()))
                .isInstanceOf(SelfReviews.NoNamespaceException.class)
                .hasMessage("no namespace on request");
    }
}
