package dev.llmproxy.bench.load;

import java.util.Arrays;

/**
 * The content chunks of the complete streams a lane recorded, with their send stamps and arrival times, for
 * {@link ChunkDelays} to judge across all streams once the run is over. Chunks without a send stamp are counted with
 * their stream but not kept.
 *
 * <p>Thread-safety: confined to the lane's event loop until the lane is done; read afterwards by the thread that
 * waited for it.
 */
final class ChunkLog {
    private long[] sends = new long[1024];
    private long[] arrivals = new long[1024];
    private int[] streamOf = new int[1024];
    private int[] indexOf = new int[1024];
    private int size;
    private int streams;
    private int stampedStreams;

    /** Adds a complete stream's chunks. */
    void add(StreamProbe probe) {
        int stream = streams++;
        boolean stamped = false;
        for (int k = 0; k < probe.events(); k++) {
            long sent = probe.sent(k);
            if (sent == SseEventScanner.NO_STAMP) {
                continue;
            }
            if (size == sends.length) {
                sends = Arrays.copyOf(sends, size * 2);
                arrivals = Arrays.copyOf(arrivals, size * 2);
                streamOf = Arrays.copyOf(streamOf, size * 2);
                indexOf = Arrays.copyOf(indexOf, size * 2);
            }
            sends[size] = sent;
            arrivals[size] = probe.arrival(k);
            streamOf[size] = stream;
            indexOf[size] = k;
            size++;
            stamped = true;
        }
        if (stamped) {
            stampedStreams++;
        }
    }

    int size() {
        return size;
    }

    int streams() {
        return streams;
    }

    int stampedStreams() {
        return stampedStreams;
    }

    long sent(int chunk) {
        return sends[chunk];
    }

    long arrival(int chunk) {
        return arrivals[chunk];
    }

    int streamOf(int chunk) {
        return streamOf[chunk];
    }

    /** The chunk's place in its stream, 0 for the first content chunk. */
    int indexOf(int chunk) {
        return indexOf[chunk];
    }
}
