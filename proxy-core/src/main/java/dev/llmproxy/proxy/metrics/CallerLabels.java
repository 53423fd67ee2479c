package dev.llmproxy.proxy.metrics;

import dev.llmproxy.proxy.auth.Principal;
import org.jspecify.annotations.Nullable;

/**
 * The label values that say who called: LiteLLM's {@code hashed_api_key}, {@code api_key_alias}, {@code team},
 * {@code team_alias}, {@code user} and {@code user_email}. There is one instance per kind of caller, compared by
 * identity in the series keys.
 *
 * <p>The master key is reported as LiteLLM reports it ({@code hashed_api_key="litellm_proxy_master_key"},
 * {@code user="default_user_id"}); an open proxy (no master key) and requests refused before authentication have
 * {@code "None"} everywhere, so a stranger's key never becomes a label value. Virtual keys will add their hash, alias
 * and team here when the store lands.
 *
 * <p>Thread-safety: immutable.
 */
final class CallerLabels {
    static final CallerLabels MASTER_KEY = new CallerLabels("litellm_proxy_master_key", Labels.NONE, Labels.NONE,
            Labels.NONE, "default_user_id", Labels.NONE);
    static final CallerLabels UNKNOWN = new CallerLabels(Labels.NONE, Labels.NONE, Labels.NONE, Labels.NONE,
            Labels.NONE, Labels.NONE);

    final String hashedApiKey;
    final String apiKeyAlias;
    final String team;
    final String teamAlias;
    final String user;
    final String userEmail;

    private CallerLabels(String hashedApiKey, String apiKeyAlias, String team, String teamAlias, String user,
            String userEmail) {
        this.hashedApiKey = hashedApiKey;
        this.apiKeyAlias = apiKeyAlias;
        this.team = team;
        this.teamAlias = teamAlias;
        this.user = user;
        this.userEmail = userEmail;
    }

    /** The labels of {@code principal}; never allocates. */
    static CallerLabels of(@Nullable Principal principal) {
        return principal == Principal.MASTER ? MASTER_KEY : UNKNOWN;
    }
}
