package dev.llmproxy.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepeatsTest {

    @Test
    void shouldTakeMiddleValueWhenCountIsOdd() {
        Spread spread = new Repeats<>(List.of(5.0, 1.0, 3.0)).stat(Double::doubleValue);

        assertThat(spread).isEqualTo(new Spread(3.0, 1.0, 5.0, 3));
    }

    @Test
    void shouldAverageMiddleValuesWhenCountIsEven() {
        assertThat(new Repeats<>(List.of(4.0, 1.0, 2.0, 8.0)).stat(Double::doubleValue).median()).isEqualTo(3.0);
    }

    @Test
    void shouldIgnoreNanWhenSomeRepeatsMeasuredNothing() {
        Spread spread = new Repeats<>(List.of(Double.NaN, 2.0)).stat(Double::doubleValue);

        assertThat(spread.median()).isEqualTo(2.0);
        assertThat(spread.count()).isEqualTo(1);
        assertThat(new Repeats<>(List.of(Double.NaN)).stat(Double::doubleValue).isMeasured()).isFalse();
    }

    @Test
    void shouldPairRepeatsWhenSubtracting() {
        Repeats<Double> proxy = new Repeats<>(List.of(10.0, 50.0, 12.0));
        Repeats<Double> direct = new Repeats<>(List.of(9.0, 48.0, 10.0));

        assertThat(proxy.minus(direct, Double::doubleValue)).isEqualTo(new Spread(2.0, 1.0, 2.0, 3));
        assertThat(proxy.ratio(direct, Double::doubleValue).max()).isEqualTo(1.2);
        assertThat(proxy.sum(Double::longValue)).isEqualTo(72);
    }

    @Test
    void shouldRejectDifferentRepeatCountsWhenSubtracting() {
        assertThatThrownBy(() -> Repeats.of(1.0).minus(new Repeats<>(List.of(1.0, 2.0)), Double::doubleValue))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReverseTargetOrderWhenRepeatIsOdd() {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        Target direct = new Target("direct", address, "m", null);
        Target proxy = new Target("llmproxy", address, "m", null);
        Target nginx = new Target("nginx", address, "m", null);
        Lineup lineup = new Lineup(direct, proxy, nginx);

        assertThat(lineup.order(0)).containsExactly(direct, proxy, nginx);
        assertThat(lineup.order(1)).containsExactly(nginx, proxy, direct);
        assertThat(lineup.order(2)).containsExactly(direct, proxy, nginx);
        assertThat(new Lineup(direct, proxy, null).order(1)).containsExactly(proxy, direct);
    }
}
