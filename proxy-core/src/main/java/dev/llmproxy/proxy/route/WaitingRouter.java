package dev.llmproxy.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.openai.Usage;
import dev.llmproxy.proxy.config.CapacityWait;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * One queue per model group (ConcurrentHashMap, made on the group's first call with get-then-putIfAbsent), shared by
 * every event loop: a ConcurrentLinkedQueue of waiters in arrival order, a size counter that bounds it, and a flag
 * that at most one drain is scheduled.
 *
 * First come, first served: while a group's queue is not empty, acquire() answers null to a call's first acquire, so
 * that a newcomer queues behind the waiters instead of taking the capacity they wait for (a call's retries, which hold
 * a tried set, pass: they continue a call that already had its turn).
 *
 * Draining. When a waiter is queued and no drain is scheduled, one is scheduled on the head waiter's event loop after
 * the delegate's retryAfterMillis (when the earliest deployment frees up; 1 s for a parallel-call limit, since
 * nobody knows when a call ends). The drain, on whatever thread the timer fires, walks the queue from its head:
 *   1. a head that is no longer waiting (expired or cancelled) is removed;
 *   2. otherwise the delegate's acquire is asked for a lease; none: stop;
 *   3. the head's state moves WAITING -> GRANTED by CAS; if that fails (it expired or was cancelled at that instant)
 *      the lease is given back unused; else the head is removed and the lease handed to its event loop.
 * Then the flag is cleared and, if waiters remain, the next drain is scheduled. A waiter queued while a drain ran
 * finds the flag set and relies on that drain's rescheduling, which reads the queue after clearing the flag, so no
 * waiter is left without a scheduled drain.
 *
 * Waking. Every lease this router hands out is wrapped so that its release, when calls wait, runs a grant pass on the
 * head waiter's event loop: a freed parallel slot (or a refunded request) goes to the first waiter at once rather
 * than at the next scheduled drain, which for max_parallel_requests comes only every second. A grant pass may run
 * beside a scheduled drain; the CAS of step 3 keeps each waiter granted at most once.
 *
 * Expiry and cancellation move WAITING -> EXPIRED/CANCELLED by CAS (exactly one of grant, expiry and cancellation
 * wins) and remove the waiter from the queue (a linear scan of a queue bounded by max_queue).
 */
/**
 * A router that lets calls wait for capacity instead of answering 429 at once (llmproxy's
 * {@code router_settings.wait_for_capacity_timeout}): every call that finds no deployment of its group admitted waits
 * in a first-come first-served queue of at most {@code wait_for_capacity_max_queue} calls per group, for at most the
 * timeout, and is admitted when a deployment's limits allow. Picking and limits are the delegate's.
 *
 * <p>Thread-safety: thread-safe and lock-free; shared by every event loop.
 */
public final class WaitingRouter implements Router {
    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int ENDED = 2;
    /** The least time between two drains, so that a router answering "now" while refusing cannot spin a loop. */
    private static final long MIN_DRAIN_DELAY_MILLIS = 10;

    private final Router delegate;
    private final CapacityWait settings;
    private final Supplier<RandomGenerator> random;
    private final ConcurrentHashMap<String, GroupQueue> queues = new ConcurrentHashMap<>();

    /**
     * @param delegate picks and admits
     * @param random the random source of the calling thread, for the picks a drain makes
     */
    public WaitingRouter(Router delegate, CapacityWait settings, Supplier<RandomGenerator> random) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.settings = requireNonNull(settings, "settings");
        this.random = requireNonNull(random, "random");
    }

    @Override
    public @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random) {
        return acquire(route, tried, random, false);
    }

    @Override
    public @Nullable Lease acquire(ModelRoute route, @Nullable TriedDeployments tried, RandomGenerator random,
            boolean stream) {
        GroupQueue queue = queue(route);
        if (tried == null && queue.size.get() > 0) {
            return null;
        }
        Lease lease = delegate.acquire(route, tried, random, stream);
        return lease == null ? null : queue.waking(lease);
    }

    /** The queue of {@code route}'s group, made on first use (the number of groups is bounded by the config). */
    private GroupQueue queue(ModelRoute route) {
        GroupQueue queue = queues.get(route.modelGroup());
        if (queue == null) {
            GroupQueue made = new GroupQueue();
            queue = queues.putIfAbsent(route.modelGroup(), made);
            if (queue == null) {
                queue = made;
            }
        }
        return queue;
    }

    @Override
    public @Nullable GroupQuota quota(ModelRoute route) {
        return delegate.quota(route);
    }

    @Override
    public @Nullable GroupQuota deploymentQuota(Deployment deployment) {
        return delegate.deploymentQuota(deployment);
    }

    @Override
    public long retryAfterMillis(ModelRoute route) {
        return delegate.retryAfterMillis(route);
    }

    @Override
    public @Nullable Lease acquireProbe(Target target) {
        return delegate.acquireProbe(target);
    }

    @Override
    public CapacityWaiter.@Nullable Ticket await(ModelRoute route, boolean stream, CapacityWaiter waiter) {
        long maxWaitMillis = settings.maxWait().toMillis();
        if (delegate.retryAfterMillis(route) > maxWaitMillis) {
            return null;
        }
        GroupQueue queue = queue(route);
        if (queue.size.incrementAndGet() > settings.maxQueue()) {
            queue.size.decrementAndGet();
            return null;
        }
        Waiter entry = new Waiter(queue, route, stream, waiter);
        queue.waiters.add(entry);
        entry.timeout = waiter.executor().schedule(entry::expire, maxWaitMillis, TimeUnit.MILLISECONDS);
        queue.scheduleDrain(route, entry);
        return entry;
    }

    /** The waiters of one model group. Thread-safety: lock-free. */
    private final class GroupQueue {
        final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
        /** Waiters not yet granted, expired or cancelled. */
        final AtomicInteger size = new AtomicInteger();
        /** Whether a drain is scheduled or running. */
        final AtomicBoolean draining = new AtomicBoolean();

        void scheduleDrain(ModelRoute route, Waiter head) {
            if (!draining.compareAndSet(false, true)) {
                return;
            }
            long delay = Math.max(MIN_DRAIN_DELAY_MILLIS, delegate.retryAfterMillis(route));
            head.waiter.executor().schedule(() -> drain(route), delay, TimeUnit.MILLISECONDS);
        }

        /** The scheduled drain: grants what it can, then schedules the next one while calls wait. */
        private void drain(ModelRoute route) {
            grantWhileAdmitted();
            draining.set(false);
            Waiter next = waiters.peek();
            if (next != null) {
                scheduleDrain(next.route, next);
            }
        }

        /**
         * Grants waiters from the head while the delegate admits them. Two runs at once (a scheduled drain and a
         * release's wake-up) are safe: each grant is a CAS on the waiter's state, and a lease taken for a waiter
         * another run granted first is given back unused.
         */
        private void grantWhileAdmitted() {
            for (Waiter head = waiters.peek(); head != null; head = waiters.peek()) {
                if (head.state.get() != WAITING) {
                    waiters.remove(head);
                    continue;
                }
                Lease lease = delegate.acquire(head.route, null, random.get(), head.stream);
                if (lease == null) {
                    break;
                }
                waiters.remove(head);
                if (head.state.compareAndSet(WAITING, GRANTED)) {
                    size.decrementAndGet();
                    head.grant(waking(lease));
                } else {
                    lease.release(0, null);
                }
            }
        }

        /**
         * {@code lease}, made to wake the queue when it is released: a freed parallel slot is handed to the first
         * waiter at once instead of at the next scheduled drain. Allocates one small object per call (only when
         * waiting for capacity is configured).
         */
        Lease waking(Lease lease) {
            return new WakingLease(lease, this);
        }

        /** Runs a grant pass on the head waiter's event loop when calls wait. */
        void wake() {
            Waiter head = waiters.peek();
            if (head != null && size.get() > 0) {
                head.waiter.executor().execute(this::grantWhileAdmitted);
            }
        }
    }

    /** A lease that wakes its group's queue once released. Thread-safety: as the lease it wraps. */
    private static final class WakingLease implements Lease {
        private final Lease inner;
        private final GroupQueue queue;

        WakingLease(Lease inner, GroupQueue queue) {
            this.inner = inner;
            this.queue = queue;
        }

        @Override
        public Target target() {
            return inner.target();
        }

        @Override
        public void release(int status, @Nullable Usage usage) {
            inner.release(status, usage);
            queue.wake();
        }
    }

    /** One waiting call. Thread-safety: its state moves once, by CAS, from WAITING. */
    private final class Waiter implements CapacityWaiter.Ticket {
        final GroupQueue queue;
        final ModelRoute route;
        final boolean stream;
        final CapacityWaiter waiter;
        final AtomicInteger state = new AtomicInteger(WAITING);
        /** Set once by the thread that queued it, right after queueing; read when the wait ends. */
        volatile @Nullable ScheduledFuture<?> timeout;

        Waiter(GroupQueue queue, ModelRoute route, boolean stream, CapacityWaiter waiter) {
            this.queue = queue;
            this.route = route;
            this.stream = stream;
            this.waiter = waiter;
        }

        void grant(Lease lease) {
            cancelTimeout();
            waiter.executor().execute(() -> waiter.granted(lease));
        }

        /** Runs on the waiter's executor when its time is up. */
        void expire() {
            if (leave()) {
                waiter.expired(delegate.retryAfterMillis(route));
            }
        }

        @Override
        public void cancel() {
            if (leave()) {
                cancelTimeout();
            }
        }

        private boolean leave() {
            if (!state.compareAndSet(WAITING, ENDED)) {
                return false;
            }
            queue.size.decrementAndGet();
            queue.waiters.remove(this);
            return true;
        }

        private void cancelTimeout() {
            ScheduledFuture<?> future = timeout;
            if (future != null) {
                future.cancel(false);
            }
        }
    }
}
