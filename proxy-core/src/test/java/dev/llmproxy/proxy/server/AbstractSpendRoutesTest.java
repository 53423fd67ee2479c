package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.store.KeyHash;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The {@code /spend/...} and {@code /global/spend/...} routes over real calls: three calls by two keys (one of user
 * u1 in team "Team One", tagged), committed to the store, then read back with LiteLLM's parameters and shapes.
 * Subclasses choose the database.
 */
abstract class AbstractSpendRoutesTest extends StoreFlowTestBase {
    private String userKey;
    private String otherKey;
    private String firstCall;

    private void threeCalls() throws Exception {
        assertThat(post("/team/new", "{\"team_id\":\"t1\",\"team_alias\":\"Team One\"}").statusCode())
                .isEqualTo(200);
        userKey = generate("{\"user_id\":\"u1\",\"team_id\":\"t1\",\"tags\":[\"tag-a\"],\"key_alias\":\"mine\"}");
        otherKey = generate("{}");
        HttpResponse<String> first = chat("gpt-a", userKey);
        assertThat(first.statusCode()).isEqualTo(200);
        firstCall = first.headers().firstValue("x-litellm-call-id").orElseThrow();
        assertThat(chat("gpt-a", userKey).statusCode()).isEqualTo(200);
        assertThat(chat("gpt-b", otherKey).statusCode()).isEqualTo(200);
        // A call's record reaches the writer when the call ends, possibly just after the client has its answer.
        await().atMost(Duration.ofSeconds(10)).until(() -> writer.stats().accepted() >= 3);
        flushSpend();
    }

    @Test
    void shouldListAKeysRowsByPlaintextOrHashAndOneRequestById() throws Exception {
        threeCalls();

        HttpResponse<String> byKey = get("/spend/logs?api_key=" + userKey);
        HttpResponse<String> byHash = get("/spend/logs?api_key=" + KeyHash.of(userKey));
        HttpResponse<String> byRequest = get("/spend/logs?request_id=" + firstCall);
        HttpResponse<String> all = get("/spend/logs");

        assertThat(byKey.statusCode()).isEqualTo(200);
        assertThat(byKey.body()).startsWith("[{\"request_id\":").contains("\"model_group\":\"gpt-a\"")
                .contains("\"user\":\"u1\"").contains("\"team_id\":\"t1\"").contains("\"request_tags\":[\"tag-a\"]")
                .contains("\"spend\":0.01").contains("\"api_key\":\"" + KeyHash.of(userKey) + "\"")
                .doesNotContain(userKey).doesNotContain("gpt-b");
        assertThat(count(byKey.body(), "\"request_id\"")).isEqualTo(2);
        assertThat(byHash.body()).isEqualTo(byKey.body());
        assertThat(count(byRequest.body(), "\"request_id\"")).isEqualTo(1);
        assertThat(byRequest.body()).contains("\"request_id\":\"" + firstCall + "\"")
                .contains("\"endTime\":\"2026-12-01T16:00:15.500Z\"").contains("\"status\":\"success\"");
        assertThat(count(all.body(), "\"request_id\"")).isEqualTo(3);
    }

    @Test
    void shouldSummarizeByDayWithZeroDaysUpToTheEndDate() throws Exception {
        threeCalls();

        HttpResponse<String> summary = get("/spend/logs?start_date=2026-12-01&end_date=2026-12-02&user_id=u1");
        HttpResponse<String> raw = get("/spend/logs?start_date=2026-12-01&end_date=2026-12-01&summarize=false"
                + "&user_id=u1");
        HttpResponse<String> before = get("/spend/logs?start_date=2026-11-01&end_date=2026-11-30&summarize=false");

        assertThat(summary.statusCode()).isEqualTo(200);
        assertThat(summary.body()).isEqualTo("[{\"startTime\":\"2026-12-01\",\"spend\":0.02,\"users\":{\"u1\":0.02},"
                + "\"models\":{\"gpt-4o-mini\":0.02},\"" + KeyHash.of(userKey) + "\":0.02},"
                + "{\"startTime\":\"2026-12-02\",\"spend\":0.0,\"users\":{},\"models\":{}}]");
        assertThat(count(raw.body(), "\"request_id\"")).isEqualTo(2);
        assertThat(before.body()).isEqualTo("[]");
    }

    @Test
    void shouldReportSpendByTagKeyTeamAndModel() throws Exception {
        threeCalls();

        HttpResponse<String> tags = get("/spend/tags");
        HttpResponse<String> spendKeys = get("/spend/keys");
        HttpResponse<String> teams = get("/global/spend/report?start_date=2026-12-01&end_date=2026-12-01");
        HttpResponse<String> perKey = get("/global/spend/report?start_date=2026-12-01&end_date=2026-12-01"
                + "&group_by=api_key&api_key=" + userKey);
        HttpResponse<String> global = get("/global/spend");
        HttpResponse<String> models = get("/global/spend/models?limit=1");
        HttpResponse<String> globalKeys = get("/global/spend/keys");
        HttpResponse<String> globalTeams = get("/global/spend/teams");

        assertThat(tags.body()).isEqualTo("[{\"individual_request_tag\":\"tag-a\",\"log_count\":2,"
                + "\"total_spend\":0.02}]");
        assertThat(spendKeys.body()).contains("\"token\":\"" + KeyHash.of(userKey) + "\"")
                .contains("\"token\":\"" + KeyHash.of(otherKey) + "\"");
        assertThat(teams.body()).startsWith("[{\"group_by_day\":\"2026-12-01\",\"teams\":[")
                .contains("{\"team_name\":\"Team One\",\"total_spend\":0.02,\"metadata\":[{\"model\":\"gpt-4o-mini\","
                        + "\"api_key\":\"" + KeyHash.of(userKey) + "\",\"spend\":0.02,")
                .contains("\"team_name\":\"Unassigned Team\"");
        assertThat(perKey.body()).startsWith("[{\"api_key\":\"" + KeyHash.of(userKey) + "\",\"total_cost\":0.02,"
                + "\"total_input_tokens\":20,").contains("\"model_details\":[{\"model\":\"gpt-4o-mini\"");
        assertThat(global.body()).startsWith("{\"spend\":").contains("\"max_budget\":0.0");
        assertThat(count(models.body(), "\"model\"")).isEqualTo(1);
        assertThat(globalKeys.body()).contains("\"key_alias\":\"mine\"").contains("\"total_spend\":0.02");
        assertThat(globalTeams.body()).contains("\"teams\":[").contains("Team One")
                .contains("{\"team_id\":\"Team One\",\"total_spend\":0.02}");
    }

    @Test
    void shouldShowAKeyOnlyItsUsersRowsAndRefuseItTheReports() throws Exception {
        threeCalls();

        HttpResponse<String> own = proxy.get("/spend/logs?user_id=someone-else", "Authorization",
                "Bearer " + userKey);
        HttpResponse<String> other = proxy.get("/spend/logs", "Authorization", "Bearer " + otherKey);
        HttpResponse<String> report = proxy.get("/spend/tags", "Authorization", "Bearer " + userKey);

        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(count(own.body(), "\"request_id\"")).isEqualTo(2);
        assertThat(own.body()).contains("\"user\":\"u1\"");
        assertThat(count(other.body(), "\"request_id\"")).as("a key without a user sees its own rows").isEqualTo(1);
        assertThat(other.body()).contains(KeyHash.of(otherKey));
        assertThat(report.statusCode()).isEqualTo(401);
        assertThat(report.body()).contains("\"type\":\"auth_error\"");
    }

    @Test
    void shouldAnswer400ForMissingOrBadDatesAndUnknownGrouping() {
        HttpResponse<String> noDates = get("/global/spend/report");
        HttpResponse<String> oneDate = get("/spend/logs?start_date=2026-12-01");
        HttpResponse<String> badDate = get("/spend/tags?start_date=yesterday&end_date=2026-12-01");
        HttpResponse<String> reversed = get("/spend/logs?start_date=2026-12-02&end_date=2026-12-01");
        HttpResponse<String> grouping = get("/global/spend/report?start_date=2026-12-01&end_date=2026-12-01"
                + "&group_by=planet");
        HttpResponse<String> limit = get("/global/spend/keys?limit=-3");

        assertThat(noDates.statusCode()).isEqualTo(400);
        assertThat(noDates.body()).contains("Please provide start_date and end_date")
                .contains("\"type\":\"bad_request_error\"").contains("\"code\":\"400\"");
        assertThat(oneDate.statusCode()).isEqualTo(400);
        assertThat(badDate.statusCode()).isEqualTo(400);
        assertThat(badDate.body()).contains("start_date must be a date YYYY-MM-DD");
        assertThat(reversed.statusCode()).isEqualTo(400);
        assertThat(grouping.statusCode()).isEqualTo(400);
        assertThat(grouping.body()).contains("group_by must be one of team, customer, api_key");
        assertThat(limit.statusCode()).isEqualTo(400);
    }

    private static int count(String body, String needle) {
        int n = 0;
        for (int i = body.indexOf(needle); i >= 0; i = body.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
