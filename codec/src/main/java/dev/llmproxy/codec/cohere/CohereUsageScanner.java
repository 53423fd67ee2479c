package dev.llmproxy.codec.cohere;

import dev.llmproxy.codec.internal.JsonScanner;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Finds the usage of a Cohere answer relayed untouched (a pass-through route) without holding it, fed chunk by chunk:
 * v1's {@code meta} and v2's {@code usage} of a chat or embed answer, each with {@code billed_units} (what Cohere
 * charges, so what the cost is computed from, as LiteLLM does) and {@code tokens} (all tokens, the system prompt's
 * included), {@code input_tokens} and {@code output_tokens} in both. The billed units win; an answer without them
 * counts its tokens. An embed answer has input tokens only.
 *
 * <p>Thread-safety: none; one instance per answer, confined to its event loop.
 */
public final class CohereUsageScanner extends JsonScanner {
    private static final byte[] META = ascii("meta");
    private static final byte[] USAGE = ascii("usage");
    private static final byte[] BILLED = ascii("billed_units");
    private static final byte[] TOKENS = ascii("tokens");
    private static final byte[] INPUT = ascii("input_tokens");
    private static final byte[] OUTPUT = ascii("output_tokens");
    private static final int NONE = -1;
    private static final int BILLED_UNITS = 0;
    private static final int ALL_TOKENS = 1;

    /** Input and output counts of the billed units, then of the tokens; -1 where not seen. */
    private final long[] counts = {-1, -1, -1, -1};
    private boolean atUsage;
    private boolean inUsage;
    private int nextGroup = NONE;
    private int group = NONE;
    private int countKey = NONE;
    private @Nullable Usage last;

    public CohereUsageScanner() {
        super(3);
    }

    /**
     * Scans the next chunk of a whole-body answer; a body that is not JSON stops the scan quietly.
     *
     * @param chunk not retained, indexes unchanged
     */
    public void feed(ByteBuf chunk) {
        if (!isFailed()) {
            feed(chunk, chunk.readerIndex(), chunk.readableBytes());
        }
    }

    /** The usage of the answer once its {@code meta} or {@code usage} closed, or {@code null}. */
    public @Nullable Usage usage() {
        return last;
    }

    @Override
    protected void onKey(int depth, byte[] key, int length) {
        if (depth == 1) {
            atUsage = equals(key, length, META) || equals(key, length, USAGE);
        } else if (depth == 2 && inUsage) {
            nextGroup = equals(key, length, BILLED) ? BILLED_UNITS : equals(key, length, TOKENS) ? ALL_TOKENS : NONE;
        } else if (depth == 3 && group != NONE) {
            countKey = equals(key, length, INPUT) ? 0 : equals(key, length, OUTPUT) ? 1 : NONE;
        }
    }

    @Override
    protected void onNumber(int depth, long integerPart) {
        if (depth == 3 && group != NONE && countKey != NONE) {
            counts[group * 2 + countKey] = Math.max(integerPart, 0);
        }
    }

    @Override
    protected void onStartContainer(int depth, boolean array, long position) {
        if (depth == 1 && atUsage && !array) {
            inUsage = true;
            Arrays.fill(counts, -1);
        } else if (depth == 2 && inUsage && !array) {
            group = nextGroup;
            countKey = NONE;
        }
    }

    @Override
    protected void onEndContainer(int depth, boolean array, long position, boolean empty) {
        if (depth == 2 && group != NONE) {
            group = NONE;
        } else if (depth == 1 && inUsage) {
            inUsage = false;
            int from = counts[0] >= 0 || counts[1] >= 0 ? BILLED_UNITS : ALL_TOKENS;
            long input = Math.max(counts[from * 2], 0);
            long output = Math.max(counts[from * 2 + 1], 0);
            if (counts[from * 2] >= 0 || counts[from * 2 + 1] >= 0) {
                last = Usage.of(input, output);
            }
        }
    }

    private static boolean equals(byte[] key, int length, byte[] expected) {
        return length == expected.length && Arrays.equals(key, 0, length, expected, 0, length);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
