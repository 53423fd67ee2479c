package dev.llmproxy.bench.mock;

/**
 * The piece of text a stamping mock ({@link MockProviderConfig#stampChunks()}) sends as each paced content chunk: its
 * send time. A tilde, {@link System#nanoTime()} in 16 lower-case hex digits, and a space. Translation keeps text
 * as it is, so the stamp reaches a client whatever wire format the proxy puts it in; a client in the same process
 * (the bench's load generator, which reads this format back) subtracts it from the chunk's arrival to get the time
 * the chunk spent on its way, and can tell a chunk held back from one merely late.
 *
 * <p>Thread-safety: stateless.
 */
final class SendStamp {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private SendStamp() {}

    /** The stamp of {@link System#nanoTime()} now. */
    static String now() {
        return of(System.nanoTime());
    }

    /** The stamp of {@code nanoTime}. */
    static String of(long nanoTime) {
        char[] text = new char[18];
        text[0] = '~';
        for (int i = 16; i >= 1; i--) {
            text[i] = HEX[(int) (nanoTime & 0xf)];
            nanoTime >>>= 4;
        }
        text[17] = ' ';
        return new String(text);
    }
}
