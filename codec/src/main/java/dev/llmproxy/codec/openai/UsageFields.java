package dev.llmproxy.codec.openai;

import dev.llmproxy.codec.internal.JsonScanner;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Collects the top-level {@code usage} object and whether top-level {@code choices} is an empty array; a capturing
 * instance also puts the top-level {@code model} and each choice's {@code finish_reason} into a {@link ResponseFacts}.
 */
final class UsageFields extends JsonScanner {
    private static final byte[] USAGE = bytes("usage");
    private static final byte[] CHOICES = bytes("choices");
    private static final byte[] MODEL = bytes("model");
    private static final byte[] FINISH_REASON = bytes("finish_reason");
    /** Longest model name captured; longer ones are left out rather than cut. */
    private static final int MAX_VALUE_BYTES = 256;
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
    private static final int K_MODEL = 3;

    private final long[] counts = new long[COUNTS.length];
    private int topKey;
    private int countKey;
    private boolean inUsage;
    private boolean usageComplete;
    private boolean choicesEmpty;
    /** Where captured facts go during {@link #scan}, or null; only a capturing instance has a value buffer. */
    private @Nullable ResponseFacts facts;
    private final byte @Nullable [] value;
    private boolean finishKey;
    /** The buffer being scanned, its index of the first byte and that byte's absolute position; during scan only. */
    private @Nullable ByteBuf window;
    private int windowIndex;
    private long windowStart;
    private long windowEnd;

    /** A non-capturing instance: usage and {@code choices} only, keys read at depths 1 and 2. */
    UsageFields() {
        this(false);
    }

    /**
     * @param capturing whether {@link #scan} may be given a {@link ResponseFacts}: the choices' keys (depth 3) are then
     *     read as well
     */
    UsageFields(boolean capturing) {
        super(capturing ? 3 : 2);
        this.value = capturing ? new byte[MAX_VALUE_BYTES] : null;
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
        finishKey = false;
    }

    /**
     * Feeds {@code buf[index, index + length)}, putting the model and finish reasons it holds into {@code into} (which
     * needs a capturing instance); null captures nothing.
     */
    void scan(ByteBuf buf, int index, int length, @Nullable ResponseFacts into) {
        if (into == null || value == null) {
            feed(buf, index, length);
            return;
        }
        facts = into;
        window = buf;
        windowIndex = index;
        windowStart = consumed();
        windowEnd = windowStart + length;
        try {
            feed(buf, index, length);
        } finally {
            facts = null;
            window = null;
        }
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
            topKey = equals(key, length, USAGE) ? K_USAGE : equals(key, length, CHOICES) ? K_CHOICES
                    : equals(key, length, MODEL) ? K_MODEL : K_OTHER;
        } else if (depth == 3) {
            finishKey = topKey == K_CHOICES && equals(key, length, FINISH_REASON);
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
            ResponseFacts into = facts;
            byte[] bytes = value;
            if (topKey == K_MODEL && into != null && bytes != null) {
                int length = copyValue(start, end, escaped, bytes);
                if (length > 0) {
                    into.model(new String(bytes, 0, length, StandardCharsets.UTF_8));
                }
            }
        } else if (depth == 3 && finishKey) {
            ResponseFacts into = facts;
            byte[] bytes = value;
            if (into != null && bytes != null) {
                int length = copyValue(start, end, escaped, bytes);
                if (length > 0) {
                    into.finishReason(bytes, 0, length);
                }
            }
        }
    }

    /**
     * Copies the content of the string at [{@code start}, {@code end}) (quotes included) into {@code into}; returns
     * its length, or -1 when it is escaped, too long, or not wholly in the buffer being scanned.
     */
    private int copyValue(long start, long end, boolean escaped, byte[] into) {
        ByteBuf buf = window;
        int length = (int) (end - start - 2);
        if (escaped || buf == null || start < windowStart || end > windowEnd || length > into.length) {
            return -1;
        }
        buf.getBytes(windowIndex + (int) (start + 1 - windowStart), into, 0, length);
        return length;
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
