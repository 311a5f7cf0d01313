package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {

    @TempDir
    Path dir;

    private Context ctx(Map<String, String> env) {
        return new Context(env, dir, new ByteArrayInputStream(new byte[0]), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
    }

    private Path dataDirWith(String json) throws Exception {
        Path data = Files.createDirectories(dir.resolve(".hearth"));
        Files.writeString(data.resolve("client.json"), json);
        return data;
    }

    @Test
    void optionsWinOverEverything() throws Exception {
        Path data = dataDirWith("{\"url\":\"http://file:1\",\"apiKey\":\"file-key\"}");

        Credentials c = Credentials.resolve("http://option:3", "option-key",
                ctx(Map.of("HEARTH_URL", "http://env:2", "HEARTH_API_KEY", "env-key")), data);

        assertThat(c).isEqualTo(new Credentials(URI.create("http://option:3"), "option-key"));
    }

    @Test
    void theEnvironmentWinsOverTheFile() throws Exception {
        Path data = dataDirWith("{\"url\":\"http://file:1\",\"apiKey\":\"file-key\"}");

        Credentials c = Credentials.resolve(null, null,
                ctx(Map.of("HEARTH_URL", "http://env:2", "HEARTH_API_KEY", "env-key")), data);

        assertThat(c).isEqualTo(new Credentials(URI.create("http://env:2"), "env-key"));
    }

    @Test
    void theFileWinsOverTheDefault() throws Exception {
        Path data = dataDirWith("{\"url\":\"http://file:1\",\"apiKey\":\"file-key\"}");

        assertThat(Credentials.resolve(null, null, ctx(Map.of()), data))
                .isEqualTo(new Credentials(URI.create("http://file:1"), "file-key"));
    }

    @Test
    void withNothingTheDefaultUrlAndNoKey() {
        Credentials c = Credentials.resolve(null, null, ctx(Map.of()), dir.resolve(".hearth"));

        assertThat(c).isEqualTo(new Credentials(URI.create("http://127.0.0.1:8420"), null));
    }

    @Test
    void urlAndKeyResolveIndependently() throws Exception {
        Path data = dataDirWith("{\"url\":\"http://file:1\",\"apiKey\":\"file-key\"}");

        assertThat(Credentials.resolve(null, "option-key", ctx(Map.of()), data))
                .isEqualTo(new Credentials(URI.create("http://file:1"), "option-key"));
        assertThat(Credentials.resolve("http://file:1/", null, ctx(Map.of()), data))
                .isEqualTo(new Credentials(URI.create("http://file:1/"), "file-key"));
    }

    @Test
    void theFilesKeyIsNeverSentToAnotherServer() throws Exception {
        Path data = dataDirWith("{\"url\":\"http://file:1\",\"apiKey\":\"file-key\"}");

        assertThat(Credentials.resolve("http://elsewhere:9", null, ctx(Map.of()), data).apiKey()).isNull();
        assertThat(Credentials.resolve(null, null, ctx(Map.of("HEARTH_URL", "http://elsewhere:9")), data).apiKey())
                .isNull();
    }

    @Test
    void aHostWithoutSchemeMeansHttp() {
        assertThat(Credentials.resolve("gpu-box:8420", "k", ctx(Map.of()), dir).url())
                .isEqualTo(URI.create("http://gpu-box:8420"));
    }

    @Test
    void blankValuesCountAsUnset() throws Exception {
        Path data = dataDirWith("{\"url\":\"http://file:1\",\"apiKey\":\"file-key\"}");

        assertThat(Credentials.resolve(" ", "", ctx(Map.of("HEARTH_URL", "", "HEARTH_API_KEY", " ")), data))
                .isEqualTo(new Credentials(URI.create("http://file:1"), "file-key"));
    }
}
