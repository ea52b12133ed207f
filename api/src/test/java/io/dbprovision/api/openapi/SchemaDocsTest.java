package io.dbprovision.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.api.schema.SchemaDocs;
import io.dbprovision.proto.v1alpha1.ConnectionConfig;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceList;
import io.dbprovision.proto.v1alpha1.SSLMode;
import org.junit.jupiter.api.Test;

/** The proto comments come from the descriptor set the proto build writes, since generated code has none. */
class SchemaDocsTest {
    private final SchemaDocs docs = SchemaDocs.get();

    @Test
    void messagesFieldsEnumsAndEnumValuesHaveTheirLeadingComments() {
        assertThat(docs.of(DatabaseInstance.getDescriptor()))
                .contains("A database server in one namespace, and how to reach it as an administrator.");
        assertThat(docs.of(ConnectionConfig.getDescriptor().findFieldByName("host")))
                .contains("Host name or IP address of the server.");
        assertThat(docs.of(SSLMode.getDescriptor())).contains("TLS modes, in libpq's spelling.");
        assertThat(docs.of(SSLMode.SSL_MODE_VERIFY_FULL.getValueDescriptor()))
                .contains("TLS, server certificate verified against the CA and the host name.");
    }

    @Test
    void commentLinesAreTrimmedAndJoinedIntoOneParagraph() {
        assertThat(docs.of(ConnectionConfig.getDescriptor().findFieldByName("database")))
                .contains("Database the administrator connects to. Default per engine: postgres for postgres, "
                        + "defaultdb for cockroachdb, mysql for mysql and mariadb, default for clickhouse.");
    }

    @Test
    void uncommentedElementsHaveNoComment() {
        assertThat(docs.of(DatabaseInstanceList.getDescriptor().findFieldByName("api_version")))
                .isEmpty();
        assertThat(docs.of(SSLMode.SSL_MODE_UNSPECIFIED.getValueDescriptor())).isEmpty();
    }
}
