package dev.llmproxy.proxy.management;

import dev.llmproxy.proxy.keys.KeyService;
import dev.llmproxy.store.BudgetDuration;
import dev.llmproxy.store.KeyQuery;
import dev.llmproxy.store.ListQuery;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.StoreConflictException;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import dev.llmproxy.store.TeamStore;
import dev.llmproxy.store.User;
import dev.llmproxy.store.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What each {@code /team/...} route does to the store, on a store thread. A change to a team (blocked, models,
 * budget) is in force for its keys on this instance as soon as the route answers. Team rpm/tpm limits are stored, not
 * enforced yet.
 *
 * <p>Thread-safety: thread-safe (stateless apart from the shared services).
 */
final class TeamCommands {
    private final KeyService keys;
    private final TeamStore teams;
    private final Clock clock;

    TeamCommands(KeyService keys, Clock clock) {
        this.keys = keys;
        this.teams = keys.store().teams();
        this.clock = clock;
    }

    Map<String, @Nullable Object> create(Fields f) {
        String teamId = f.string("team_id");
        if (teamId == null || teamId.isBlank()) {
            teamId = UUID.randomUUID().toString();
        }
        Team.Builder b = Team.builder(teamId);
        apply(f, b, clock.instant());
        Team created;
        try {
            created = teams.create(b.build());
        } catch (StoreConflictException e) {
            throw new BadRequest(400, "bad_request_error", "team_id", "Team id = " + teamId
                    + " already exists. Please use a different team id.");
        }
        keys.teamChanged(created);
        return row(created);
    }

    Map<String, @Nullable Object> update(Fields f) {
        String teamId = requiredTeamId(f);
        Team current = find(teamId);
        Team.Builder b = current.toBuilder();
        apply(f, b, clock.instant());
        Team updated = teams.update(b.build()).orElseThrow(() -> notFound(teamId));
        keys.teamChanged(updated);
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("team_id", teamId);
        out.put("data", row(updated));
        return out;
    }

    Map<String, @Nullable Object> setBlocked(Fields f, boolean blocked) {
        String teamId = requiredTeamId(f);
        Team team = teams.setBlocked(teamId, blocked).orElseThrow(() -> notFound(teamId));
        keys.teamChanged(team);
        return row(team);
    }

    Map<String, @Nullable Object> delete(Fields f) {
        List<String> ids = f.strings("team_ids");
        if (ids == null || ids.isEmpty()) {
            throw new BadRequest(400, "bad_request_error", "team_ids", "team_ids: a list of team ids is required");
        }
        for (String id : ids) {
            find(id);
        }
        List<String> tokens = new ArrayList<>();
        for (String id : ids) {
            teamKeys(id).forEach(k -> tokens.add(k.token()));
        }
        keys.deleted(keys.store().keys().delete(tokens));
        List<String> deleted = teams.delete(ids);
        keys.teamsDeleted(deleted);
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("deleted_teams", deleted);
        return out;
    }

    Map<String, @Nullable Object> info(@Nullable String teamId) {
        if (teamId == null || teamId.isBlank()) {
            throw new BadRequest(422, "bad_request_error", "team_id", "team_id is required");
        }
        Team team = teams.find(teamId).orElseThrow(() -> new BadRequest(404, "not_found_error", "team_id",
                "Team not found, passed team id: " + teamId + "."));
        Instant now = clock.instant();
        List<Object> keyRows = new ArrayList<>();
        teamKeys(teamId).stream().filter(k -> !k.isExpiredAt(now)).forEach(k -> keyRows.add(KeyViews.row(k, false)));
        List<Object> members = new ArrayList<>();
        teams.members(teamId).forEach(m -> members.add(membership(m)));
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("team_id", teamId);
        out.put("team_info", row(team));
        out.put("keys", keyRows);
        out.put("team_memberships", members);
        return out;
    }

    List<Object> list(Map<String, List<String>> params) {
        String organization = KeyManagement.first(params, "organization_id");
        List<Object> out = new ArrayList<>();
        for (int page = 1; ; page++) {
            Page<Team> result = teams.list(new ListQuery(organization, page, KeyQuery.MAX_SIZE));
            for (Team team : result.items()) {
                Map<String, @Nullable Object> r = row(team);
                List<Object> members = new ArrayList<>();
                teams.members(team.teamId()).forEach(m -> members.add(membership(m)));
                r.put("team_memberships", members);
                out.add(r);
            }
            if (page >= result.totalPages()) {
                return out;
            }
        }
    }

    Map<String, @Nullable Object> addMember(Fields f) {
        String teamId = requiredTeamId(f);
        Team target = find(teamId);
        Object member = f.raw("member");
        List<Object> members = member instanceof List<?> list ? new ArrayList<>(list) : new ArrayList<>();
        if (member instanceof Map<?, ?>) {
            members.add(member);
        }
        if (members.isEmpty()) {
            throw new BadRequest(400, "bad_request_error", "member", "member: {\"role\": ..., \"user_id\": ...} "
                    + "or a list of them is required");
        }
        // What the request leaves out comes from the team's member defaults (team_member_budget, ..._budget_duration).
        Double budgetInTeam = f.has("max_budget_in_team") ? budget(f, "max_budget_in_team") : target.teamMemberBudget();
        Optional<BudgetDuration> period = KeyCommands.parseDuration("budget_duration",
                f.has("budget_duration") ? f.string("budget_duration") : target.teamMemberBudgetDuration());
        Instant resetAt = period.map(d -> d.nextReset(clock.instant(), ZoneOffset.UTC)).orElse(null);
        List<Object> added = new ArrayList<>();
        for (Object item : members) {
            if (!(item instanceof Map<?, ?> m) || !(m.get("user_id") instanceof String userId) || userId.isBlank()) {
                throw new BadRequest(400, "bad_request_error", "member", "member: each needs a user_id");
            }
            String role = m.get("role") instanceof String r ? r : TeamMembership.USER;
            if (!role.equals(TeamMembership.ADMIN) && !role.equals(TeamMembership.USER)) {
                throw new BadRequest(400, "bad_request_error", "member", "member role must be admin or user, got "
                        + role);
            }
            if (keys.store().users().find(userId).isEmpty()) {
                keys.store().users().create(User.builder(userId).userRole("internal_user").build());
            }
            if (teams.findMember(teamId, userId).isPresent()) {
                throw new BadRequest(400, "bad_request_error", "member", "User=" + userId
                        + " already in team. Existing members=" + memberIds(teamId));
            }
            added.add(membership(teams.addMember(new TeamMembership(teamId, userId, role, 0, budgetInTeam,
                    Instant.EPOCH, period.map(BudgetDuration::toString).orElse(null), resetAt))));
        }
        Team team = find(teamId);
        keys.teamChanged(team);
        Map<String, @Nullable Object> out = row(team);
        out.put("updated_team_memberships", added);
        return out;
    }

    /**
     * {@code /team/member_update}: a member's role, budget within the team ({@code max_budget_in_team}) and, as
     * {@code /team/member_add} takes it, the budget's {@code budget_duration}; the member is named by
     * {@code user_id} or {@code user_email}. Fields left out (or null) stay as they are, as in LiteLLM. A member's
     * {@code tpm_limit} and {@code rpm_limit} are refused: they are not enforced yet, and accepting them would promise
     * a limit that does not hold.
     */
    Map<String, @Nullable Object> updateMember(Fields f) {
        String teamId = f.string("team_id");
        if (teamId == null || teamId.isBlank()) {
            throw new BadRequest(400, "bad_request_error", "team_id", "No team id passed in");
        }
        String userId = f.string("user_id");
        String email = f.string("user_email");
        if (userId == null && email == null) {
            throw new BadRequest(400, "bad_request_error", "user_id",
                    "Either user_id or user_email needs to be passed in");
        }
        if (teams.find(teamId).isEmpty()) {
            throw new BadRequest(400, "bad_request_error", "team_id", "Team id=" + teamId + " does not exist in db");
        }
        for (String limit : List.of("tpm_limit", "rpm_limit")) {
            if (f.integer(limit) != null) {
                throw new BadRequest(400, "bad_request_error", limit, limit + " of a team member is not supported by "
                        + "this llmproxy version (the team's and the key's are)");
            }
        }
        String role = f.string("role");
        if (role != null && !role.equals(TeamMembership.ADMIN) && !role.equals(TeamMembership.USER)) {
            throw new BadRequest(400, "bad_request_error", "role", "member role must be admin or user, got " + role);
        }
        Double budgetInTeam = budget(f, "max_budget_in_team");
        String resolved = userId;
        if (resolved == null && email != null) {
            resolved = keys.store().users().findByEmail(email).map(User::userId).orElse(null);
        }
        TeamMembership current = resolved == null ? null : teams.findMember(teamId, resolved).orElse(null);
        if (current == null) {
            throw new BadRequest(400, "bad_request_error", "user_id", "User id doesn't exist in team table. "
                    + "Data=team_id='" + teamId + "' user_id=" + quoted(userId) + " user_email=" + quoted(email));
        }
        String duration = current.budgetDuration();
        Instant resetAt = current.budgetResetAt();
        if (f.has("budget_duration")) {
            Optional<BudgetDuration> period =
                    KeyCommands.parseDuration("budget_duration", f.string("budget_duration"));
            duration = period.map(BudgetDuration::toString).orElse(null);
            resetAt = period.map(d -> d.nextReset(clock.instant(), ZoneOffset.UTC)).orElse(null);
        }
        TeamMembership changed = new TeamMembership(teamId, current.userId(), role != null ? role : current.role(),
                current.spend(), budgetInTeam != null ? budgetInTeam : current.maxBudget(), current.createdAt(),
                duration, resetAt);
        TeamMembership stored = teams.updateMember(changed).orElseThrow(() -> new BadRequest(400,
                "bad_request_error", "user_id", "User id doesn't exist in team table"));
        keys.teamChanged(find(teamId));
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("team_id", teamId);
        out.put("user_id", stored.userId());
        out.put("user_email", email);
        out.put("max_budget_in_team", stored.maxBudget());
        out.put("role", stored.role());
        out.put("budget_duration", stored.budgetDuration());
        return out;
    }

    Map<String, @Nullable Object> deleteMember(Fields f) {
        String teamId = requiredTeamId(f);
        find(teamId);
        String userId = f.string("user_id");
        if (userId == null || !teams.removeMember(teamId, userId)) {
            throw new BadRequest(400, "bad_request_error", "user_id", "User not found in team");
        }
        Team team = find(teamId);
        keys.teamChanged(team);
        return row(team);
    }

    private List<VirtualKey> teamKeys(String teamId) {
        List<VirtualKey> out = new ArrayList<>();
        KeyQuery query = KeyQuery.all().withTeamId(teamId).withPage(1, KeyQuery.MAX_SIZE);
        for (Page<VirtualKey> page = keys.store().keys().list(query); !page.items().isEmpty();
                page = keys.store().keys().list(query.withPage(page.page() + 1, KeyQuery.MAX_SIZE))) {
            out.addAll(page.items());
        }
        return out;
    }

    private List<String> memberIds(String teamId) {
        return teams.members(teamId).stream().map(TeamMembership::userId).toList();
    }

    private static void apply(Fields f, Team.Builder b, Instant now) {
        if (f.has("team_alias")) {
            b.teamAlias(f.string("team_alias"));
        }
        if (f.has("organization_id")) {
            b.organizationId(f.string("organization_id"));
        }
        if (f.has("models")) {
            List<String> models = f.strings("models");
            b.models(models == null ? List.of() : models);
        }
        if (f.has("max_budget")) {
            b.maxBudget(budget(f, "max_budget"));
        }
        if (f.has("soft_budget")) {
            b.softBudget(budget(f, "soft_budget"));
        }
        if (f.has("tpm_limit")) {
            b.tpmLimit(f.integer("tpm_limit"));
        }
        if (f.has("rpm_limit")) {
            b.rpmLimit(f.integer("rpm_limit"));
        }
        if (f.has("max_parallel_requests")) {
            Long parallel = f.integer("max_parallel_requests");
            b.maxParallelRequests(parallel == null ? null : (int) Math.min(Integer.MAX_VALUE, parallel));
        }
        if (f.has("model_rpm_limit")) {
            Map<String, Long> limits = f.longMap("model_rpm_limit");
            b.modelRpmLimit(limits == null ? Map.of() : limits);
        }
        if (f.has("model_tpm_limit")) {
            Map<String, Long> limits = f.longMap("model_tpm_limit");
            b.modelTpmLimit(limits == null ? Map.of() : limits);
        }
        if (f.has("budget_duration")) {
            Optional<BudgetDuration> parsed = KeyCommands.parseDuration("budget_duration", f.string("budget_duration"));
            b.budgetDuration(parsed.map(BudgetDuration::toString).orElse(null));
            b.budgetResetAt(parsed.map(d -> d.nextReset(now, ZoneOffset.UTC)).orElse(null));
        }
        if (f.has("blocked")) {
            Boolean blocked = f.bool("blocked");
            b.blocked(blocked != null && blocked);
        }
        if (f.has("metadata")) {
            Map<String, @Nullable Object> metadata = f.object("metadata");
            b.metadata(Json.writeString(metadata == null ? Map.of() : metadata));
        }
        applyMemberDefaults(f, b);
    }

    /**
     * LiteLLM's defaults for the members added to the team from now on: {@code team_member_budget} and
     * {@code team_member_budget_duration} (their budget in the team), {@code team_member_key_duration} (their keys'
     * expiry). {@code team_member_rpm_limit} and {@code team_member_tpm_limit} are refused: a member's own limits are
     * not enforced yet.
     */
    private static void applyMemberDefaults(Fields f, Team.Builder b) {
        for (String limit : List.of("team_member_rpm_limit", "team_member_tpm_limit")) {
            if (f.integer(limit) != null) {
                throw new BadRequest(400, "bad_request_error", limit, limit + " is not supported by this llmproxy "
                        + "version (a team member's own limits are not enforced; the team's and the key's are)");
            }
        }
        if (f.has("team_member_budget")) {
            b.teamMemberBudget(budget(f, "team_member_budget"));
        }
        if (f.has("team_member_budget_duration")) {
            b.teamMemberBudgetDuration(KeyCommands.parseDuration("team_member_budget_duration",
                    f.string("team_member_budget_duration")).map(BudgetDuration::toString).orElse(null));
        }
        if (f.has("team_member_key_duration")) {
            b.teamMemberKeyDuration(KeyCommands.parseDuration("team_member_key_duration",
                    f.string("team_member_key_duration")).map(BudgetDuration::toString).orElse(null));
        }
    }

    private static @Nullable Double budget(Fields f, String name) {
        Double value = f.number(name);
        if (value != null && (value < 0 || !Double.isFinite(value))) {
            throw new BadRequest(name + " cannot be negative. Received: " + value);
        }
        return value;
    }

    private Team find(String teamId) {
        return teams.find(teamId).orElseThrow(() -> notFound(teamId));
    }

    private static String requiredTeamId(Fields f) {
        String teamId = f.string("team_id");
        if (teamId == null || teamId.isBlank()) {
            throw new BadRequest(400, "bad_request_error", "team_id", "team_id is required");
        }
        return teamId;
    }

    private static BadRequest notFound(String teamId) {
        return new BadRequest(404, "not_found_error", "team_id", "Team not found, passed team_id=" + teamId);
    }

    /** A Python repr of an optional string, as LiteLLM's messages print a request's fields. */
    private static String quoted(@Nullable String value) {
        return value == null ? "None" : "'" + value + "'";
    }

    private static Map<String, @Nullable Object> membership(TeamMembership m) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("user_id", m.userId());
        out.put("team_id", m.teamId());
        out.put("role", m.role());
        out.put("spend", m.spend());
        out.put("max_budget_in_team", m.maxBudget());
        out.put("budget_duration", m.budgetDuration());
        out.put("budget_reset_at", m.budgetResetAt() == null ? null : String.valueOf(m.budgetResetAt()));
        return out;
    }

    private static Map<String, @Nullable Object> row(Team team) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("team_id", team.teamId());
        out.put("team_alias", team.teamAlias());
        out.put("organization_id", team.organizationId());
        out.put("models", team.models());
        out.put("max_budget", team.maxBudget());
        out.put("soft_budget", team.softBudget());
        out.put("spend", team.spend());
        out.put("tpm_limit", team.tpmLimit());
        out.put("rpm_limit", team.rpmLimit());
        out.put("max_parallel_requests", team.maxParallelRequests());
        out.put("model_rpm_limit", team.modelRpmLimit());
        out.put("model_tpm_limit", team.modelTpmLimit());
        out.put("budget_duration", team.budgetDuration());
        out.put("budget_reset_at", team.budgetResetAt() == null ? null : String.valueOf(team.budgetResetAt()));
        out.put("blocked", team.blocked());
        out.put("team_member_budget", team.teamMemberBudget());
        out.put("team_member_budget_duration", team.teamMemberBudgetDuration());
        out.put("team_member_key_duration", team.teamMemberKeyDuration());
        out.put("metadata", new Json.RawJson(team.metadata()));
        out.put("created_at", team.createdAt().toString());
        out.put("updated_at", team.updatedAt().toString());
        return out;
    }
}
