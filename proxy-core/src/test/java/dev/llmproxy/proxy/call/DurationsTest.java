package dev.llmproxy.proxy.call;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0.000",
        "999, 0.000",
        "1000, 0.001",
        "10000, 0.010",
        "100000, 0.100",
        "1000000, 1.000",
        "12345678, 12.345",
        "1500000000, 1500.000",
        "-5, 0.000",
        "-1000000000, 0.000"})
    void shouldFormatMillisWithThreeDecimalsWhenGivenNanos(long nanos, String expected) {
        assertThat(Durations.millis(nanos)).isEqualTo(expected);
    }
}
