package dev.hearth.server;

import static dev.hearth.server.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.functions.BundleLimits;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile code bundles are refused with a problem+json 4xx, nothing of them is left on disk, and deploys go on. */
class BundleLimitsTest {

    static final String MANIFEST = "name: hostile\nhandler: handler.py:handler\n";

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions()
            .configured(b -> b.bundleLimits(new BundleLimits(1 << 20, 20)));

    @AfterEach
    void nothingHalfUnpackedIsLeftAndDeploysStillWork() throws IOException {
        try (Stream<Path> left = Files.list(hearth.dataDir().resolve("bundles"))) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith(".unpack-"))).isEmpty();
        }
        assertThat(hearth.deploy("echo").status()).isEqualTo(201);
    }

    static CraftedZip withManifest() {
        return new CraftedZip().stored("hearth.yaml", MANIFEST).stored("handler.py", "def handler(job): return 1\n");
    }

    static TestServer.Response upload(byte[] zip) {
        return hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/functions"))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip)));
    }

    @Test
    void anEntryThatExpandsToFourGibibytesStopsAtTheCapWith413() {
        byte[] zip = withManifest().zeros("weights.bin", 4).bytes();

        assertThat(zip.length).isLessThan(8 << 20);
        assertProblem(upload(zip), 413, "more than 1 MiB");
    }

    @Test
    void moreEntriesThanTheCapAre413() {
        CraftedZip zip = withManifest();
        for (int i = 0; i < 20; i++) {
            zip.stored("f" + i + ".py", "");
        }
        assertProblem(upload(zip.bytes()), 413, "more than 20 entries");
    }

    @Test
    void theSameNameTwiceIs400() {
        assertProblem(upload(withManifest().stored("handler.py", "def handler(job): return 2\n").bytes()), 400,
                "'handler.py' twice");
    }

    @Test
    void aNulInAnEntryNameIs400() {
        assertProblem(upload(withManifest().stored("evil\0.py", "").bytes()), 400, "NUL");
    }

    @Test
    void anEntryOutsideTheBundleIs400() {
        assertProblem(upload(withManifest().stored("../../escaped.py", "").bytes()), 400,
                "outside its directory: '../../escaped.py'");
        assertThat(hearth.dataDir().resolve("escaped.py")).doesNotExist();
    }

    @Test
    void anAbsoluteEntryNameIs400() {
        assertProblem(upload(withManifest().stored("/tmp/escaped.py", "").bytes()), 400, "outside its directory");
    }

    @Test
    void anEntryNameThatIsNotUtf8Is400() {
        byte[] name = {'b', 'a', 'd', (byte) 0xC3, (byte) 0x28, '.', 'p', 'y'};
        assertProblem(upload(withManifest().stored(name, new byte[0]).bytes()), 400, "not a valid zip");
    }

    @Test
    void aFileAndADirectoryOfTheSameNameAre400() {
        assertProblem(upload(withManifest().stored("lib", "x").stored("lib/mod.py", "").bytes()), 400,
                "'lib/mod.py' cannot be unpacked");
    }

    @Test
    void aManifestThatIsNotUtf8Is400() {
        byte[] yaml = "name: caf\u00e9\nhandler: handler.py:handler\n".getBytes(StandardCharsets.ISO_8859_1);
        assertProblem(upload(new CraftedZip().stored("hearth.yaml".getBytes(StandardCharsets.UTF_8), yaml)
                .stored("handler.py", "def handler(job): return 1\n").bytes()), 400, "UTF-8");
    }
}
