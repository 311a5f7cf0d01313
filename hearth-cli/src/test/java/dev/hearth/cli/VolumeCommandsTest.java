package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hearth volume ...} against a real server: files go up and come back byte for byte. */
class VolumeCommandsTest {

    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("none");

    private static Path weightsDir(String name) throws IOException {
        Path dir = Files.createDirectories(hearth.dir().resolve(name).resolve("tokenizer"));
        byte[] weights = new byte[300_000];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) (i * 31);
        }
        Files.write(dir.getParent().resolve("model.bin"), weights);
        Files.writeString(dir.resolve("vocab.txt"), "hello world\n");
        return dir.getParent();
    }

    @Test
    void aDirectoryPutIntoAVolumeIsListedWithSizesAndComesBackTheSame() throws IOException {
        Path local = weightsDir("llama");
        hearth.ok("volume", "create", "llama");

        Cli.Result put = hearth.ok("volume", "put", "llama", "llama", "v1");
        Cli.Result volumes = hearth.ok("volume", "ls");
        Cli.Result files = hearth.ok("volume", "ls", "llama");
        hearth.ok("volume", "get", "llama", "v1", "copy");

        assertThat(put.out()).contains("put v1/model.bin").contains("2 files, 293 KiB into volume llama");
        assertThat(volumes.out().lines()).contains("NAME   FILES  SIZE").anyMatch(l -> l.matches("llama +2 +293 KiB"));
        assertThat(files.out()).contains("v1/model.bin").contains("v1/tokenizer/vocab.txt").contains("12 B");
        assertThat(hearth.ok("volume", "ls", "llama", "v1/tokenizer").out()).doesNotContain("model.bin")
                .contains("v1/tokenizer/vocab.txt");
        assertThat(Files.readAllBytes(hearth.dir().resolve("copy/model.bin")))
                .isEqualTo(Files.readAllBytes(local.resolve("model.bin")));
        assertThat(hearth.dir().resolve("copy/tokenizer/vocab.txt")).hasContent("hello world");
    }

    @Test
    void oneFileGoesToItsNameOrTheGivenPathAndIsGotBackIntoADirectory() throws IOException {
        Path local = weightsDir("single");
        hearth.ok("volume", "create", "single");

        hearth.ok("volume", "put", "single", "single/model.bin");
        hearth.ok("volume", "put", "single", "single/tokenizer/vocab.txt", "tok/vocab-v2.txt");
        Files.createDirectories(hearth.dir().resolve("here"));
        hearth.ok("volume", "get", "single", "tok/vocab-v2.txt", "here");

        assertThat(hearth.ok("volume", "ls", "single").out()).contains("model.bin").contains("tok/vocab-v2.txt");
        assertThat(hearth.dir().resolve("here/vocab-v2.txt")).hasSameBinaryContentAs(local.resolve("tokenizer/vocab.txt"));
    }

    @Test
    void rmRemovesAFileOrTheWholeVolume() throws IOException {
        weightsDir("gone");
        hearth.ok("volume", "create", "gone");
        hearth.ok("volume", "put", "gone", "gone");

        hearth.ok("volume", "rm", "gone", "tokenizer");
        assertThat(hearth.ok("volume", "ls", "gone").out()).contains("model.bin").doesNotContain("vocab.txt");
        hearth.ok("volume", "rm", "gone");

        assertThat(hearth.ok("volume", "ls").out()).doesNotContain("gone");
    }

    @Test
    void anUnknownVolumeIsAFailureThatSaysHowToCreateIt() {
        Cli.Result r = hearth.run("volume", "get", "missing", "model.bin");

        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).contains("volume 'missing' does not exist; create it with `hearth volume create missing`");
    }
}
