package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.Team;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Maps a {@code LiteLLM_TeamTable} row ({@link TeamDao#COLUMNS}). Thread-safe (stateless). */
final class TeamRowMapper implements RowMapper<Team> {

    @Override
    public Team map(ResultSet rs, StatementContext ctx) throws SQLException {
        return Team.builder(rs.getString("team_id"))
                .teamAlias(rs.getString("team_alias"))
                .organizationId(rs.getString("organization_id"))
                .models(JsonText.toList(rs.getString("models")))
                .maxBudget(Rows.nullableDouble(rs, "max_budget"))
                .softBudget(Rows.nullableDouble(rs, "soft_budget"))
                .spend(rs.getDouble("spend"))
                .tpmLimit(Rows.nullableLong(rs, "tpm_limit"))
                .rpmLimit(Rows.nullableLong(rs, "rpm_limit"))
                .maxParallelRequests(Rows.nullableInt(rs, "max_parallel_requests"))
                .modelRpmLimit(JsonText.toLongMap(rs.getString("model_rpm_limit")))
                .modelTpmLimit(JsonText.toLongMap(rs.getString("model_tpm_limit")))
                .budgetDuration(rs.getString("budget_duration"))
                .budgetResetAt(Rows.instant(rs, "budget_reset_at"))
                .blocked(rs.getBoolean("blocked"))
                .teamMemberBudget(Rows.nullableDouble(rs, "team_member_budget"))
                .teamMemberBudgetDuration(rs.getString("team_member_budget_duration"))
                .teamMemberKeyDuration(rs.getString("team_member_key_duration"))
                .metadata(Rows.text(rs, "metadata", "{}"))
                .createdAt(Rows.requiredInstant(rs, "created_at"))
                .updatedAt(Rows.requiredInstant(rs, "updated_at"))
                .build();
    }
}
