package dev.llmproxy.proxy.metrics;

import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The label values that say who called: LiteLLM's {@code hashed_api_key}, {@code api_key_alias}, {@code team},
 * {@code team_alias}, {@code user} and {@code user_email}. There is one instance per kind of caller (one per virtual
 * key, as its alias, user and team stand), compared by identity in the series keys.
 *
 * <p>The master key is reported as LiteLLM reports it ({@code hashed_api_key="litellm_proxy_master_key"},
 * {@code user="default_user_id"}); an open proxy (no master key) and requests refused before authentication have
 * {@code "None"} everywhere, so a stranger's key never becomes a label value. A virtual key is named by its hash
 * (never the key), alias, user and team id, each {@code "None"} when the key has none; {@code team_alias} and
 * {@code user_email} stay {@code "None"} (the key cache does not hold them).
 *
 * <p>Thread-safety: immutable.
 */
final class CallerLabels {
    /** Spreads instances over a direct-mapped cache without System.identityHashCode; distinct per instance. */
    private static final AtomicInteger SEEDS = new AtomicInteger();
    static final CallerLabels MASTER_KEY = new CallerLabels("litellm_proxy_master_key", Labels.NONE, Labels.NONE,
            Labels.NONE, "default_user_id", Labels.NONE);
    static final CallerLabels UNKNOWN = new CallerLabels(Labels.NONE, Labels.NONE, Labels.NONE, Labels.NONE,
            Labels.NONE, Labels.NONE);

    final int seed = SEEDS.getAndIncrement() * 0x9E3779B9;
    final String hashedApiKey;
    final String apiKeyAlias;
    final String team;
    final String teamAlias;
    final String user;
    final String userEmail;
    /**
     * The key these labels name as last seen by a call (the key cache replaces an entry when the key changes), for the
     * budget gauges a scrape reads; null for callers without a virtual key. Written by event loops, read by the scrape.
     */
    private volatile @Nullable KeyGrant grant;

    private CallerLabels(String hashedApiKey, String apiKeyAlias, String team, String teamAlias, String user,
            String userEmail) {
        this.hashedApiKey = hashedApiKey;
        this.apiKeyAlias = apiKeyAlias;
        this.team = team;
        this.teamAlias = teamAlias;
        this.user = user;
        this.userEmail = userEmail;
    }

    /** The labels of a principal without a virtual key; never allocates. */
    static CallerLabels of(@Nullable Principal principal) {
        return principal == Principal.MASTER ? MASTER_KEY : UNKNOWN;
    }

    /** New labels for a virtual key, as it stands now. */
    static CallerLabels of(KeyGrant key) {
        return new CallerLabels(key.tokenHash(), orNone(key.keyAlias()), orNone(key.teamId()), Labels.NONE,
                orNone(key.userId()), Labels.NONE);
    }

    /** The key as last seen, or null for callers without a virtual key. */
    @Nullable KeyGrant grant() {
        return grant;
    }

    /** Remembers {@code key} as the key these labels name now; a volatile read when it is the same. */
    void seen(KeyGrant key) {
        if (grant != key) {
            grant = key;
        }
    }

    /** Whether these labels still describe {@code key} (its alias, user or team may have been changed since). */
    boolean describes(KeyGrant key) {
        return Objects.equals(apiKeyAlias, orNone(key.keyAlias())) && Objects.equals(team, orNone(key.teamId()))
                && Objects.equals(user, orNone(key.userId()));
    }

    private static String orNone(@Nullable String value) {
        return value == null ? Labels.NONE : value;
    }
}
