package dev.llmproxy.store.jdbi;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jspecify.annotations.Nullable;

/**
 * SQL of the budget reset: the rows due, and their reset guarded by the due condition so that two instances running
 * the job at once reset each row once. {@code <table>} and {@code <id>} come from {@link JdbiBudgetResets}, never from
 * input.
 */
interface BudgetResetDao {

    @SqlQuery("SELECT <id> AS id, budget_duration FROM <table> WHERE budget_reset_at < :now <extra> ORDER BY <id>")
    List<DueBudget> due(
            @Define("table") String table,
            @Define("id") String idColumn,
            @Define("extra") String extraCondition,
            @Bind("now") Instant now);

    @SqlBatch("UPDATE <table> SET spend = 0, budget_reset_at = :next, updated_at = :now "
            + "WHERE <id> = :id AND budget_reset_at < :now")
    int[] reset(
            @Define("table") String table,
            @Define("id") String idColumn,
            @Bind("id") List<String> ids,
            @Bind("next") List<@Nullable Instant> nextResets,
            @Bind("now") Instant now);
}
