package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.StoreException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/*
 * Implementation notes.
 *
 * The journal is a directory of segment files, spend-<sequence>.journal, numbered upwards. Records are appended to
 * the current segment; rolling closes it, and closed segments wait until the flusher has committed them to the
 * database and deletes them. Segments found at open (a previous run that crashed, or closed while the database was
 * down) are closed segments from the start, so replay after a crash is the ordinary commit path.
 *
 * File layout: a header (int magic "LLSJ", short version), then frames: int payload length, int CRC32C of the
 * payload, payload (SpendRecordCodec). A crash can leave a torn last frame (short, or with a wrong CRC): the reader
 * stops there. Records in a torn frame were never fsynced, so they are within the documented loss window.
 *
 * Concurrency: every method takes `lock`. Writers are the journal thread and, when the queue is full, submitting
 * threads; the flusher rolls and deletes. Encoding happens before taking the lock, so the lock covers only the
 * write() calls, an fsync, or a roll. A write that fails part-way closes the segment where it is (its valid prefix
 * stays readable) so the retry starts on a fresh file instead of after a torn frame; a frame that was in fact
 * written whole is then in two segments, which the database's request-id key makes harmless.
 *
 * A lock file held for the journal's lifetime keeps a second writer in another process out of the directory; a
 * process-wide set does the same within this process.
 *
 * The directory's id (journal.id, a random UUID) names its segments in the database's table of committed segments, so
 * that instances with journals of their own never share a segment name. It is kept while segments are pending and
 * replaced when the journal opens empty, since numbering then starts again at 1.
 */

/** The spend writer's append-only journal. Thread-safe: every method holds one lock. */
final class SpendJournal implements Closeable {
    static final int MAGIC = 0x4c4c534a;
    static final short FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 6;
    static final int FRAME_HEADER_BYTES = 8;
    static final int MAX_FRAME_BYTES = 16 << 20;
    private static final String LOCK_FILE = "journal.lock";
    private static final String ID_FILE = "journal.id";
    private static final Pattern SEGMENT_NAME = Pattern.compile("spend-(\\d{20})\\.journal");

    /**
     * Journal directories open in this process. Checked before the file lock because on Linux closing any channel to
     * the lock file (as a refused second open would) drops the process's lock for every channel (FileLock Javadoc).
     */
    private static final Set<Path> OPEN_DIRECTORIES = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final Path registered;
    private final String id;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final Object lock = new Object();

    // All fields below are read and written under `lock`.
    private final ArrayDeque<Path> closedSegments;
    private @Nullable FileChannel current;
    private @Nullable Path currentPath;
    private long nextSequence;
    private int currentRecords;
    private boolean dirty;
    private boolean closed;

    private SpendJournal(Path directory, Path registered, String id, FileChannel lockChannel, FileLock fileLock,
            List<Path> existing, long nextSequence) {
        this.directory = directory;
        this.registered = registered;
        this.id = id;
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
        this.closedSegments = new ArrayDeque<>(existing);
        this.nextSequence = nextSequence;
    }

    /**
     * Opens the journal in {@code directory}, creating it if missing; segments already there are pending.
     *
     * @throws StoreException if the directory cannot be used or another writer holds it
     */
    static SpendJournal open(Path directory) {
        requireNonNull(directory, "directory");
        Path registered = directory.toAbsolutePath().normalize();
        if (!OPEN_DIRECTORIES.add(registered)) {
            throw new StoreException("spend journal " + directory + " is in use by another writer");
        }
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(directory);
            lockChannel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock fileLock = lockChannel.tryLock();
            if (fileLock == null) {
                throw new OverlappingFileLockException();
            }
            List<Path> existing = segmentsIn(directory);
            long next = existing.isEmpty() ? 1 : sequenceOf(existing.get(existing.size() - 1)) + 1;
            // With no segment pending, numbering starts again at 1, and under the old id segment 1 is already marked
            // committed in the database: its new records would be skipped as written. The id only has to outlive the
            // segments it names, so an empty journal takes a new one.
            String id = existing.isEmpty() ? newId(directory) : readOrCreateId(directory);
            return new SpendJournal(directory, registered, id, lockChannel, fileLock, existing, next);
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(lockChannel);
            OPEN_DIRECTORIES.remove(registered);
            if (e instanceof OverlappingFileLockException) {
                throw new StoreException("spend journal " + directory + " is in use by another writer", e);
            }
            throw new StoreException("cannot open the spend journal in " + directory, e);
        }
    }

    /** Appends records to the current segment, without fsync. On failure none of them count as written. */
    void append(List<SpendRecord> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        ByteBuffer frames = encode(records);
        synchronized (lock) {
            ensureOpen();
            FileChannel channel = current == null ? openNextSegment() : current;
            try {
                while (frames.hasRemaining()) {
                    channel.write(frames);
                }
            } catch (IOException e) {
                closeCurrent();
                throw e;
            }
            currentRecords += records.size();
            dirty = true;
        }
    }

    /** Forces appended records to disk. */
    void sync() throws IOException {
        synchronized (lock) {
            if (dirty && current != null) {
                current.force(false);
            }
            dirty = false;
        }
    }

    /**
     * Closes the current segment if it holds records, and returns every closed segment, oldest first.
     */
    List<Path> rollAndListClosed() throws IOException {
        synchronized (lock) {
            if (current != null && currentRecords > 0) {
                current.force(false);
                dirty = false;
                closeCurrent();
            }
            return new ArrayList<>(closedSegments);
        }
    }

    /** Deletes a committed segment. */
    void delete(Path segment) throws IOException {
        synchronized (lock) {
            closedSegments.remove(segment);
            Files.deleteIfExists(segment);
        }
    }

    /** Records in the current segment. */
    int currentRecords() {
        synchronized (lock) {
            return currentRecords;
        }
    }

    /** Segment files not yet committed, the current one included. */
    int pendingSegments() {
        synchronized (lock) {
            return closedSegments.size() + (current == null ? 0 : 1);
        }
    }

    /** Forces and closes the current segment (it stays, for the next writer) and releases the directory. */
    @Override
    public void close() throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (current != null) {
                    current.force(false);
                    closeCurrent();
                }
            } finally {
                try {
                    fileLock.release();
                    lockChannel.close();
                } finally {
                    OPEN_DIRECTORIES.remove(registered);
                }
            }
        }
    }

    /** Opens a reader over one segment. */
    static SegmentReader read(Path segment) throws IOException {
        return SegmentReader.open(segment);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("spend journal closed");
        }
    }

    private FileChannel openNextSegment() throws IOException {
        Path path = directory.resolve(String.format("spend-%020d.journal", nextSequence++));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putShort(FORMAT_VERSION).flip();
            while (header.hasRemaining()) {
                channel.write(header);
            }
            syncDirectory();
        } catch (IOException e) {
            closeQuietly(channel);
            Files.deleteIfExists(path);
            throw e;
        }
        current = channel;
        currentPath = path;
        currentRecords = 0;
        return channel;
    }

    private void closeCurrent() {
        FileChannel channel = current;
        Path path = currentPath;
        current = null;
        currentPath = null;
        currentRecords = 0;
        closeQuietly(channel);
        if (path != null) {
            closedSegments.add(path);
        }
    }

    /** Makes a new segment's directory entry durable, so that a crash cannot lose the file itself. */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some platforms cannot open or force a directory; the file's own fsync still holds its records.
        }
    }

    private static ByteBuffer encode(List<SpendRecord> records) {
        List<byte[]> payloads = new ArrayList<>(records.size());
        int size = 0;
        for (SpendRecord record : records) {
            byte[] payload = SpendRecordCodec.encode(record);
            payloads.add(payload);
            size += FRAME_HEADER_BYTES + payload.length;
        }
        ByteBuffer frames = ByteBuffer.allocate(size);
        CRC32C crc = new CRC32C();
        for (byte[] payload : payloads) {
            crc.reset();
            crc.update(payload);
            frames.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        }
        return frames.flip();
    }

    private static List<Path> segmentsIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> SEGMENT_NAME.matcher(p.getFileName().toString()).matches())
                    .sorted()
                    .toList();
        }
    }

    /** The segment's name in the database's table of committed segments: this journal's id and its sequence. */
    String segmentId(Path segment) {
        return id + "/" + sequenceOf(segment);
    }

    private static String readOrCreateId(Path directory) throws IOException {
        Path file = directory.resolve(ID_FILE);
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!id.isEmpty()) {
                return id;
            }
        }
        return newId(directory);
    }

    private static String newId(Path directory) throws IOException {
        Path file = directory.resolve(ID_FILE);
        String id = UUID.randomUUID().toString();
        Path temporary = directory.resolve(ID_FILE + ".tmp");
        Files.writeString(temporary, id, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    private static long sequenceOf(Path segment) {
        Matcher m = SEGMENT_NAME.matcher(segment.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a segment: " + segment);
        }
        return Long.parseLong(m.group(1));
    }

    private static void closeQuietly(@Nullable FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Closing after a failure or for a read: there is nothing left to save and nobody to tell.
        }
    }
}
