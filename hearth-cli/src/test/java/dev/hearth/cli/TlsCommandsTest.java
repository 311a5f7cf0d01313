package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.runtime.local.Bubblewrap;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import dev.hearth.server.http.HttpEdge;
import dev.hearth.server.workers.SandboxSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Client commands against an https server with a self-signed certificate: trusted with --ca-file or HEARTH_CA_FILE. */
class TlsCommandsTest {

    private static final Path ECHO = Path.of("..", "examples", "echo", "hearth.yaml").toAbsolutePath().normalize();
    private static Path dir;
    private static HearthServer server;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("hearth-cli-tls-test");
        run(dir, "keytool", "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "hearth",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", "ks.p12", "-storetype", "PKCS12", "-storepass", "changeit");
        run(dir, "openssl", "pkcs12", "-in", "ks.p12", "-passin", "pass:changeit", "-nokeys", "-out", "cert.pem");
        run(dir, "openssl", "pkcs12", "-in", "ks.p12", "-passin", "pass:changeit", "-nocerts", "-nodes",
                "-out", "key.pem");
        // the certificate is public, and sandboxed workers (nobody under a root server) read it as their CA file
        Files.setPosixFilePermissions(dir.resolve("cert.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        server = HearthServer.start(ServerConfig.builder().host("127.0.0.1").port(0).dataDir(dir.resolve(".hearth"))
                .gpus("none").apiKey("tls-key")
                .sandbox(SandboxSettings.DEFAULT.withUnsafeNoSandbox(!Bubblewrap.onHost()))
                .tls(new HttpEdge.Tls(dir.resolve("cert.pem"), dir.resolve("key.pem"))).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void withTheCaFileCommandsWorkOverHttps() {
        Cli cli = new Cli(Map.of("HEARTH_URL", server.url().toString(), "HEARTH_API_KEY", "tls-key"), dir);
        String ca = dir.resolve("cert.pem").toString();
        assertThat(cli.run("deploy", ECHO.toString(), "--ca-file", ca).code()).isZero();
        assertThat(cli.run("run", "echo", "--input", "{\"k\":\"tls\"}", "--ca-file", ca).out()).contains("tls");
    }

    @Test
    void hearthCaFileInTheEnvironmentDoesTheSame() {
        Cli cli = new Cli(Map.of("HEARTH_URL", server.url().toString(), "HEARTH_API_KEY", "tls-key",
                "HEARTH_CA_FILE", dir.resolve("cert.pem").toString()), dir);
        assertThat(cli.run("ls").code()).isZero();
    }

    @Test
    void withoutItTheCertificateIsNotTrusted() {
        Cli cli = new Cli(Map.of("HEARTH_URL", server.url().toString(), "HEARTH_API_KEY", "tls-key"), dir);
        assertThat(cli.run("ls").code()).isNotZero();
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
