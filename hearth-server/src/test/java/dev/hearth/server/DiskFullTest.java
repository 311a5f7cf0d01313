package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's disk fills up for real: a small tmpfs mounted for each test holds the data dir, and a ballast file takes
 * its last byte (see {@link SmallDisk}; skipped where mounting is not allowed). Submits are refused with 507, jobs
 * already running keep their state, and once the ballast is deleted the server works again without a restart.
 */
class DiskFullTest {

    @TempDir
    Path tmp;

    private SmallDisk disk;
    private TestServer server;

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (disk != null) {
            disk.close();
        }
    }

    /** A server whose data dir is on a fresh 32 MiB file system, with {@code --min-free-disk} as given. */
    private TestServer serverOnSmallDisk(long minFreeDisk, String... fixtures) throws Exception {
        disk = SmallDisk.mount(tmp.resolve("disk"), 32);
        server = TestServer.withFunctions(fixtures)
                .configured(b -> b.dataDir(disk.path().resolve("data")).minFreeDisk(minFreeDisk)).started();
        return server;
    }

    @Test
    void submitsGet507WhileTheDiskIsFullAndAreAcceptedAgainAsSoonAsSpaceIsFreed() throws Exception {
        TestServer s = serverOnSmallDisk(0, "echo");
        assertThat(s.post("/v2/echo/runsync", "{\"input\":{\"warm\":1}}").status()).isEqualTo(200);

        disk.fill();
        TestServer.Response refused = submitUntilRefused(s, "echo");
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("title").asText()).isEqualTo("Insufficient Storage");
        assertThat(refused.json().get("detail").asText()).contains("disk is full").contains("retry once space is freed");
        assertThat(s.get("/healthz").status()).isEqualTo(200);

        disk.free();
        // the very next submit: no restart, no minute of errors while the store finds its feet
        TestServer.Response accepted = s.post("/v2/echo/run", "{\"input\":{\"after\":1}}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        JsonNode done = s.awaitFinal("echo", accepted.json().get("id").asText());
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("after").asInt()).isEqualTo(1);
    }

    @Test
    void aJobRunningWhenTheDiskFillsKeepsItsStateAndCompletesOnceSpaceIsFreed() throws Exception {
        TestServer s = serverOnSmallDisk(0, "sleepy", "echo");
        String id = s.run("sleepy", "{\"seconds\":6}");
        // its lease is in the store (written behind the hand-out), so the disk fills under a running job
        await().atMost(Duration.ofSeconds(30)).until(() -> "IN_PROGRESS".equals(storedState(id)));

        disk.fill();
        submitUntilRefused(s, "echo");
        assertThat(s.status("sleepy", id).get("status").asText()).isEqualTo("IN_PROGRESS");
        assertThat(storedState(id)).isEqualTo("IN_PROGRESS");

        disk.free();
        JsonNode done = s.awaitFinal("sleepy", id);
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("slept").asInt()).isEqualTo(6);
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void belowTheFreeSpaceFloorNewJobsAreRefusedBeforeTheDiskIsFull() throws Exception {
        long floor = 12L << 20;
        TestServer s = serverOnSmallDisk(floor, "echo");
        assertThat(s.post("/v2/echo/runsync", "{\"input\":{\"warm\":1}}").status()).isEqualTo(200);

        disk.fillTo(floor / 2);
        // the free space is read once a second, not per request
        await().atMost(Duration.ofSeconds(10)).until(() -> s.post("/v2/echo/run", "{\"input\":{}}").status() == 507);
        TestServer.Response refused = s.post("/v2/echo/run", "{\"input\":{}}");
        assertThat(refused.json().get("detail").asText()).contains("--min-free-disk").contains("12 MiB");
        assertThat(disk.usableBytes()).isGreaterThan(floor / 4);

        disk.free();
        await().atMost(Duration.ofSeconds(10)).until(() -> s.post("/v2/echo/run", "{\"input\":{}}").status() == 200);
    }

    /**
     * Submits until one is refused: SQLite may still fit a write or two into pages it holds, but no submit may end in
     * anything but acceptance or 507.
     */
    private static TestServer.Response submitUntilRefused(TestServer s, String function) {
        for (int i = 0; i < 200; i++) {
            TestServer.Response r = s.post("/v2/" + function + "/run", "{\"input\":{\"n\":" + i + "}}");
            if (r.status() == 507) {
                return r;
            }
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        throw new AssertionError("200 submits on a full disk were all accepted");
    }

    /** The job's state as the store has it on disk, read by a connection of the test's own. */
    private String storedState(String id) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + disk.path().resolve("data/hearth.db"));
             PreparedStatement ps = c.prepareStatement("SELECT state FROM jobs WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
