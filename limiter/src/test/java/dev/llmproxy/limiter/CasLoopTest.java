package dev.llmproxy.limiter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The one CAS loop: applies a step, leaves a refused or sealed word alone, and reports what the step saw. */
class CasLoopTest {
    private static final CasLoop.Step ADD = (word, arg) -> word + arg;
    private static final CasLoop.Step REFUSE = (word, arg) -> word;
    private static final CasLoop.Step SEAL = (word, arg) -> word | CasLoop.SEALED;

    @Test
    void shouldApplyTheStepAndAnswerTheWordItSaw() {
        AtomicLong cell = new AtomicLong(5);

        assertThat(CasLoop.apply(cell, ADD, 3)).isEqualTo(5);
        assertThat(cell.get()).isEqualTo(8);
    }

    @Test
    void shouldLeaveTheWordAloneWhenTheStepRefuses() {
        AtomicLong cell = new AtomicLong(5);

        assertThat(CasLoop.apply(cell, REFUSE, 3)).isEqualTo(5);
        assertThat(cell.get()).isEqualTo(5);
    }

    @Test
    void shouldNeverChangeASealedWord() {
        AtomicLong cell = new AtomicLong(7);
        assertThat(CasLoop.apply(cell, SEAL, 0)).isEqualTo(7);
        long sealed = cell.get();
        assertThat(sealed).isNegative();

        assertThat(CasLoop.apply(cell, ADD, 1)).isEqualTo(sealed);
        assertThat(CasLoop.apply(cell, SEAL, 0)).isEqualTo(sealed);
        assertThat(cell.get()).isEqualTo(sealed);
        assertThat(sealed & ~CasLoop.SEALED).isEqualTo(7);
    }

    @Test
    void shouldApplyTheStepToTheFreshWordWhenAnotherThreadWonTheRace() {
        AtomicLong cell = new AtomicLong(0);
        CasLoop.Step interfering = new CasLoop.Step() {
            private boolean first = true;

            @Override
            public long next(long word, long arg) {
                if (first) {
                    first = false;
                    cell.addAndGet(100); // another thread's CAS lands between this read and this CAS
                }
                return word + arg;
            }
        };

        assertThat(CasLoop.apply(cell, interfering, 1)).isEqualTo(100);
        assertThat(cell.get()).isEqualTo(101);
    }
}
