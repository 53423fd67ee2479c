package dev.llmproxy.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.StoreException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's files: segments, rolling, reading back, torn tails, and one writer per directory. */
class SpendJournalTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadBackEveryRecordInOrderAcrossSegments() throws IOException {
        List<SpendRecord> written = records("seg", 0, 250);
        try (SpendJournal journal = SpendJournal.open(dir)) {
            journal.append(written.subList(0, 100));
            journal.append(written.subList(100, 150));
            assertThat(journal.currentRecords()).isEqualTo(150);
            assertThat(journal.rollAndListClosed()).hasSize(1);
            journal.append(written.subList(150, 250));
            journal.sync();
            List<Path> segments = journal.rollAndListClosed();

            assertThat(segments).hasSize(2);
            assertThat(readAll(segments)).isEqualTo(written);
            assertThat(journal.pendingSegments()).isEqualTo(2);
            journal.delete(segments.get(0));
            assertThat(journal.pendingSegments()).isEqualTo(1);
            assertThat(segments.get(0)).doesNotExist();
        }
    }

    @Test
    void shouldNotCreateEmptySegments() throws IOException {
        try (SpendJournal journal = SpendJournal.open(dir)) {
            journal.append(List.of());
            journal.sync();
            assertThat(journal.rollAndListClosed()).isEmpty();
            assertThat(journal.pendingSegments()).isZero();
        }
    }

    @Test
    void shouldTakeANewIdWhenOpenedWithNoSegmentPending() throws IOException {
        String first;
        try (SpendJournal journal = SpendJournal.open(dir)) {
            journal.append(records("old", 0, 3));
            List<Path> segments = journal.rollAndListClosed();
            first = journal.segmentId(segments.get(0));
            for (Path segment : segments) {
                journal.delete(segment);
            }
        }
        try (SpendJournal journal = SpendJournal.open(dir)) {
            journal.append(records("new", 0, 2));
            Path segment = journal.rollAndListClosed().get(0);

            assertThat(segment.getFileName().toString()).isEqualTo("spend-00000000000000000001.journal");
            assertThat(journal.segmentId(segment)).endsWith("/1").isNotEqualTo(first);
        }
    }

    @Test
    void shouldKeepItsIdWhileASegmentIsPending() throws IOException {
        String first;
        try (SpendJournal journal = SpendJournal.open(dir)) {
            journal.append(records("old", 0, 3));
            first = journal.segmentId(journal.rollAndListClosed().get(0));
        }
        try (SpendJournal journal = SpendJournal.open(dir)) {
            assertThat(journal.segmentId(journal.rollAndListClosed().get(0))).isEqualTo(first);
        }
    }

    @Test
    void shouldFindSegmentsOfAnEarlierRunAndNumberNewOnesAfterThem() throws IOException {
        try (SpendJournal journal = SpendJournal.open(dir)) {
            journal.append(records("old", 0, 3));
        }
        try (SpendJournal journal = SpendJournal.open(dir)) {
            assertThat(journal.pendingSegments()).isEqualTo(1);
            journal.append(records("new", 0, 2));
            List<Path> segments = journal.rollAndListClosed();
            assertThat(segments).extracting(p -> p.getFileName().toString())
                    .containsExactly("spend-00000000000000000001.journal", "spend-00000000000000000002.journal");
            assertThat(readAll(segments)).hasSize(5);
        }
    }

    @Test
    void shouldStopAtATornOrDamagedFrameAndKeepWhatPrecedesIt() throws IOException {
        Path segment;
        try (SpendJournal journal = SpendJournal.open(dir)) {
            journal.append(records("torn", 0, 10));
            segment = journal.rollAndListClosed().get(0);
        }
        long full = Files.size(segment);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(full - 3);
        }
        try (SegmentReader reader = SpendJournal.read(segment)) {
            assertThat(reader.next(100)).hasSize(9);
            assertThat(reader.next(100)).isEmpty();
            assertThat(reader.corrupt()).isTrue();
        }

        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            // Flip one payload byte of the second frame: its CRC no longer matches.
            int firstFrame = SpendJournal.FRAME_HEADER_BYTES + SpendRecordCodec.encode(records("torn", 0, 1).get(0))
                    .length;
            file.seek(SpendJournal.HEADER_BYTES + firstFrame + SpendJournal.FRAME_HEADER_BYTES + 5);
            int b = file.read();
            file.seek(SpendJournal.HEADER_BYTES + firstFrame + SpendJournal.FRAME_HEADER_BYTES + 5);
            file.write(b ^ 0xff);
        }
        try (SegmentReader reader = SpendJournal.read(segment)) {
            assertThat(reader.next(100)).hasSize(1);
            assertThat(reader.corrupt()).isTrue();
        }
    }

    @Test
    void shouldTreatAFileWithoutHeaderAsEmpty() throws IOException {
        Path segment = dir.resolve("spend-00000000000000000007.journal");
        Files.write(segment, new byte[] {0x4c, 0x4c});
        try (SegmentReader reader = SpendJournal.read(segment)) {
            assertThat(reader.next(10)).isEmpty();
            assertThat(reader.corrupt()).isFalse();
        }
    }

    @Test
    void shouldAllowOneJournalPerDirectory() throws IOException {
        try (SpendJournal journal = SpendJournal.open(dir)) {
            assertThatThrownBy(() -> SpendJournal.open(dir))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("in use");
        }
        SpendJournal.open(dir).close();
    }

    @Test
    void shouldRoundTripEveryFieldThroughTheCodec() throws IOException {
        SpendRecord full = SpendFixture.record("codec", 6);
        SpendRecord sparse = SpendRecord.builder("sparse").build();
        try (SpendJournal journal = SpendJournal.open(dir)) {
            journal.append(List.of(full, sparse));
            assertThat(readAll(journal.rollAndListClosed())).containsExactly(full, sparse);
        }
    }

    static List<SpendRecord> records(String prefix, int from, int to) {
        List<SpendRecord> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(SpendFixture.record(prefix, i));
        }
        return out;
    }

    private static List<SpendRecord> readAll(List<Path> segments) throws IOException {
        List<SpendRecord> out = new ArrayList<>();
        for (Path segment : segments) {
            try (SegmentReader reader = SpendJournal.read(segment)) {
                List<SpendRecord> batch;
                while (!(batch = reader.next(7)).isEmpty()) {
                    out.addAll(batch);
                }
                assertThat(reader.corrupt()).isFalse();
            }
        }
        return out;
    }
}
