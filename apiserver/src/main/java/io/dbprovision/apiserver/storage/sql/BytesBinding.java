package io.dbprovision.apiserver.storage.sql;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import org.jooq.Binding;
import org.jooq.BindingGetResultSetContext;
import org.jooq.BindingGetSQLInputContext;
import org.jooq.BindingGetStatementContext;
import org.jooq.BindingRegisterContext;
import org.jooq.BindingSQLContext;
import org.jooq.BindingSetSQLOutputContext;
import org.jooq.BindingSetStatementContext;
import org.jooq.Converter;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Binds the log's byte columns with {@code setBytes} and {@code getBytes}, what JDBC does for VARBINARY and bytea.
 * jOOQ's own binding of {@code byte[]} goes through a {@link java.sql.Blob} for H2: on every append H2 then wrote each
 * value into its LOB store as a temporary LOB (and removed it again at commit) before copying it into the VARBINARY
 * column, which was a fifth of the embedded store's commit. The stored bytes are the same either way.
 */
final class BytesBinding implements Binding<byte[], byte[]> {
    private static final Converter<byte[], byte[]> IDENTITY =
            Converter.of(byte[].class, byte[].class, bytes -> bytes, bytes -> bytes);

    @Override
    public Converter<byte[], byte[]> converter() {
        return IDENTITY;
    }

    @Override
    public void sql(BindingSQLContext<byte[]> ctx) throws SQLException {
        if (ctx.render().paramType() == ParamType.INLINED) {
            ctx.render().visit(DSL.inline(ctx.value(), SQLDataType.VARBINARY));
        } else {
            ctx.render().sql(ctx.variable());
        }
    }

    @Override
    public void register(BindingRegisterContext<byte[]> ctx) throws SQLException {
        ctx.statement().registerOutParameter(ctx.index(), Types.VARBINARY);
    }

    @Override
    public void set(BindingSetStatementContext<byte[]> ctx) throws SQLException {
        if (ctx.value() == null) {
            ctx.statement().setNull(ctx.index(), Types.VARBINARY);
        } else {
            ctx.statement().setBytes(ctx.index(), ctx.value());
        }
    }

    @Override
    public void set(BindingSetSQLOutputContext<byte[]> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("byte columns are not written as UDT attributes");
    }

    @Override
    public void get(BindingGetResultSetContext<byte[]> ctx) throws SQLException {
        ctx.value(ctx.resultSet().getBytes(ctx.index()));
    }

    @Override
    public void get(BindingGetStatementContext<byte[]> ctx) throws SQLException {
        ctx.value(ctx.statement().getBytes(ctx.index()));
    }

    @Override
    public void get(BindingGetSQLInputContext<byte[]> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("byte columns are not read as UDT attributes");
    }
}
