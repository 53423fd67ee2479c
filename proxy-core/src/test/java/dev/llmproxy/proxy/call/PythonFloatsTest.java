package dev.llmproxy.proxy.call;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PythonFloatsTest {

    /**
     * Each expected text is what CPython 3 prints for {@code str(value)}. Subnormal values are left out: for them
     * Java's digits can differ from Python's ({@code 4.9e-324} for {@code 5e-324}), and no cost is that small.
     */
    @ParameterizedTest
    @CsvSource({
            "0.0, 0.0",
            "2.25e-05, 2.25e-05",
            "1e-05, 1e-05",
            "0.0001, 0.0001",
            "0.00012, 0.00012",
            "0.01, 0.01",
            "0.25, 0.25",
            "1.0, 1.0",
            "3.0, 3.0",
            "12.5, 12.5",
            "100.0, 100.0",
            "10000000.0, 10000000.0",
            "1234567890123456.0, 1234567890123456.0",
            "1e16, 1e+16",
            "1.5e16, 1.5e+16",
            "1e22, 1e+22",
            "1.2345e-10, 1.2345e-10",
            "1e-300, 1e-300",
            "1.7976931348623157e308, 1.7976931348623157e+308",
            "-0.5, -0.5",
            "-2.5e-07, -2.5e-07"})
    void shouldWriteADoubleAsPythonsStrDoes(double value, String python) {
        assertThat(PythonFloats.repr(value)).isEqualTo(python);
    }

    @ParameterizedTest
    @CsvSource({"0.1, 0.2, 0.30000000000000004", "1.5e-05, 7.5e-06, 2.25e-05", "0.001, 0.002, 0.003"})
    void shouldWriteTheShortestDigitsThatReadBackAsTheSameSum(double a, double b, String python) {
        double sum = a + b;

        assertThat(PythonFloats.repr(sum)).isEqualTo(python);
        assertThat(Double.parseDouble(PythonFloats.repr(sum))).isEqualTo(sum);
    }

    @ParameterizedTest
    @CsvSource({"NaN, nan", "Infinity, inf", "-Infinity, -inf", "-0.0, -0.0"})
    void shouldWriteTheSpecialValuesAsPythonDoes(double value, String python) {
        assertThat(PythonFloats.repr(value)).isEqualTo(python);
    }
}
