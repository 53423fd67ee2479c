package dev.llmproxy.proxy.route;

/**
 * A model group's quota this minute, for the OpenAI-style {@code x-ratelimit-*} response headers: as LiteLLM fills
 * them, the limit is the sum of the group's deployment limits and the remaining part that limit minus this minute's
 * use. {@link #NONE} marks what no deployment of the group limits.
 *
 * @param limitRequests the group's requests per minute, or {@link #NONE}
 * @param remainingRequests requests left this minute, or {@link #NONE}
 * @param limitTokens the group's tokens per minute, or {@link #NONE}
 * @param remainingTokens tokens left this minute, or {@link #NONE}
 */
public record GroupQuota(long limitRequests, long remainingRequests, long limitTokens, long remainingTokens) {

    /** An absent value. */
    public static final long NONE = -1;
}
