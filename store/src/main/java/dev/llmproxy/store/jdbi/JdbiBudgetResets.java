package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.BudgetDuration;
import dev.llmproxy.store.BudgetResetCounts;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The budget reset of keys, users, teams, end users and team members (spec section 3.6). An end user's reset is its
 * budget row's: when the row is due, every end user linked to it gets spend 0 (newer LiteLLM does the same). A team
 * member's period is kept on the membership (LiteLLM keeps it on the member's budget row, whose reset zeroes the
 * memberships linked to it); it resets as a key's does. Thread-safe: each run
 * uses its own handles.
 */
final class JdbiBudgetResets {
    private static final Logger logger = LoggerFactory.getLogger(JdbiBudgetResets.class);

    private final Jdbi jdbi;

    JdbiBudgetResets(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    BudgetResetCounts resetDue(Instant now, ZoneId zone) {
        requireNonNull(now, "now");
        requireNonNull(zone, "zone");
        try {
            int keys = reset(KeyDao.TABLE, "token", " AND (expires IS NULL OR expires > :now)", now, zone);
            int users = reset(UserDao.TABLE, "user_id", "", now, zone);
            int teams = reset(TeamDao.TABLE, "team_id", "", now, zone);
            return new BudgetResetCounts(keys, users, teams, resetEndUsers(now, zone), resetMembers(now, zone));
        } catch (RuntimeException e) {
            throw Failures.translate("budget reset", e);
        }
    }

    private int reset(String table, String idColumn, String extra, Instant now, ZoneId zone) {
        return jdbi.inTransaction(h -> {
            BudgetResetDao dao = h.attach(BudgetResetDao.class);
            List<DueBudget> due = dao.due(table, idColumn, extra, now);
            if (due.isEmpty()) {
                return 0;
            }
            List<String> ids = new ArrayList<>(due.size());
            List<@Nullable Instant> next = new ArrayList<>(due.size());
            for (DueBudget row : due) {
                ids.add(row.id());
                next.add(nextReset(row, now, zone));
            }
            int reset = 0;
            for (int count : dao.reset(table, idColumn, ids, next, now)) {
                reset += count;
            }
            return reset;
        });
    }

    private int resetEndUsers(Instant now, ZoneId zone) {
        return jdbi.inTransaction(h -> {
            List<DueBudget> due = h.attach(BudgetResetDao.class).due(EndUserDao.BUDGETS, "budget_id", "", now);
            int reset = 0;
            for (DueBudget budget : due) {
                // Guarded like the other resets: an instance that finds the row already moved resets nobody.
                int moved = h.createUpdate("UPDATE " + EndUserDao.BUDGETS + " SET budget_reset_at = :next, "
                                + "updated_at = :now WHERE budget_id = :id AND budget_reset_at < :now")
                        .bind("next", nextReset(budget, now, zone))
                        .bind("now", now)
                        .bind("id", budget.id())
                        .execute();
                if (moved > 0) {
                    reset += h.createUpdate("UPDATE " + EndUserDao.TABLE + " SET spend = 0, updated_at = :now "
                                    + "WHERE budget_id = :id")
                            .bind("now", now)
                            .bind("id", budget.id())
                            .execute();
                }
            }
            return reset;
        });
    }

    /**
     * Resets the team members whose budget period ended, and moves their teams' {@code updated_at} so that other
     * instances re-read the teams with their members at their next refresh.
     */
    private int resetMembers(Instant now, ZoneId zone) {
        return jdbi.inTransaction(h -> {
            List<String[]> due = h.createQuery("SELECT team_id, user_id, budget_duration FROM " + TeamDao.MEMBERS
                            + " WHERE budget_reset_at < :now ORDER BY team_id, user_id")
                    .bind("now", now)
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                    .list();
            int reset = 0;
            Set<String> teams = new TreeSet<>();
            for (String[] member : due) {
                DueBudget budget = new DueBudget(member[1] + " in team " + member[0], member[2]);
                // Guarded like the other resets: a member another instance reset already is skipped.
                int moved = h.createUpdate("UPDATE " + TeamDao.MEMBERS + " SET spend = 0, budget_reset_at = :next "
                                + "WHERE team_id = :team AND user_id = :user AND budget_reset_at < :now")
                        .bind("next", nextReset(budget, now, zone))
                        .bind("now", now)
                        .bind("team", member[0])
                        .bind("user", member[1])
                        .execute();
                if (moved > 0) {
                    reset += moved;
                    teams.add(member[0]);
                }
            }
            TeamDao dao = h.attach(TeamDao.class);
            teams.forEach(team -> dao.touch(team, now));
            return reset;
        });
    }

    /** The next reset; null (no more resets) when the duration was removed. */
    private static @Nullable Instant nextReset(DueBudget row, Instant now, ZoneId zone) {
        Optional<BudgetDuration> duration;
        try {
            duration = BudgetDuration.parse(row.budgetDuration());
            if (duration.isPresent()) {
                return duration.get().nextReset(now, zone);
            }
            return null;
        } catch (IllegalArgumentException e) {
            // LiteLLM's standardizer falls back to the next midnight for a duration it cannot read.
            logger.warn("Budget of {} has an unreadable budget_duration; resetting at the next midnight", row.id());
            return now.atZone(zone).truncatedTo(ChronoUnit.DAYS).plusDays(1).toInstant();
        }
    }
}
