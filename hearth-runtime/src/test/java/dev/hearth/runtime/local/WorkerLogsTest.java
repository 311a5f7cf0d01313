package dev.hearth.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerLogsTest {

    @TempDir
    Path tmp;

    @Test
    void missingFileHasNoLines() {
        assertThat(WorkerLogs.tail(tmp.resolve("nope.log"), 10)).isEmpty();
    }

    @Test
    void emptyFileAndZeroLinesGiveNothing() throws IOException {
        Path log = Files.writeString(tmp.resolve("w.log"), "");
        assertThat(WorkerLogs.tail(log, 10)).isEmpty();
        Files.writeString(log, "a\n");
        assertThat(WorkerLogs.tail(log, 0)).isEmpty();
    }

    @Test
    void lastLinesOfAShortFile() throws IOException {
        Path log = Files.writeString(tmp.resolve("w.log"), "one\ntwo\r\nthree\n");

        assertThat(WorkerLogs.tail(log, 2)).containsExactly("two", "three");
        assertThat(WorkerLogs.tail(log, 10)).containsExactly("one", "two", "three");
    }

    @Test
    void aLastLineWithoutNewlineCounts() throws IOException {
        Path log = Files.writeString(tmp.resolve("w.log"), "one\n\ntwo\npartial");

        assertThat(WorkerLogs.tail(log, 3)).containsExactly("", "two", "partial");
    }

    @Test
    void lastLinesOfALargeFileAcrossChunks() throws IOException {
        Path log = tmp.resolve("big.log");
        try (Writer out = Files.newBufferedWriter(log)) {
            for (int i = 0; i < 200_000; i++) {
                out.write("line " + i + " ünïcödé " + "x".repeat(i % 50) + "\n");
            }
        }
        var expected = IntStream.range(199_000, 200_000)
                .mapToObj(i -> "line " + i + " ünïcödé " + "x".repeat(i % 50)).collect(Collectors.toList());

        assertThat(WorkerLogs.tail(log, 1000)).isEqualTo(expected);
    }

    @Test
    void aHugeLineIsCutToTheByteLimit() throws IOException {
        Path log = Files.writeString(tmp.resolve("w.log"), "first\n" + "y".repeat(WorkerLogs.MAX_TAIL_BYTES + 10));

        var lines = WorkerLogs.tail(log, 2);
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst()).hasSize(WorkerLogs.MAX_TAIL_BYTES);
    }

    @Test
    void rotationKeepsOffsetsCountingAndRangesReadableAcrossBothFiles() throws IOException {
        Path log = Files.writeString(tmp.resolve("w-rot.log"), "one\ntwo\nsix\n");  // 12 bytes

        assertThat(WorkerLogs.rotateIfOver(log, 16)).isTrue();
        Files.writeString(log, "three\n", java.nio.file.StandardOpenOption.APPEND);

        assertThat(WorkerLogs.size(log)).isEqualTo(18);
        assertThat(tmp.resolve("w-rot.log.4")).hasContent("two\nsix\n");  // the last half cap is kept
        assertThat(new String(WorkerLogs.read(log, 8, 18).bytes())).isEqualTo("six\nthree\n");
        assertThat(WorkerLogs.read(log, 0, 18).start()).isEqualTo(4);
        assertThat(WorkerLogs.tail(log, 2)).containsExactly("six", "three");
    }

    @Test
    void aSecondRotationReplacesTheFirst() throws IOException {
        Path log = Files.writeString(tmp.resolve("w-rot2.log"), "aaaaaaaa\n");  // 9 bytes
        WorkerLogs.rotateIfOver(log, 16);
        Files.writeString(log, "bbbbbbbb\n", java.nio.file.StandardOpenOption.APPEND);
        WorkerLogs.rotateIfOver(log, 16);
        Files.writeString(log, "cc\n", java.nio.file.StandardOpenOption.APPEND);

        assertThat(tmp.resolve("w-rot2.log.1")).doesNotExist();
        assertThat(tmp.resolve("w-rot2.log.10")).hasContent("bbbbbbb\n");
        WorkerLogs.Range range = WorkerLogs.read(log, 0, WorkerLogs.size(log));
        assertThat(range.start()).isEqualTo(10);
        assertThat(new String(range.bytes())).isEqualTo("bbbbbbb\ncc\n");
        assertThat(WorkerLogs.diskSize(log)).isEqualTo(11);
    }

    @Test
    void aLogUnderHalfTheCapIsNotRotated() throws IOException {
        Path log = Files.writeString(tmp.resolve("w-small.log"), "four\n");

        assertThat(WorkerLogs.rotateIfOver(log, 10)).isFalse();
        assertThat(WorkerLogs.size(log)).isEqualTo(5);
    }

    @Test
    void aRemoteWorkersBatchSentTwiceIsAppendedOnce() throws IOException {
        Path log = tmp.resolve("remote/w-retry.log");

        assertThat(WorkerLogs.append(log, 0, "one\ntwo\n".getBytes())).isEqualTo(8);
        assertThat(WorkerLogs.append(log, 0, "one\ntwo\n".getBytes())).isEqualTo(8);
        // a batch that overlaps what arrived: only its new end is written
        assertThat(WorkerLogs.append(log, 4, "two\nsix\n".getBytes())).isEqualTo(12);

        assertThat(log).hasContent("one\ntwo\nsix\n");
    }

    @Test
    void appendsCountLogicalOffsetsAcrossRotation() throws IOException {
        Path log = tmp.resolve("w-remote-rot.log");
        WorkerLogs.append(log, 0, "one\ntwo\nsix\n".getBytes());
        WorkerLogs.rotateIfOver(log, 16);

        assertThat(WorkerLogs.append(log, 12, "three\n".getBytes())).isEqualTo(18);
        assertThat(WorkerLogs.append(log, 12, "three\n".getBytes())).isEqualTo(18);

        assertThat(new String(WorkerLogs.read(log, 8, 18).bytes())).isEqualTo("six\nthree\n");
    }

    @Test
    void aStreamAheadOfTheLogIsAppendedAtItsEnd() throws IOException {
        Path log = tmp.resolve("w-gap.log");
        WorkerLogs.append(log, 0, "a\n".getBytes());

        assertThat(WorkerLogs.append(log, 100, "b\n".getBytes())).isEqualTo(4);

        assertThat(log).hasContent("a\nb\n");
    }
}
