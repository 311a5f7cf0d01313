package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hearth secret set|ls|rm} and {@code hearth restart} against a real server. */
class SecretCommandsTest {

    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("none");

    @Test
    void secretsAreSetFromPairsAndEnvFilesListedWithoutValuesAndRemoved() throws IOException {
        Path env = hearth.dir().resolve("aws.env");
        Files.writeString(env, "# credentials\nexport AWS_ACCESS_KEY_ID=AKIA_FROM_FILE\n"
                + "AWS_SECRET_ACCESS_KEY=\"quoted secret value\"\n\nAWS_REGION=eu-west-1\n");

        assertThat(hearth.ok("secret", "set", "hf-token", "HF_TOKEN=hf_cli_value").out().strip())
                .isEqualTo("set secret hf-token (HF_TOKEN)");
        assertThat(hearth.ok("secret", "set", "aws", "--from-env-file", env.toString(), "AWS_REGION=us-east-1")
                .out().strip()).isEqualTo("set secret aws (AWS_ACCESS_KEY_ID, AWS_REGION, AWS_SECRET_ACCESS_KEY)");

        String listed = hearth.ok("secret", "ls").out();
        assertThat(listed).contains("NAME").contains("KEYS").containsPattern("hf-token\\s+HF_TOKEN")
                .contains("AWS_ACCESS_KEY_ID, AWS_REGION, AWS_SECRET_ACCESS_KEY")
                .doesNotContain("hf_cli_value").doesNotContain("AKIA_FROM_FILE").doesNotContain("quoted");

        assertThat(hearth.ok("secret", "rm", "aws").out().strip()).isEqualTo("removed secret aws");
        assertThat(hearth.ok("secret", "ls").out()).doesNotContain("aws");
    }

    @Test
    void badSecretCommandsSayWhatToFix() {
        Cli.Result noPairs = hearth.run("secret", "set", "empty");
        assertThat(noPairs.code()).isNotZero();
        assertThat(noPairs.err()).contains("KEY=VALUE");
        Cli.Result notAPair = hearth.run("secret", "set", "x", "JUSTAKEY");
        assertThat(notAPair.err()).contains("'JUSTAKEY' is not KEY=VALUE");
        Cli.Result unknown = hearth.run("secret", "rm", "nothing-here");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no secret 'nothing-here'");
    }

    @Test
    void lsShowsACrashLoopAndRestartEndsIt() throws IOException {
        Path dir = Files.createDirectories(hearth.dir().resolve("crashes"));
        Files.writeString(dir.resolve("handler.py"), "raise RuntimeError('no weights here')\n");
        Files.writeString(dir.resolve("hearth.yaml"), "name: crashes\nhandler: handler.py:handler\n");
        hearth.ok("deploy", dir.resolve("hearth.yaml").toString());
        hearth.run("run", "crashes", "--async");

        await().atMost(Duration.ofSeconds(60)).until(() -> hearth.ok("ls").out().contains("crash looping"));
        assertThat(hearth.ok("ls").out()).contains("crashes: version 1 of crashes is crash looping")
                .contains("no weights here");

        assertThat(hearth.ok("restart", "crashes").out().strip())
                .isEqualTo("restarted crashes: ended the crash loop of version 1");
        assertThat(hearth.ok("ls").out()).doesNotContain("crash looping");
    }
}
