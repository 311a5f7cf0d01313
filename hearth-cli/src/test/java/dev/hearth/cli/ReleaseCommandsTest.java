package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hearth deploy --canary}, {@code versions}, {@code promote} and {@code rollback} against a real server. */
class ReleaseCommandsTest {

    private static final Path ECHO = Path.of("..", "examples", "echo", "hearth.yaml").toAbsolutePath().normalize();


    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("none");

    @Test
    void aCanaryIsDeployedListedPromotedAndRolledBack() {
        hearth.ok("deploy", ECHO.toString());
        assertThat(hearth.ok("deploy", ECHO.toString(), "--canary", "10%").out())
                .startsWith("deployed echo version 2 as a canary for 10% of new jobs");

        String versions = hearth.ok("versions", "echo").out();
        assertThat(versions).contains("VERSION").containsPattern("2\\s+canary 10%").containsPattern("1\\s+active");

        assertThat(hearth.ok("promote", "echo").out().strip()).isEqualTo("echo: version 2 is active for every new job");
        assertThat(hearth.ok("rollback", "echo").out().strip()).isEqualTo("echo: version 1 is active (was version 2)");
        assertThat(hearth.ok("rollback", "echo", "2").out().strip()).isEqualTo("echo: version 2 is active (was version 1)");

        hearth.ok("deploy", ECHO.toString(), "--canary", "25");
        assertThat(hearth.ok("rollback", "echo").out().strip())
                .isEqualTo("echo: version 2 is active (canary version 3 cancelled)");
    }

    @Test
    void workersShowsTheOldVersionsWorkerAsDrainingWhileItFinishesItsJob() throws Exception {
        Path fn = hearth.deploy("waiter", "scaling:\n  idleTimeout: 30s\n", CliServer.WAITS_FOR_GO);
        Path go = hearth.goFile();
        String id = hearth.ok("run", "waiter", "--async", "-i", "{\"go\":\"" + go + "\"}").out().strip();
        await().atMost(Duration.ofSeconds(60)).until(() -> hearth.ok("status", id).out().contains("IN_PROGRESS"));

        Files.writeString(fn.resolve("handler.py"), Files.readString(fn.resolve("handler.py")) + "\n# v2\n");
        hearth.ok("deploy", fn.toString());

        assertThat(hearth.ok("workers", "waiter").out()).containsPattern("waiter\\s+1\\s+DRAINING");
        Files.createFile(go);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                !hearth.ok("workers", "waiter").out().contains("DRAINING"));
        hearth.ok("delete", "waiter");
    }

    @Test
    void badReleaseCommandsSayWhatToFix() {
        Cli.Result share = hearth.run("deploy", ECHO.toString(), "--canary", "half");
        assertThat(share.code()).isEqualTo(1);
        assertThat(share.err()).contains("whole percent from 1 to 99");
        Cli.Result nothing = hearth.run("promote", "nothing");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("'nothing' is not deployed");
    }
}
