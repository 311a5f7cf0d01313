package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hearth status --timeline} and {@code hearth logs --job / --follow} against a real in-process server. */
class ObservabilityCommandsTest {


    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("none");

    @BeforeAll
    static void start() throws Exception {
        Path fn = Files.createDirectories(hearth.dir().resolve("talker"));
        Files.writeString(fn.resolve("hearth.yaml"), "name: talker\nhandler: handler.py:handler\n"
                + "scaling:\n  idleTimeout: 60s\n");
        Files.writeString(fn.resolve("handler.py"), """
                import time
                def handler(job):
                    for line in job["input"]["say"]:
                        print(line)
                        time.sleep(job["input"].get("pause", 0))
                    return len(job["input"]["say"])
                """);
        hearth.ok("deploy", fn.toString());
    }

    @Test
    void statusTimelineIsATableOfStepsWithOffsets() {
        String id = hearth.ok("run", "talker", "--async", "-i", "{\"say\":[\"hi\"]}").out().strip();
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.ok("status", id).out().contains("COMPLETED"));

        String table = hearth.ok("status", id, "--timeline").out();

        assertThat(table).containsPattern("^job " + id + " \\(talker v1\\): COMPLETED, 1 attempt; \\d+ ms in the queue\n");
        assertThat(table).contains("OFFSET", "EVENT", "WORKER").contains("+0 ms  queued");
        assertThat(table).containsPattern("\\+\\d+ ms  leased +1 +w-talker-\\S+ +local +(cold start|warm worker)");
        assertThat(table).containsPattern("\\+\\d+ ms  completed");
    }

    @Test
    void statusTimelineShowsARunLostToANodeDrainAsARequeueAndASecondAttempt() throws Exception {
        hearth.deploy("waiter", "retries: 0\n", CliServer.WAITS_FOR_GO);
        Path go = hearth.goFile();
        String id = hearth.ok("run", "waiter", "--async", "-i", "{\"go\":\"" + go + "\"}").out().strip();
        await().atMost(Duration.ofSeconds(60)).until(() -> hearth.ok("status", id).out().contains("IN_PROGRESS"));

        hearth.ok("node", "drain", "local", "--grace", "1s");
        await().atMost(Duration.ofSeconds(60)).until(() -> hearth.ok("status", id).out().contains("IN_QUEUE"));
        hearth.ok("node", "undrain", "local");
        await().atMost(Duration.ofSeconds(60)).until(() -> hearth.ok("status", id).out().contains("IN_PROGRESS"));
        Files.createFile(go);
        await().atMost(Duration.ofSeconds(60)).until(() -> hearth.ok("status", id).out().contains("COMPLETED"));

        String table = hearth.ok("status", id, "--timeline").out();

        assertThat(table).containsPattern("^job " + id + " \\(waiter v1\\): COMPLETED, 2 attempts, 1 requeue; \\d+ ms "
                + "in the queue, \\d+ ms in runs lost to requeues\n");
        assertThat(table).containsPattern("requeued +1 +w-waiter-\\S+ +local +lost a run of \\d+ ms, not counted "
                + "against retries, node local was drained");
        assertThat(table).containsPattern("leased +2 +w-waiter-\\S+ +local +cold start, .*waited \\d+ ms");
        assertThat(table).containsPattern("completed +2 ");
    }

    @Test
    void statusTimelineShowsAHandlerErrorAsItsTypeAndMessageWithoutTheTraceback() throws Exception {
        hearth.deploy("breaks", "retries: 0\n", "def handler(job):\n    raise ValueError('boom')\n");
        String id = hearth.ok("run", "breaks", "--async").out().strip();
        await().atMost(Duration.ofSeconds(60)).until(() -> hearth.ok("status", id).out().contains("FAILED"));

        String table = hearth.ok("status", id, "--timeline").out();

        assertThat(table).containsPattern("failed +1 +w-breaks-\\S+ +local +ValueError: boom\n")
                .doesNotContain("Traceback");
    }

    @Test
    void logsOfAJobAreOnlyItsLines() {
        String first = hearth.ok("run", "talker", "--async", "-i", "{\"say\":[\"one\",\"two\"]}").out().strip();
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.ok("status", first).out().contains("COMPLETED"));
        hearth.ok("run", "talker", "-i", "{\"say\":[\"three\"]}");

        assertThat(hearth.ok("logs", "--job", first).out()).isEqualTo("one\ntwo\n");
    }

    @Test
    void logsFollowOfAJobPrintsLinesAsTheyComeAndEndsWithTheJob() {
        String id = hearth.ok("run", "talker", "--async", "-i", "{\"say\":[\"a\",\"b\",\"c\"],\"pause\":0.5}").out().strip();

        Cli.Result r = hearth.ok("logs", "--job", id, "--follow");

        assertThat(r.out()).isEqualTo("a\nb\nc\n");
    }

    @Test
    void logsFollowOfAFunctionKeepsPrintingNewLines() throws Exception {
        hearth.ok("run", "talker", "-i", "{\"say\":[\"before\"]}");
        StringWriter out = new StringWriter();
        Context ctx = new Context(Map.of(), hearth.dir(), new java.io.ByteArrayInputStream(new byte[0]),
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        Thread follower = Thread.ofVirtual().start(() -> Main.execute(ctx, "logs", "talker", "--follow"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains("] before"));
            hearth.ok("run", "talker", "-i", "{\"say\":[\"after\"]}");
            await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains("] after"));
            assertThat(out.toString().split("\n")).filteredOn(l -> l.endsWith("] after")).hasSize(1);
        } finally {
            follower.interrupt();
            follower.join(10_000);
        }
    }

    @Test
    void logsNeedsAFunctionOrAJobButNotBoth() {
        assertThat(hearth.run("logs").err()).contains("name a FUNCTION, or a job with --job");
        assertThat(hearth.run("logs", "talker", "--job", "x").err()).contains("not both");
    }
}
