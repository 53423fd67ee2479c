package dev.llmproxy.proxy.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Listeners composed into one: every listener sees every record, whatever the others do. */
class CallListenersTest {
    private static final CallRecord RECORD = new CallRecord("id", null, null, null, null, null, 200, null, false,
            null, 0, 0, 0, 0, List.of());

    @Test
    void shouldCallEveryListenerInOrderWhenOneThrows() {
        List<String> seen = new ArrayList<>();
        CallListeners listeners = CallListeners.of(List.of(
                record -> seen.add("first"),
                record -> {
                    throw new IllegalStateException("broken");
                },
                record -> {
                    throw new AssertionError("broken too");
                },
                record -> seen.add("last")));

        listeners.onCallEnded(RECORD);
        listeners.onCallEnded(RECORD);

        assertThat(seen).containsExactly("first", "last", "first", "last");
    }

    @Test
    void shouldDoNothingWhenNoListenerIsRegistered() {
        CallListeners.of(List.of()).onCallEnded(RECORD);
    }
}
