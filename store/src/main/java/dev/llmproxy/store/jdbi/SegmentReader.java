package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.SpendRecord;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads a journal segment frame by frame (see {@link SpendJournal}). Stops at the end of the file or at the first
 * frame that is short, too long or fails its CRC (a torn write at a crash); {@link #corrupt()} then says so. Not
 * thread-safe.
 */
final class SegmentReader implements Closeable {
    private final Path path;
    private final DataInputStream in;
    private boolean done;
    private boolean corrupt;

    private SegmentReader(Path path, DataInputStream in) {
        this.path = path;
        this.in = in;
    }

    static SegmentReader open(Path path) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16));
        SegmentReader reader = new SegmentReader(path, in);
        try {
            int magic = in.readInt();
            short version = in.readShort();
            if (magic != SpendJournal.MAGIC || version != SpendJournal.FORMAT_VERSION) {
                reader.done = true;
                reader.corrupt = true;
            }
        } catch (EOFException e) {
            // A crash between creating the file and writing its header: nothing in it was ever acknowledged.
            reader.done = true;
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return reader;
    }

    /** Up to {@code max} next records; empty at the end. */
    List<SpendRecord> next(int max) throws IOException {
        List<SpendRecord> out = new ArrayList<>(Math.min(max, 1024));
        CRC32C crc = new CRC32C();
        while (!done && out.size() < max) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                // A clean end, or a torn length field: either way no whole frame follows.
                done = true;
                break;
            }
            if (length <= 0 || length > SpendJournal.MAX_FRAME_BYTES) {
                stopCorrupt();
                break;
            }
            byte[] payload = new byte[length];
            int expectedCrc;
            try {
                expectedCrc = in.readInt();
                in.readFully(payload);
            } catch (EOFException e) {
                stopCorrupt();
                break;
            }
            crc.reset();
            crc.update(payload);
            if ((int) crc.getValue() != expectedCrc) {
                stopCorrupt();
                break;
            }
            try {
                out.add(SpendRecordCodec.decode(new DataInputStream(new ByteArrayInputStream(payload))));
            } catch (IOException e) {
                stopCorrupt();
                break;
            }
        }
        return out;
    }

    /** Whether reading stopped at a damaged frame rather than at the end of the file. */
    boolean corrupt() {
        return corrupt;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private void stopCorrupt() {
        done = true;
        corrupt = true;
    }
}
