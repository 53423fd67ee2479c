package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.TeamMembership;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Maps a {@code LiteLLM_TeamMembership} row. Thread-safe (stateless). */
final class TeamMembershipRowMapper implements RowMapper<TeamMembership> {

    @Override
    public TeamMembership map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new TeamMembership(
                rs.getString("team_id"),
                rs.getString("user_id"),
                rs.getString("role"),
                rs.getDouble("spend"),
                Rows.nullableDouble(rs, "max_budget"),
                Rows.requiredInstant(rs, "created_at"),
                rs.getString("budget_duration"),
                Rows.instant(rs, "budget_reset_at"));
    }
}
