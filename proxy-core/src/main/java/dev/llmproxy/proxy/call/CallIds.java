package dev.llmproxy.proxy.call;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids for {@code x-litellm-call-id}: random version-4 UUIDs like LiteLLM's, drawn from the thread's
 * {@link ThreadLocalRandom} rather than {@link UUID#randomUUID()}, whose shared SecureRandom would be a point of
 * contention and cost on every request. The ids need to be unique, not unguessable.
 */
public final class CallIds {
    private CallIds() {}

    /** A new request id. */
    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
