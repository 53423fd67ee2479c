package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.DatabaseUrl;
import dev.llmproxy.store.LiteLlmImportReport;
import dev.llmproxy.store.StoreException;
import dev.llmproxy.store.TeamMembership;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * Reads LiteLLM's tables (Prisma names, TEXT[] and JSONB columns) from its PostgreSQL database and writes llmproxy's
 * (store/README.md, "Schema mapping"). The conversions that need JSON are done by PostgreSQL on the source side
 * (to_json(models), metadata->'tags', metadata minus the keys llmproxy keeps in columns), so this class moves text.
 *
 * Versions: LiteLLM's schema grows; information_schema.columns says which optional columns the source has, and a
 * missing one reads as NULL. The required ones (a table's id, spend, models, metadata) fail the import with a message
 * naming them.
 *
 * Idempotency: each row is written with "UPDATE ... WHERE id; INSERT if no row was updated", with every value taken
 * from the source (timestamps the source lacks keep the target's, or the import's time on insert). Running the import
 * again writes the same values. Spend is LiteLLM's at the time of the import: calls served by llmproxy between two
 * imports are overwritten by the second one, which is what switching over wants (import, then move traffic).
 *
 * Each table is written in one transaction, in the order the foreign keys need: users, teams, memberships, keys, end
 * users (with the budget rows they link to).
 */

/**
 * Copies keys, users, teams, memberships, end users and budgets from a LiteLLM database. Not thread-safe: one run per instance.
 */
final class LiteLlmImporter {
    private static final String UI_SESSION_TEAM = "litellm-dashboard";

    private final Jdbi target;
    private final Clock clock;
    private final List<String> skipped = new ArrayList<>();
    private final List<String> notCopied = new ArrayList<>();
    private final Set<String> budgetsUsed = new HashSet<>();
    private Map<String, Set<String>> columns = Map.of();

    LiteLlmImporter(Jdbi target, Clock clock) {
        this.target = requireNonNull(target, "target");
        this.clock = requireNonNull(clock, "clock");
    }

    LiteLlmImportReport run(DatabaseUrl source) {
        requireNonNull(source, "source");
        if (!source.isPostgres()) {
            throw new StoreException("LiteLLM's database is PostgreSQL; got " + source);
        }
        // A URL without a user or password (trust or peer authentication) leaves them to the driver.
        Properties credentials = new Properties();
        String user = source.user();
        String password = source.password();
        if (user != null) {
            credentials.setProperty("user", user);
        }
        if (password != null) {
            credentials.setProperty("password", password);
        }
        Jdbi from = Jdbi.create(source.jdbcUrl(), credentials);
        try (Handle h = from.open()) {
            h.getConnection().setReadOnly(true);
            columns = probe(h);
            require("LiteLLM_VerificationToken", "token", "spend", "models", "metadata", "user_id", "team_id");
            require("LiteLLM_UserTable", "user_id", "spend", "models", "metadata");
            require("LiteLLM_TeamTable", "team_id", "spend", "models", "metadata", "members_with_roles");
            int users = copyUsers(h);
            int teams = copyTeams(h);
            int memberships = copyMemberships(h);
            int keys = copyKeys(h);
            int endUsers = copyEndUsers(h);
            reportUnlinkedBudgets(h);
            return new LiteLlmImportReport(keys, users, teams, memberships, endUsers, budgetsUsed.size(), skipped,
                    notCopied);
        } catch (SQLException e) {
            throw new StoreException("cannot read LiteLLM's database " + source, e);
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Failures.translate("import from LiteLLM", e);
        }
    }

    private static Map<String, Set<String>> probe(Handle h) {
        Map<String, Set<String>> found = new HashMap<>();
        h.createQuery("SELECT table_name, column_name FROM information_schema.columns "
                        + "WHERE table_schema = current_schema() AND table_name LIKE 'LiteLLM\\_%'")
                .map((rs, ctx) -> found.computeIfAbsent(rs.getString(1), t -> new HashSet<>()).add(rs.getString(2)))
                .list();
        if (!found.containsKey("LiteLLM_VerificationToken")) {
            throw new StoreException("no LiteLLM tables in the source database's current schema (expected "
                    + "\"LiteLLM_VerificationToken\" and the others LiteLLM's migrations create)");
        }
        return found;
    }

    private void require(String table, String... names) {
        Set<String> have = columns.getOrDefault(table, Set.of());
        for (String name : names) {
            if (!have.contains(name)) {
                throw new StoreException("LiteLLM's table \"" + table + "\" has no column " + name
                        + "; this LiteLLM version's schema is not supported");
            }
        }
    }

    /** {@code alias.column} when the source has it, else {@code NULL}. */
    private String col(String table, String alias, String column) {
        return columns.getOrDefault(table, Set.of()).contains(column) ? alias + ".\"" + column + "\"" : "NULL";
    }

    private boolean hasBudgets(String table) {
        return columns.containsKey("LiteLLM_BudgetTable")
                && columns.getOrDefault(table, Set.of()).contains("budget_id");
    }

    private int copyUsers(Handle source) {
        String t = "LiteLLM_UserTable";
        String sql = "SELECT u.user_id, " + col(t, "u", "user_alias") + " AS user_alias, "
                + col(t, "u", "user_email") + " AS user_email, " + col(t, "u", "user_role") + " AS user_role, "
                + col(t, "u", "max_budget") + " AS max_budget, u.spend, "
                + "to_json(COALESCE(u.models, ARRAY[]::text[]))::text AS models, "
                + col(t, "u", "tpm_limit") + " AS tpm_limit, " + col(t, "u", "rpm_limit") + " AS rpm_limit, "
                + col(t, "u", "max_parallel_requests") + " AS max_parallel_requests, "
                + col(t, "u", "budget_duration") + " AS budget_duration, "
                + col(t, "u", "budget_reset_at") + " AS budget_reset_at, "
                + "COALESCE(u.metadata, '{}'::jsonb)::text AS metadata, "
                + col(t, "u", "organization_id") + " AS organization_id, "
                + col(t, "u", "created_at") + " AS created_at, " + col(t, "u", "updated_at") + " AS updated_at "
                + "FROM \"LiteLLM_UserTable\" u ORDER BY u.user_id";
        List<Row> rows = source.createQuery(sql).map((rs, ctx) -> Row.of(rs)).list();
        Instant now = clock.instant();
        return inTarget("users", h -> {
            int withOrganization = 0;
            for (Row r : rows) {
                if (r.text("organization_id") != null) {
                    withOrganization++;
                }
                String id = requireNonNull(r.text("user_id"), "user_id");
                upsert(h, "\"LiteLLM_UserTable\"", "user_id", id, r, now, List.of(
                        "user_alias", "user_email", "user_role", "max_budget", "spend", "models", "tpm_limit",
                        "rpm_limit", "max_parallel_requests", "budget_duration", "budget_reset_at", "metadata"));
            }
            if (withOrganization > 0) {
                notCopied.add(withOrganization + " user(s): organization_id (llmproxy has no organizations)");
            }
            return rows.size();
        });
    }

    private int copyTeams(Handle source) {
        String t = "LiteLLM_TeamTable";
        String sql = "SELECT t.team_id, " + col(t, "t", "team_alias") + " AS team_alias, "
                + col(t, "t", "organization_id") + " AS organization_id, "
                + "to_json(COALESCE(t.models, ARRAY[]::text[]))::text AS models, "
                + col(t, "t", "max_budget") + " AS max_budget, " + col(t, "t", "soft_budget") + " AS soft_budget, "
                + "t.spend, " + col(t, "t", "tpm_limit") + " AS tpm_limit, " + col(t, "t", "rpm_limit")
                + " AS rpm_limit, " + col(t, "t", "max_parallel_requests") + " AS max_parallel_requests, "
                + jsonField("t", "model_rpm_limit", "{}") + " AS model_rpm_limit, "
                + jsonField("t", "model_tpm_limit", "{}") + " AS model_tpm_limit, "
                + col(t, "t", "budget_duration") + " AS budget_duration, "
                + col(t, "t", "budget_reset_at") + " AS budget_reset_at, "
                + "COALESCE(" + col(t, "t", "blocked") + ", false) AS blocked, "
                + metadataWithout("t", "'model_rpm_limit' - 'model_tpm_limit'") + " AS metadata, "
                + col(t, "t", "created_at") + " AS created_at, " + col(t, "t", "updated_at") + " AS updated_at "
                + "FROM \"LiteLLM_TeamTable\" t ORDER BY t.team_id";
        List<Row> rows = source.createQuery(sql).map((rs, ctx) -> Row.of(rs)).list();
        Instant now = clock.instant();
        return inTarget("teams", h -> {
            for (Row r : rows) {
                String id = "team " + r.text("team_id");
                r.put("model_rpm_limit", longMap(id, "metadata.model_rpm_limit", r.text("model_rpm_limit")));
                r.put("model_tpm_limit", longMap(id, "metadata.model_tpm_limit", r.text("model_tpm_limit")));
                upsert(h, "\"LiteLLM_TeamTable\"", "team_id", requireNonNull(r.text("team_id"), "team_id"), r, now,
                        List.of(
                        "team_alias", "organization_id", "models", "max_budget", "soft_budget", "spend", "tpm_limit",
                        "rpm_limit", "max_parallel_requests", "model_rpm_limit", "model_tpm_limit", "budget_duration",
                        "budget_reset_at", "blocked", "metadata"));
            }
            return rows.size();
        });
    }

    private int copyMemberships(Handle source) {
        Map<String, Row> members = new LinkedHashMap<>();
        source.createQuery("SELECT t.team_id, m->>'user_id' AS user_id, m->>'user_email' AS user_email, "
                        + "m->>'role' AS role FROM \"LiteLLM_TeamTable\" t CROSS JOIN LATERAL jsonb_array_elements("
                        + "CASE WHEN jsonb_typeof(t.members_with_roles) = 'array' THEN t.members_with_roles "
                        + "ELSE '[]'::jsonb END) m ORDER BY t.team_id")
                .map((rs, ctx) -> Row.of(rs)).list()
                .forEach(r -> {
                    String user = r.text("user_id");
                    if (user == null) {
                        skipped.add("member " + r.text("user_email") + " of team " + r.text("team_id")
                                + ": no user_id (an invited e-mail address without a user)");
                        return;
                    }
                    members.put(r.text("team_id") + "\u0000" + user, r);
                });
        if (columns.containsKey("LiteLLM_TeamMembership")) {
            boolean budgets = hasBudgets("LiteLLM_TeamMembership");
            String sql = "SELECT tm.team_id, tm.user_id, tm.spend, "
                    + (budgets ? "tm.budget_id, b.max_budget, b.budget_duration, b.budget_reset_at"
                            : "NULL AS budget_id, NULL AS max_budget, NULL AS budget_duration, "
                                    + "NULL AS budget_reset_at")
                    + " FROM \"LiteLLM_TeamMembership\" tm"
                    + (budgets ? " LEFT JOIN \"LiteLLM_BudgetTable\" b ON b.budget_id = tm.budget_id" : "");
            source.createQuery(sql).map((rs, ctx) -> Row.of(rs)).list().forEach(r -> {
                Row member = members.computeIfAbsent(r.text("team_id") + "\u0000" + r.text("user_id"), k -> r);
                member.put("spend", r.value("spend"));
                member.put("max_budget", r.value("max_budget"));
                member.put("budget_duration", r.value("budget_duration"));
                member.put("budget_reset_at", r.value("budget_reset_at"));
                if (r.text("budget_id") != null && r.value("max_budget") != null) {
                    budgetsUsed.add(r.text("budget_id"));
                }
            });
        }
        Instant now = clock.instant();
        return inTarget("team memberships", h -> {
            Set<String> users = new HashSet<>(h.createQuery("SELECT user_id FROM \"LiteLLM_UserTable\"")
                    .mapTo(String.class).list());
            Set<String> teams = new HashSet<>(h.createQuery("SELECT team_id FROM \"LiteLLM_TeamTable\"")
                    .mapTo(String.class).list());
            int copied = 0;
            for (Row r : members.values()) {
                String user = r.text("user_id");
                String team = r.text("team_id");
                if (!users.contains(user) || !teams.contains(team)) {
                    skipped.add("member " + user + " of team " + team + ": "
                            + (users.contains(user) ? "no such team" : "no such user in LiteLLM_UserTable"));
                    continue;
                }
                String role = TeamMembership.ADMIN.equals(r.text("role")) ? TeamMembership.ADMIN : TeamMembership.USER;
                Object spend = r.value("spend");
                int updated = h.createUpdate("UPDATE \"LiteLLM_TeamMembership\" SET role = :role, spend = :spend, "
                                + "max_budget = :max, budget_duration = :duration, budget_reset_at = :reset "
                                + "WHERE team_id = :team AND user_id = :user")
                        .bind("role", role).bind("spend", spend == null ? 0.0 : ((Number) spend).doubleValue())
                        .bind("max", (Double) number(r.value("max_budget")))
                        .bind("duration", r.text("budget_duration"))
                        .bindByType("reset", r.instant("budget_reset_at"), Instant.class)
                        .bind("team", team).bind("user", user).execute();
                if (updated == 0) {
                    h.createUpdate("INSERT INTO \"LiteLLM_TeamMembership\" (user_id, team_id, role, spend, max_budget, "
                                    + "budget_duration, budget_reset_at, created_at) "
                                    + "VALUES (:user, :team, :role, :spend, :max, :duration, :reset, :now)")
                            .bind("role", role).bind("spend", spend == null ? 0.0 : ((Number) spend).doubleValue())
                            .bind("max", (Double) number(r.value("max_budget")))
                            .bind("duration", r.text("budget_duration"))
                            .bindByType("reset", r.instant("budget_reset_at"), Instant.class)
                            .bind("team", team).bind("user", user).bind("now", now).execute();
                }
                copied++;
            }
            return copied;
        });
    }

    private int copyKeys(Handle source) {
        String t = "LiteLLM_VerificationToken";
        boolean budgets = hasBudgets(t);
        String sql = "SELECT k.token, " + col(t, "k", "key_name") + " AS key_name, " + col(t, "k", "key_alias")
                + " AS key_alias, k.spend, " + fromBudget(budgets, "max_budget") + " AS max_budget, "
                + (budgets ? "b.soft_budget" : "NULL") + " AS soft_budget, "
                + (budgets ? "k.budget_id" : "NULL") + " AS budget_id, "
                + col(t, "k", "budget_duration") + " AS budget_duration, "
                + col(t, "k", "budget_reset_at") + " AS budget_reset_at, " + col(t, "k", "expires") + " AS expires, "
                + "to_json(COALESCE(k.models, ARRAY[]::text[]))::text AS models, "
                + (columns.getOrDefault(t, Set.of()).contains("aliases")
                        ? "COALESCE(k.aliases, '{}'::jsonb)::text" : "'{}'")
                + " AS aliases, k.user_id, k.team_id, " + fromBudget(budgets, "tpm_limit") + " AS tpm_limit, "
                + fromBudget(budgets, "rpm_limit") + " AS rpm_limit, "
                + fromBudget(budgets, "max_parallel_requests") + " AS max_parallel_requests, "
                + jsonField("k", "model_rpm_limit", "{}") + " AS model_rpm_limit, "
                + jsonField("k", "model_tpm_limit", "{}") + " AS model_tpm_limit, "
                + jsonField("k", "tags", "[]") + " AS tags, "
                + metadataWithout("k", "'model_rpm_limit' - 'model_tpm_limit' - 'tags'") + " AS metadata, "
                + "COALESCE(" + col(t, "k", "blocked") + ", false) AS blocked, "
                + col(t, "k", "organization_id") + " AS organization_id, "
                + nonEmptyJson(t, "model_max_budget") + " AS model_max_budget, "
                + nonEmptyArray(t, "allowed_routes") + " AS allowed_routes, "
                + col(t, "k", "created_at") + " AS created_at, " + col(t, "k", "updated_at") + " AS updated_at, "
                + col(t, "k", "created_by") + " AS created_by, " + col(t, "k", "updated_by") + " AS updated_by "
                + "FROM \"LiteLLM_VerificationToken\" k"
                + (budgets ? " LEFT JOIN \"LiteLLM_BudgetTable\" b ON b.budget_id = k.budget_id" : "")
                + " ORDER BY k.token";
        List<Row> rows = source.createQuery(sql).map((rs, ctx) -> Row.of(rs)).list();
        Instant now = clock.instant();
        int[] dropped = new int[3];
        return inTarget("keys", h -> {
            int copied = 0;
            for (Row r : rows) {
                String token = requireNonNull(r.text("token"), "token");
                String name = "key " + (r.text("key_alias") != null ? r.text("key_alias") + " " : "")
                        + (r.text("key_name") != null ? r.text("key_name")
                                : "token " + token.substring(0, Math.min(12, token.length())) + "...");
                if (UI_SESSION_TEAM.equals(r.text("team_id"))) {
                    skipped.add(name + ": an admin UI session key (team litellm-dashboard); log in again");
                    continue;
                }
                if (!token.matches("[0-9a-f]{64}")) {
                    skipped.add(name + ": its token is not a SHA-256 hash, so it cannot be checked");
                    continue;
                }
                if (r.text("budget_id") != null) {
                    budgetsUsed.add(r.text("budget_id"));
                }
                dropped[0] += r.text("organization_id") != null ? 1 : 0;
                dropped[1] += Boolean.TRUE.equals(r.value("model_max_budget")) ? 1 : 0;
                dropped[2] += Boolean.TRUE.equals(r.value("allowed_routes")) ? 1 : 0;
                r.put("model_rpm_limit", longMap(name, "metadata.model_rpm_limit", r.text("model_rpm_limit")));
                r.put("model_tpm_limit", longMap(name, "metadata.model_tpm_limit", r.text("model_tpm_limit")));
                r.put("tags", tags(name, r.text("tags")));
                upsert(h, "\"LiteLLM_VerificationToken\"", "token", token, r, now, List.of(
                        "key_name", "key_alias", "spend", "max_budget", "soft_budget", "budget_duration",
                        "budget_reset_at", "expires", "models", "aliases", "user_id", "team_id", "tpm_limit",
                        "rpm_limit", "max_parallel_requests", "model_rpm_limit", "model_tpm_limit", "metadata", "tags",
                        "blocked", "created_by", "updated_by"));
                copied++;
            }
            note(dropped[0], "organization_id (llmproxy has no organizations)");
            note(dropped[1], "model_max_budget (per-model budgets are not enforced by llmproxy)");
            note(dropped[2], "allowed_routes (llmproxy's keys may call the LLM routes; management needs an admin)");
            return copied;
        });
    }

    /**
     * Copies the end users and the budget rows they link to (llmproxy keeps end users' budgets as rows of its own
     * {@code LiteLLM_BudgetTable}, as LiteLLM does). LiteLLM's end-user table has no {@code updated_at}: an inserted
     * row gets the import's time, an updated one keeps its own, so that a second run writes the same values.
     */
    private int copyEndUsers(Handle source) {
        String t = "LiteLLM_EndUserTable";
        if (!columns.containsKey(t)) {
            return 0;
        }
        require(t, "user_id", "spend");
        boolean budgets = hasBudgets(t);
        List<Row> budgetRows = !budgets ? List.of() : source.createQuery("SELECT b.budget_id, b.max_budget, "
                        + "b.soft_budget, b.max_parallel_requests, b.tpm_limit, b.rpm_limit, "
                        + "COALESCE(b.model_max_budget, '{}'::jsonb)::text AS model_max_budget, b.budget_duration, "
                        + "b.budget_reset_at, b.created_at, b.created_by, b.updated_at, b.updated_by "
                        + "FROM \"LiteLLM_BudgetTable\" b WHERE b.budget_id IN "
                        + "(SELECT e.budget_id FROM \"LiteLLM_EndUserTable\" e) ORDER BY b.budget_id")
                .map((rs, ctx) -> Row.of(rs)).list();
        String sql = "SELECT e.user_id, " + col(t, "e", "alias") + " AS alias, e.spend, "
                + col(t, "e", "allowed_model_region") + "::text AS allowed_model_region, "
                + col(t, "e", "default_model") + " AS default_model, "
                + (budgets ? "e.budget_id" : "NULL") + " AS budget_id, "
                + "COALESCE(" + col(t, "e", "blocked") + ", false) AS blocked "
                + "FROM \"LiteLLM_EndUserTable\" e ORDER BY e.user_id";
        List<Row> rows = source.createQuery(sql).map((rs, ctx) -> Row.of(rs)).list();
        Instant now = clock.instant();
        return inTarget("end users", h -> {
            for (Row b : budgetRows) {
                upsert(h, "\"LiteLLM_BudgetTable\"", "budget_id", requireNonNull(b.text("budget_id"), "budget_id"),
                        b, now, List.of("max_budget", "soft_budget", "max_parallel_requests", "tpm_limit",
                                "rpm_limit", "model_max_budget", "budget_duration", "budget_reset_at", "created_by",
                                "updated_by"));
                budgetsUsed.add(b.text("budget_id"));
            }
            for (Row r : rows) {
                Update update = h.createUpdate("UPDATE \"LiteLLM_EndUserTable\" SET alias = :alias, spend = :spend, "
                        + "allowed_model_region = :allowed_model_region, default_model = :default_model, "
                        + "budget_id = :budget_id, blocked = :blocked WHERE user_id = :id");
                if (bindEndUser(update, r).execute() == 0) {
                    bindEndUser(h.createUpdate("INSERT INTO \"LiteLLM_EndUserTable\" (user_id, alias, spend, "
                                    + "allowed_model_region, default_model, budget_id, blocked, updated_at) VALUES "
                                    + "(:id, :alias, :spend, :allowed_model_region, :default_model, :budget_id, "
                                    + ":blocked, :now)"), r)
                            .bind("now", now)
                            .execute();
                }
            }
            return rows.size();
        });
    }

    private static Update bindEndUser(Update update, Row r) {
        Object spend = r.value("spend");
        return update.bind("id", r.text("user_id"))
                .bind("alias", r.text("alias"))
                .bind("spend", spend == null ? 0.0 : ((Number) spend).doubleValue())
                .bind("allowed_model_region", r.text("allowed_model_region"))
                .bind("default_model", r.text("default_model"))
                .bind("budget_id", r.text("budget_id"))
                .bind("blocked", Boolean.TRUE.equals(r.value("blocked")));
    }

    private void reportUnlinkedBudgets(Handle source) {
        if (!columns.containsKey("LiteLLM_BudgetTable")) {
            return;
        }
        List<String> all = source.createQuery("SELECT budget_id FROM \"LiteLLM_BudgetTable\"")
                .mapTo(String.class).list();
        long unlinked = all.stream().filter(id -> !budgetsUsed.contains(id)).count();
        if (unlinked > 0) {
            notCopied.add(unlinked + " budget(s) of LiteLLM_BudgetTable linked to no copied key, team member or "
                    + "end user (organizations, tags, or keys whose budget row sets none of max_budget, "
                    + "soft_budget and limits) were not copied");
        }
    }

    private void note(int count, String what) {
        if (count > 0) {
            notCopied.add(count + " key(s): " + what);
        }
    }

    private String fromBudget(boolean budgets, String column) {
        String key = col("LiteLLM_VerificationToken", "k", column);
        return budgets ? "COALESCE(" + key + ", b." + column + ")" : key;
    }

    /** A value llmproxy keeps in a column but LiteLLM inside {@code metadata}, as JSON text. */
    private static String jsonField(String alias, String field, String ifMissing) {
        return "COALESCE(" + alias + ".metadata->'" + field + "', '" + ifMissing + "'::jsonb)::text";
    }

    private static String metadataWithout(String alias, String fields) {
        return "(CASE WHEN jsonb_typeof(" + alias + ".metadata) = 'object' THEN " + alias + ".metadata - " + fields
                + " ELSE '{}'::jsonb END)::text";
    }

    private String nonEmptyJson(String table, String column) {
        String c = col(table, "k", column);
        return c.equals("NULL") ? "false" : "COALESCE(" + c + " NOT IN ('{}'::jsonb, 'null'::jsonb), false)";
    }

    private String nonEmptyArray(String table, String column) {
        String c = col(table, "k", column);
        return c.equals("NULL") ? "false" : "COALESCE(cardinality(" + c + ") > 0, false)";
    }

    private String longMap(String owner, String field, @Nullable String json) {
        try {
            return JsonText.ofLongMap(JsonText.toLongMap(json));
        } catch (StoreException e) {
            notCopied.add(owner + ": " + field + " is not an object of whole numbers (" + json + ")");
            return "{}";
        }
    }

    private String tags(String owner, @Nullable String json) {
        try {
            return JsonText.ofList(JsonText.toList(json));
        } catch (StoreException e) {
            notCopied.add(owner + ": metadata.tags is not a list of strings (" + json + ")");
            return "[]";
        }
    }

    /** Brings the row {@code idColumn = id} of {@code table} to {@code row}'s values, inserting it if missing. */
    private static void upsert(Handle h, String table, String idColumn, String id, Row row, Instant now,
            List<String> names) {
        StringBuilder set = new StringBuilder();
        for (String name : names) {
            set.append(name).append(" = :").append(name).append(", ");
        }
        set.append("created_at = COALESCE(CAST(:created_at AS TIMESTAMP(3)), created_at), ")
                .append("updated_at = COALESCE(CAST(:updated_at AS TIMESTAMP(3)), updated_at)");
        Update update = h.createUpdate("UPDATE " + table + " SET " + set + " WHERE " + idColumn + " = :id");
        if (bind(update, row, names).bind("id", id).execute() > 0) {
            return;
        }
        String columnList = idColumn + ", " + String.join(", ", names) + ", created_at, updated_at";
        String values = ":id, :" + String.join(", :", names) + ", :created_at, :updated_at";
        Update insert = h.createUpdate("INSERT INTO " + table + " (" + columnList + ") VALUES (" + values + ")");
        bind(insert, row, names).bind("id", id)
                .bindByType("created_at", orElse(row.instant("created_at"), now), Instant.class)
                .bindByType("updated_at", orElse(row.instant("updated_at"), now), Instant.class)
                .execute();
    }

    private static Update bind(Update update, Row row, List<String> names) {
        for (String name : names) {
            Object value = row.value(name);
            if (value instanceof java.sql.Timestamp || value instanceof java.time.LocalDateTime) {
                update.bindByType(name, row.instant(name), Instant.class);
            } else if (value == null) {
                update.bindByType(name, null, Object.class);
            } else {
                update.bind(name, value);
            }
        }
        update.bindByType("created_at", row.instant("created_at"), Instant.class);
        update.bindByType("updated_at", row.instant("updated_at"), Instant.class);
        return update;
    }

    private static Instant orElse(@Nullable Instant value, Instant fallback) {
        return value != null ? value : fallback;
    }

    private static @Nullable Double number(@Nullable Object value) {
        return value == null ? null : ((Number) value).doubleValue();
    }

    private <T> T inTarget(String what, TargetWork<T> work) {
        try {
            return target.inTransaction(work::run);
        } catch (RuntimeException e) {
            throw Failures.translate("import of LiteLLM's " + what, e);
        }
    }

    @FunctionalInterface
    private interface TargetWork<T> {
        T run(Handle h);
    }

    /** One source row: column label to value, as the driver returned it. */
    private static final class Row {
        private final Map<String, @Nullable Object> values = new HashMap<>();

        static Row of(ResultSet rs) throws SQLException {
            Row row = new Row();
            int n = rs.getMetaData().getColumnCount();
            for (int i = 1; i <= n; i++) {
                String label = rs.getMetaData().getColumnLabel(i);
                Object value = rs.getMetaData().getColumnType(i) == java.sql.Types.TIMESTAMP
                        ? rs.getObject(i, java.time.LocalDateTime.class) : rs.getObject(i);
                row.values.put(label, value);
            }
            return row;
        }

        @Nullable Object value(String name) {
            return values.get(name);
        }

        @Nullable String text(String name) {
            Object value = values.get(name);
            return value == null ? null : value.toString();
        }

        @Nullable Instant instant(String name) {
            Object value = values.get(name);
            return value instanceof java.time.LocalDateTime t ? t.toInstant(java.time.ZoneOffset.UTC) : null;
        }

        void put(String name, @Nullable Object value) {
            values.put(name, value);
        }
    }
}
