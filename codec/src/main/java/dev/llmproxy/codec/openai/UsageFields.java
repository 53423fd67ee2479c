package dev.llmproxy.codec.openai;

import dev.llmproxy.codec.internal.JsonScanner;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** Collects the top-level {@code usage} object and whether top-level {@code choices} is an empty array. */
final class UsageFields extends JsonScanner {
    private static final byte[] USAGE = bytes("usage");
    private static final byte[] CHOICES = bytes("choices");
    private static final byte[][] COUNTS = {
        bytes("prompt_tokens"), bytes("completion_tokens"), bytes("total_tokens"),
        bytes("input_tokens"), bytes("output_tokens")
    };
    private static final int PROMPT = 0;
    private static final int COMPLETION = 1;
    private static final int TOTAL = 2;
    private static final int INPUT = 3;
    private static final int OUTPUT = 4;

    private static final int K_OTHER = 0;
    private static final int K_USAGE = 1;
    private static final int K_CHOICES = 2;

    private final long[] counts = new long[COUNTS.length];
    private int topKey;
    private int countKey;
    private boolean inUsage;
    private boolean usageComplete;
    private boolean choicesEmpty;

    UsageFields() {
        super(2);
        reset();
    }

    @Override
    public void reset() {
        super.reset();
        topKey = K_OTHER;
        countKey = -1;
        inUsage = false;
        usageComplete = false;
        choicesEmpty = false;
    }

    /** Returns the usage once its object has closed, whatever follows it. */
    @Nullable Usage usage() {
        if (!usageComplete) {
            return null;
        }
        long prompt = counts[PROMPT] >= 0 ? counts[PROMPT] : Math.max(counts[INPUT], 0);
        long completion = counts[COMPLETION] >= 0 ? counts[COMPLETION] : Math.max(counts[OUTPUT], 0);
        // Counts saturate at Long.MAX_VALUE while parsed, so their sum may overflow (JsonBodyUsageScannerFuzzTest).
        long total = counts[TOTAL] >= 0 ? counts[TOTAL] : Usage.saturatedSum(prompt, completion);
        return new Usage(prompt, completion, total);
    }

    boolean choicesEmpty() {
        return choicesEmpty;
    }

    @Override
    protected void onKey(int depth, byte[] key, int length) {
        if (depth == 1) {
            topKey = equals(key, length, USAGE) ? K_USAGE : equals(key, length, CHOICES) ? K_CHOICES : K_OTHER;
        } else if (inUsage) {
            countKey = -1;
            for (int i = 0; i < COUNTS.length; i++) {
                if (equals(key, length, COUNTS[i])) {
                    countKey = i;
                    break;
                }
            }
        }
    }

    @Override
    protected void onNumber(int depth, long integerPart) {
        if (depth == 2 && inUsage && countKey >= 0) {
            counts[countKey] = Math.max(integerPart, 0);
        } else if (depth == 1) {
            topValue();
        }
    }

    @Override
    protected void onString(int depth, long start, long end, boolean escaped) {
        if (depth == 1) {
            topValue();
        }
    }

    @Override
    protected void onLiteral(int depth, int kind) {
        if (depth == 1) {
            topValue();
        }
    }

    @Override
    protected void onStartContainer(int depth, boolean array, long position) {
        if (depth != 1) {
            return;
        }
        topValue();
        if (topKey == K_USAGE && !array) {
            inUsage = true;
            Arrays.fill(counts, -1);
        }
    }

    @Override
    protected void onEndContainer(int depth, boolean array, long position, boolean empty) {
        if (depth != 1) {
            return;
        }
        if (inUsage) {
            inUsage = false;
            usageComplete = true;
        } else if (topKey == K_CHOICES) {
            choicesEmpty = array && empty;
        }
    }

    // Any top-level value replaces an earlier one of the same key (the last duplicate wins, as in Python's json).
    private void topValue() {
        if (topKey == K_USAGE) {
            usageComplete = false;
        } else if (topKey == K_CHOICES) {
            choicesEmpty = false;
        }
    }

    private static boolean equals(byte[] key, int length, byte[] expected) {
        return length == expected.length && Arrays.equals(key, 0, length, expected, 0, length);
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }
}
