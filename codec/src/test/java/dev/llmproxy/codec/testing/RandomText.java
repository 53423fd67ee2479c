package dev.llmproxy.codec.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random texts for differential tests: words with the characters translators get wrong (quotes, backslashes, control
 * characters, a character outside the BMP, U+2028), and texts cut into the deltas a provider streams.
 */
public final class RandomText {
    private static final String[] WORDS = {"Hello", " world", "é", "\"quoted\"", "\\", "\n", "😀", " {x}", "\t", "</s>",
        "a\u2028b", " the"};

    private RandomText() {
    }

    /** {@code count} random words, joined. */
    public static String words(Random random, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }

    /** {@code text} cut at random code-point boundaries (a delta never splits a character) into pieces of 1 to 8. */
    public static List<String> pieces(String text, Random random) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + 1 + random.nextInt(8));
            if (end < text.length() && Character.isLowSurrogate(text.charAt(end))) {
                end++;
            }
            pieces.add(text.substring(start, end));
            start = end;
        }
        return pieces;
    }
}
