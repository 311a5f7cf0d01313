package dev.hearth.server.workers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerLogJanitorTest {

    static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    @TempDir
    Path root;

    Path log(String function, String worker, int bytes, Duration age) throws IOException {
        Path f = Files.createDirectories(root.resolve(function)).resolve(worker + ".log");
        Files.write(f, new byte[bytes]);
        Files.setLastModifiedTime(f, FileTime.from(NOW.minus(age)));
        return f;
    }

    WorkerLogJanitor janitor(long functionMax) {
        return new WorkerLogJanitor(root, List::of, 1 << 20, functionMax, Duration.ofHours(24),
                InstantSource.fixed(NOW));
    }

    @Test
    void logsOfWorkersGoneLongerThanTheRetentionExpire() throws IOException {
        Path old = log("echo", "w-echo-1", 10, Duration.ofHours(25));
        Path recent = log("echo", "w-echo-2", 10, Duration.ofHours(23));

        janitor(1 << 20).expire();

        assertThat(old).doesNotExist();
        assertThat(recent).exists();
    }

    @Test
    void overTheFunctionCapTheOldestLogsGoFirst() throws IOException {
        Path oldest = log("echo", "w-echo-1", 100, Duration.ofMinutes(30));
        Path rotated = Files.write(root.resolve("echo").resolve("w-echo-1.log.0"), new byte[100]);
        Path middle = log("echo", "w-echo-2", 100, Duration.ofMinutes(20));
        Path newest = log("echo", "w-echo-3", 100, Duration.ofMinutes(10));
        Path otherFunction = log("chatty", "w-chatty-1", 100, Duration.ofMinutes(40));

        janitor(250).expire();

        assertThat(oldest).doesNotExist();
        assertThat(rotated).doesNotExist();
        assertThat(middle).exists();
        assertThat(newest).exists();
        assertThat(otherFunction).exists();
    }
}
