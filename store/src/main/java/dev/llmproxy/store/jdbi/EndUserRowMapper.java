package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.Budget;
import dev.llmproxy.store.EndUser;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Maps an end-user row joined to its budget ({@link EndUserDao#SELECT}, budget columns prefixed {@code b_}), and a
 * budget row on its own ({@link #budget} with no prefix). Thread-safe (stateless).
 */
final class EndUserRowMapper implements RowMapper<EndUser> {

    @Override
    public EndUser map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new EndUser(
                rs.getString("user_id"),
                rs.getString("alias"),
                rs.getDouble("spend"),
                rs.getString("allowed_model_region"),
                rs.getString("default_model"),
                rs.getString("budget_id"),
                rs.getBoolean("blocked"),
                Rows.text(rs, "metadata", "{}"),
                Rows.requiredInstant(rs, "updated_at"),
                rs.getString("b_budget_id") == null ? null : budget(rs, "b_"));
    }

    /** The budget whose columns carry {@code prefix}. */
    static Budget budget(ResultSet rs, String prefix) throws SQLException {
        return new Budget(
                rs.getString(prefix + "budget_id"),
                Rows.nullableDouble(rs, prefix + "max_budget"),
                Rows.nullableDouble(rs, prefix + "soft_budget"),
                Rows.nullableInt(rs, prefix + "max_parallel_requests"),
                Rows.nullableLong(rs, prefix + "tpm_limit"),
                Rows.nullableLong(rs, prefix + "rpm_limit"),
                rs.getString(prefix + "budget_duration"),
                Rows.instant(rs, prefix + "budget_reset_at"),
                Rows.requiredInstant(rs, prefix + "created_at"),
                Rows.text(rs, prefix + "created_by", ""),
                Rows.requiredInstant(rs, prefix + "updated_at"),
                Rows.text(rs, prefix + "updated_by", ""));
    }
}
