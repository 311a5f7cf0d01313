package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The volumes API: volumes by name, their files by path, with bounded uploads that cannot leave the volume. */
class VolumeApiTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions().configured(b -> b.volumeMaxUpload(1 << 20));

    private static TestServer.Response put(String path, byte[] body) {
        return hearth.send(HttpRequest.newBuilder(hearth.url().resolve(path))
                .header("Authorization", "Bearer " + TestServer.KEY)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static void create(String name) {
        assertThat(hearth.post("/v1/volumes", "{\"name\":\"" + name + "\"}").status()).isEqualTo(201);
    }

    @Test
    void aCreatedVolumeIsListedAndLivesUnderTheDataDir() {
        create("listed");

        JsonNode list = hearth.get("/v1/volumes").json().get("volumes");

        assertThat(list.findValuesAsText("name")).contains("listed");
        assertThat(hearth.dataDir().resolve("volumes").resolve("listed")).isDirectory();
        assertThat(hearth.post("/v1/volumes", "{\"name\":\"listed\"}").status()).isEqualTo(409);
    }

    @Test
    void filesArePutListedWithTheirSizesGotBackAndRemoved() {
        create("files");

        assertThat(put("/v1/volumes/files/files/model/weights.bin", new byte[1000]).status()).isEqualTo(201);
        assertThat(put("/v1/volumes/files/files/config.json", "{\"layers\":2}".getBytes()).status()).isEqualTo(201);
        JsonNode files = hearth.get("/v1/volumes/files/files").json().get("files");
        TestServer.Response got = hearth.get("/v1/volumes/files/files/config.json");
        JsonNode volume = hearth.get("/v1/volumes/files").json();

        assertThat(files.findValuesAsText("path")).containsExactly("config.json", "model/weights.bin");
        assertThat(files.get(1).get("size").asLong()).isEqualTo(1000);
        assertThat(got.body()).isEqualTo("{\"layers\":2}");
        assertThat(volume.get("files").asInt()).isEqualTo(2);
        assertThat(volume.get("bytes").asLong()).isEqualTo(1012);
        assertThat(hearth.get("/v1/volumes/files/files?prefix=model").json().get("files").findValuesAsText("path"))
                .containsExactly("model/weights.bin");

        assertThat(hearth.delete("/v1/volumes/files/files/model").status()).isEqualTo(200);
        assertThat(hearth.get("/v1/volumes/files/files/model/weights.bin").status()).isEqualTo(404);
    }

    @Test
    void aPutReplacesTheFileThatWasThere() {
        create("replace");
        put("/v1/volumes/replace/files/a.txt", "old".getBytes());

        put("/v1/volumes/replace/files/a.txt", "new!".getBytes());

        assertThat(hearth.get("/v1/volumes/replace/files/a.txt").body()).isEqualTo("new!");
    }

    @Test
    void aPathOutsideTheVolumeIsABadRequestNamingIt() {
        create("guarded");

        TestServer.Response up = put("/v1/volumes/guarded/files/%2E%2E/%2E%2E/escaped", "x".getBytes());
        TestServer.Response down = hearth.get("/v1/volumes/guarded/files/..%2F..%2Fhearth.db");

        assertThat(up.status()).isEqualTo(400);
        assertThat(up.contentType()).startsWith("application/problem+json");
        assertThat(up.json().get("detail").asText()).contains("path '../../escaped'");
        assertThat(down.status()).isEqualTo(400);
        assertThat(down.json().get("detail").asText()).contains("path '../../hearth.db'");
        assertThat(hearth.dataDir().resolve("escaped")).doesNotExist();
    }

    @Test
    void aLinkLeftInAVolumeDoesNotLeadOutOfIt() throws Exception {
        create("linked");
        Path outside = Files.writeString(hearth.dataDir().resolve("outside.txt"), "secret");
        Files.createSymbolicLink(hearth.dataDir().resolve("volumes/linked/peek"), outside);
        Files.createSymbolicLink(hearth.dataDir().resolve("volumes/linked/up"), hearth.dataDir());

        assertThat(hearth.get("/v1/volumes/linked/files/peek").status()).isEqualTo(400);
        assertThat(put("/v1/volumes/linked/files/up/planted.txt", "x".getBytes()).status()).isEqualTo(400);
        assertThat(hearth.get("/v1/volumes/linked/files?prefix=up").status()).isEqualTo(400);
        assertThat(hearth.delete("/v1/volumes/linked/files/up/outside.txt").status()).isEqualTo(400);
        assertThat(hearth.dataDir().resolve("planted.txt")).doesNotExist();
        assertThat(outside).exists();
    }

    @Test
    void badVolumeNamesAreRefusedAndUnknownVolumesAreNotFound() {
        TestServer.Response bad = hearth.post("/v1/volumes", "{\"name\":\"Model_Weights\"}");

        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).contains("'Model_Weights'");
        TestServer.Response missing = hearth.get("/v1/volumes/nope/files");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("detail").asText()).contains("hearth volume create nope");
    }

    @Test
    void anUploadOverTheLimitIsRefusedAndLeavesNothingBehind() {
        create("bounded");
        byte[] big = new byte[(1 << 20) + 1];
        Arrays.fill(big, (byte) 'x');

        TestServer.Response withLength = put("/v1/volumes/bounded/files/big.bin", big);
        // no Content-Length: the server counts while it streams to disk
        TestServer.Response chunked = hearth.send(HttpRequest.newBuilder(
                        hearth.url().resolve("/v1/volumes/bounded/files/big.bin"))
                .header("Authorization", "Bearer " + TestServer.KEY)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));

        assertThat(withLength.status()).isEqualTo(413);
        assertThat(withLength.json().get("detail").asText()).contains("'big.bin' is larger than 1 MiB");
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(hearth.get("/v1/volumes/bounded").json().get("files").asInt()).isZero();
        assertThat(hearth.dataDir().resolve("volumes/.uploads")).isEmptyDirectory();
    }

    @Test
    void aReadKeyListsAndDownloadsButChangesNothing() {
        create("shared");
        put("/v1/volumes/shared/files/a.txt", "a".getBytes());
        String key = hearth.post("/v1/keys", "{\"name\":\"viewer\",\"scope\":\"read\"}").json().get("key")
                .asText();

        TestServer.Response got = hearth.send(HttpRequest.newBuilder(
                        hearth.url().resolve("/v1/volumes/shared/files/a.txt"))
                .header("Authorization", "Bearer " + key).GET());
        TestServer.Response putByReader = hearth.send(HttpRequest.newBuilder(
                        hearth.url().resolve("/v1/volumes/shared/files/b.txt"))
                .header("Authorization", "Bearer " + key).PUT(HttpRequest.BodyPublishers.ofString("b")));

        assertThat(got.body()).isEqualTo("a");
        assertThat(putByReader.status()).isEqualTo(403);
        assertThat(putByReader.json().get("detail").asText()).contains("a key of scope deploy");
    }

    @Test
    void aDeletedVolumeIsGone() {
        create("doomed");
        put("/v1/volumes/doomed/files/a.txt", "a".getBytes());

        assertThat(hearth.delete("/v1/volumes/doomed").status()).isEqualTo(200);
        assertThat(hearth.get("/v1/volumes").json().get("volumes").findValuesAsText("name")).doesNotContain("doomed");
        assertThat(hearth.dataDir().resolve("volumes/doomed")).doesNotExist();
    }
}
