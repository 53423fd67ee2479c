package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.User;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Maps a {@code LiteLLM_UserTable} row ({@link UserDao#COLUMNS}). Thread-safe (stateless). */
final class UserRowMapper implements RowMapper<User> {

    @Override
    public User map(ResultSet rs, StatementContext ctx) throws SQLException {
        return User.builder(rs.getString("user_id"))
                .userAlias(rs.getString("user_alias"))
                .userEmail(rs.getString("user_email"))
                .userRole(rs.getString("user_role"))
                .maxBudget(Rows.nullableDouble(rs, "max_budget"))
                .spend(rs.getDouble("spend"))
                .models(JsonText.toList(rs.getString("models")))
                .tpmLimit(Rows.nullableLong(rs, "tpm_limit"))
                .rpmLimit(Rows.nullableLong(rs, "rpm_limit"))
                .maxParallelRequests(Rows.nullableInt(rs, "max_parallel_requests"))
                .budgetDuration(rs.getString("budget_duration"))
                .budgetResetAt(Rows.instant(rs, "budget_reset_at"))
                .metadata(Rows.text(rs, "metadata", "{}"))
                .createdAt(Rows.requiredInstant(rs, "created_at"))
                .updatedAt(Rows.requiredInstant(rs, "updated_at"))
                .build();
    }
}
