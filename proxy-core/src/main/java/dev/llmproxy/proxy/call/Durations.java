package dev.llmproxy.proxy.call;

/** Formats durations for the {@code x-litellm-*-duration-ms} headers. */
final class Durations {
    private Durations() {}

    /** {@code nanos} as milliseconds with three decimals, e.g. {@code 12.345}; negative values count as 0. */
    static String millis(long nanos) {
        long micros = Math.max(0, nanos) / 1_000;
        long fraction = micros % 1_000;
        StringBuilder text = new StringBuilder(12).append(micros / 1_000).append('.');
        if (fraction < 100) {
            text.append('0');
        }
        if (fraction < 10) {
            text.append('0');
        }
        return text.append(fraction).toString();
    }
}
