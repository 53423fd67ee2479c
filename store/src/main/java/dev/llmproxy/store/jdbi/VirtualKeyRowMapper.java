package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.VirtualKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Maps a {@code LiteLLM_VerificationToken} row ({@link KeyDao#COLUMNS}). Thread-safe (stateless). */
final class VirtualKeyRowMapper implements RowMapper<VirtualKey> {

    @Override
    public VirtualKey map(ResultSet rs, StatementContext ctx) throws SQLException {
        return VirtualKey.builder(rs.getString("token"))
                .keyName(rs.getString("key_name"))
                .keyAlias(rs.getString("key_alias"))
                .spend(rs.getDouble("spend"))
                .maxBudget(Rows.nullableDouble(rs, "max_budget"))
                .softBudget(Rows.nullableDouble(rs, "soft_budget"))
                .budgetDuration(rs.getString("budget_duration"))
                .budgetResetAt(Rows.instant(rs, "budget_reset_at"))
                .expires(Rows.instant(rs, "expires"))
                .models(JsonText.toList(rs.getString("models")))
                .aliases(Rows.text(rs, "aliases", "{}"))
                .userId(rs.getString("user_id"))
                .teamId(rs.getString("team_id"))
                .tpmLimit(Rows.nullableLong(rs, "tpm_limit"))
                .rpmLimit(Rows.nullableLong(rs, "rpm_limit"))
                .maxParallelRequests(Rows.nullableInt(rs, "max_parallel_requests"))
                .modelRpmLimit(JsonText.toLongMap(rs.getString("model_rpm_limit")))
                .modelTpmLimit(JsonText.toLongMap(rs.getString("model_tpm_limit")))
                .metadata(Rows.text(rs, "metadata", "{}"))
                .tags(JsonText.toList(rs.getString("tags")))
                .blocked(rs.getBoolean("blocked"))
                .createdAt(Rows.requiredInstant(rs, "created_at"))
                .updatedAt(Rows.requiredInstant(rs, "updated_at"))
                .createdBy(rs.getString("created_by"))
                .updatedBy(rs.getString("updated_by"))
                .build();
    }
}
