package dev.llmproxy.codec.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ResourceLeakDetector} that remembers every leak Netty reports so that {@link LeakCheckExtension} can fail
 * the test class that leaked. Installed for every test JVM by {@code -Dio.netty.customResourceLeakDetector}.
 *
 * <p>Thread-safety: reports arrive on whatever thread polls the reference queue; the list is concurrent.
 */
public final class FailingLeakDetector<T> extends ResourceLeakDetector<T> {
    static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    public FailingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval, maxActive);
    }

    public FailingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        REPORTS.add("LEAK of " + resourceType + ":" + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        REPORTS.add("LEAK of " + resourceType + " (no records)");
        super.reportUntracedLeak(resourceType);
    }
}
