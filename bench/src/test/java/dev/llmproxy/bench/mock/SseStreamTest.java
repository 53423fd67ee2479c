package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SseStreamTest {

    @Test
    void shouldSplitEvenlyWithoutBreakingSurrogatePairsWhenContentIsSplit() {
        assertThat(SseStream.split("abcdefg", 3)).containsExactly("ab", "cd", "efg");
        assertThat(SseStream.split("a\uD83D\uDE00b", 3)).containsExactly("a", "\uD83D\uDE00", "b");
        assertThat(SseStream.split("ab", 4)).containsExactly("", "a", "", "b");
        assertThat(SseStream.split("", 2)).containsExactly("", "");
    }
}
