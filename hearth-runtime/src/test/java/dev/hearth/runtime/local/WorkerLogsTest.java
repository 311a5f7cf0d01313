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
}
