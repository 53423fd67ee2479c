package dev.llmproxy.proxy.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The proxy-wide limit of calls in flight: exact under contention, and a slot comes back when a call ends. */
class CallsInFlightTest {

    @Test
    void shouldAdmitExactlyTheLimitWhenManyThreadsRaceForIt() throws InterruptedException {
        CallsInFlight gate = new CallsInFlight(100);
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    if (gate.tryAcquire()) {
                        admitted.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(admitted).hasValue(100);
        assertThat(gate.tryAcquire()).isFalse();
        gate.release();
        assertThat(gate.tryAcquire()).isTrue();
    }
}
