package dev.llmproxy.codec.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran. Registered for every test class through JUnit's
 * extension auto-detection (see the surefire configuration in the parent pom).
 *
 * <p>Netty only notices a leak when the leaked buffer has been garbage-collected and a later allocation polls the
 * detector's reference queue, so this collects garbage and allocates a few tracked buffers before looking.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoLeaks(context.getDisplayName());
    }

    /**
     * Collects garbage, makes Netty look for leaked buffers, and throws {@link AssertionError} if it reported any
     * since the last check. Tests that want a leak pinned on one case (a table-driven test) call it after each.
     *
     * @param what names what ran, for the message
     */
    public static void assertNoLeaks(String what) {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            pokeDetectors();
        }
        if (FailingLeakDetector.REPORTS.isEmpty()) {
            return;
        }
        List<String> reports = new ArrayList<>(FailingLeakDetector.REPORTS);
        FailingLeakDetector.REPORTS.clear();
        throw new AssertionError(reports.size() + " Netty buffer leak(s) detected while running " + what + ":\n"
                + String.join("\n\n", reports));
    }

    private static void pokeDetectors() {
        for (int i = 0; i < 64; i++) {
            ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(8);
            pooled.release();
            ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
            unpooled.release();
        }
    }
}
