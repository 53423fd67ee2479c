package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.SpendRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The binary form of a {@link SpendRecord} in the journal: the fields in declaration order; strings as a length
 * ({@code -1} for null) and UTF-8 bytes, instants as epoch seconds and nanos, tags as a count and strings. A leading
 * version byte lets a later format read this one. Thread-safe (stateless).
 */
final class SpendRecordCodec {
    static final byte VERSION = 1;

    /** Refuses absurd lengths read from a damaged file before allocating for them. */
    private static final int MAX_STRING_BYTES = 1 << 20;

    private SpendRecordCodec() {}

    static byte[] encode(SpendRecord r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writeString(out, r.requestId());
            writeString(out, r.callType());
            writeString(out, r.apiKey());
            out.writeDouble(r.spend());
            out.writeInt(r.promptTokens());
            out.writeInt(r.completionTokens());
            out.writeInt(r.totalTokens());
            writeInstant(out, r.startTime());
            writeInstant(out, r.endTime());
            writeString(out, r.model());
            writeString(out, r.modelId());
            writeString(out, r.modelGroup());
            writeString(out, r.customLlmProvider());
            writeString(out, r.apiBase());
            writeString(out, r.userId());
            writeString(out, r.teamId());
            writeString(out, r.endUser());
            out.writeInt(r.requestTags().size());
            for (String tag : r.requestTags()) {
                writeString(out, tag);
            }
            writeString(out, r.status());
        } catch (IOException e) {
            // A ByteArrayOutputStream does not throw.
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads one record.
     *
     * @throws IOException if the bytes are not a record of a known version (the caller treats it as corrupt)
     */
    static SpendRecord decode(DataInput in) throws IOException {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown spend record version " + version);
        }
        SpendRecord.Builder b = SpendRecord.builder(required(readString(in)))
                .callType(required(readString(in)))
                .apiKey(required(readString(in)))
                .spend(in.readDouble())
                .promptTokens(in.readInt())
                .completionTokens(in.readInt())
                .totalTokens(in.readInt())
                .startTime(readInstant(in))
                .endTime(readInstant(in))
                .model(required(readString(in)))
                .modelId(required(readString(in)))
                .modelGroup(required(readString(in)))
                .customLlmProvider(required(readString(in)))
                .apiBase(required(readString(in)))
                .userId(readString(in))
                .teamId(readString(in))
                .endUser(readString(in));
        int tagCount = in.readInt();
        if (tagCount < 0 || tagCount > MAX_STRING_BYTES) {
            throw new IOException("bad tag count " + tagCount);
        }
        List<String> tags = new ArrayList<>(Math.min(tagCount, 64));
        for (int i = 0; i < tagCount; i++) {
            tags.add(required(readString(in)));
        }
        b.requestTags(tags).status(required(readString(in)));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid spend record: " + e.getMessage(), e);
        }
    }

    private static void writeString(DataOutputStream out, @Nullable String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static @Nullable String readString(DataInput in) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw new IOException("bad string length " + length);
        }
        byte[] utf8 = new byte[length];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static String required(@Nullable String s) throws IOException {
        if (s == null) {
            throw new IOException("missing required string");
        }
        return s;
    }

    private static void writeInstant(DataOutputStream out, Instant instant) throws IOException {
        out.writeLong(instant.getEpochSecond());
        out.writeInt(instant.getNano());
    }

    private static Instant readInstant(DataInput in) throws IOException {
        long seconds = in.readLong();
        int nanos = in.readInt();
        try {
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (RuntimeException e) {
            throw new IOException("bad instant", e);
        }
    }
}
