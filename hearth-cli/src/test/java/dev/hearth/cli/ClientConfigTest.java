package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientConfigTest {

    @TempDir
    Path dir;

    @Test
    void aStartWithAKeyWritesUrlAndKeyReadableOnlyByTheOwner() throws Exception {
        Path data = dir.resolve("data");

        ClientConfig.recordStart(data, URI.create("http://127.0.0.1:8420"), "hk_secret");

        Path file = data.resolve("client.json");
        assertThat(ClientConfig.read(file)).isEqualTo(new ClientConfig(URI.create("http://127.0.0.1:8420"),
                "hk_secret"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(data.resolve("client.json.tmp")).doesNotExist();
    }

    @Test
    void aStartWithoutAKnownKeyUpdatesOnlyTheUrl() throws Exception {
        ClientConfig.recordStart(dir, URI.create("http://127.0.0.1:8420"), "hk_secret");
        Path file = dir.resolve("client.json");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        ClientConfig.recordStart(dir, URI.create("http://127.0.0.1:9000"), null);

        assertThat(ClientConfig.read(file)).isEqualTo(new ClientConfig(URI.create("http://127.0.0.1:9000"),
                "hk_secret"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aNewKeyReplacesTheOldOne() {
        ClientConfig.recordStart(dir, URI.create("http://a:1"), "old");
        ClientConfig.recordStart(dir, URI.create("http://a:1"), "new");

        assertThat(ClientConfig.read(dir.resolve("client.json")).apiKey()).isEqualTo("new");
    }

    @Test
    void noFileIsAnEmptyConfig() {
        assertThat(ClientConfig.read(dir.resolve("client.json"))).isEqualTo(new ClientConfig(null, null));
    }

    @Test
    void aStartWithoutKeyAndWithoutFileWritesOnlyTheUrl() {
        ClientConfig.recordStart(dir, URI.create("http://a:1"), null);

        assertThat(ClientConfig.read(dir.resolve("client.json"))).isEqualTo(new ClientConfig(URI.create("http://a:1"),
                null));
    }

    @Test
    void aCorruptFileIsAClearUsageError() throws Exception {
        Files.writeString(dir.resolve("client.json"), "{not json");

        assertThatThrownBy(() -> ClientConfig.read(dir.resolve("client.json")))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("client.json is not readable");
    }
}
