package dev.hearth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import dev.hearth.server.http.HttpEdge;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server started with a certificate and key speaks HTTPS only: the SDK reaches it when told the CA file, and its
 * Python workers, which get the self-signed certificate as their HEARTH_CA_FILE, take and finish jobs over it.
 */
class TlsTest {

    private static Path dir;
    private static HearthServer server;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("hearth-tls-test");
        selfSigned(dir);
        server = HearthServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
                .dataDir(dir.resolve("data")).gpus("none").apiKey("tls-key").sandbox(ControlPlane.sandbox(List.of()))
                .workerGrace(Duration.ofSeconds(5)).pingInterval(Duration.ofMillis(500))
                .tls(new HttpEdge.Tls(dir.resolve("cert.pem"), dir.resolve("key.pem"))).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theServerSpeaksHttpsAndItsWorkersFinishJobsOverIt() throws IOException {
        assertThat(server.url().getScheme()).isEqualTo("https");
        Path fn = Files.createDirectories(dir.resolve("echo"));
        Files.writeString(fn.resolve("hearth.yaml"), "name: echo\nhandler: handler.py:handler\n");
        Files.writeString(fn.resolve("handler.py"), "def handler(job): return job['input']\n");
        try (Hearth hearth = Hearth.connect(server.url(), "tls-key", dir.resolve("cert.pem"))) {
            hearth.deploy(fn.resolve("hearth.yaml"));
            JobStatus s = hearth.function("echo").runSync(Map.of("over", "tls"), Duration.ofSeconds(60));
            assertThat(s.status()).isEqualTo(JobState.COMPLETED);
            assertThat(s.output().toString()).contains("tls");
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() {
        try (Hearth hearth = Hearth.connect(server.url(), "tls-key")) {
            assertThatThrownBy(hearth::functions).isInstanceOf(HearthConnectionException.class);
        }
    }

    @Test
    void theCaFileIsReadFromTheEnvironment() {
        try (Hearth hearth = Hearth.fromEnvironment(Map.of("HEARTH_URL", server.url().toString(),
                "HEARTH_API_KEY", "tls-key", "HEARTH_CA_FILE", dir.resolve("cert.pem").toString()))) {
            assertThat(hearth.functions()).isNotNull();
        }
    }

    /** A self-signed certificate for 127.0.0.1 as cert.pem and its key as key.pem, made by keytool and openssl. */
    static void selfSigned(Path dir) throws Exception {
        run(dir, "keytool", "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "hearth",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", "ks.p12", "-storetype", "PKCS12", "-storepass", "changeit");
        run(dir, "openssl", "pkcs12", "-in", "ks.p12", "-passin", "pass:changeit", "-nokeys", "-out", "cert.pem");
        run(dir, "openssl", "pkcs12", "-in", "ks.p12", "-passin", "pass:changeit", "-nocerts", "-nodes",
                "-out", "key.pem");
        // the certificate is public, and sandboxed workers (nobody under a root server) read it as their CA file
        Files.setPosixFilePermissions(dir.resolve("cert.pem"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
