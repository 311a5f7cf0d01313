package dev.hearth.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxEtcTest {

    @TempDir
    Path host;

    @Test
    void bindsTheCopyAtEtcAndEachDirectoryOntoIt() throws IOException {
        Files.writeString(host.resolve("hosts"), "127.0.0.1 localhost\n");
        Files.createDirectories(host.resolve("ssl/certs"));
        SandboxEtc etc = SandboxEtc.create(host, List.of("hosts", "ssl", "absent"));
        List<String> args = new ArrayList<>();
        etc.addArgs(args);
        assertThat(args).containsExactly("--ro-bind", etc.directory().toString(), "/etc",
                "--ro-bind", host.resolve("ssl").toString(), "/etc/ssl");
        assertThat(Files.readString(etc.directory().resolve("hosts"))).isEqualTo("127.0.0.1 localhost\n");
        assertThat(etc.directory().resolve("ssl")).isEmptyDirectory();
        assertThat(etc.directory().resolve("absent")).doesNotExist();
    }

    @Test
    void aFileChangedOnTheHostIsCopiedAgainBeforeTheNextStart() throws IOException {
        Path resolv = Files.writeString(host.resolve("resolv.conf"), "nameserver 10.0.0.1\n");
        Files.setLastModifiedTime(resolv, FileTime.fromMillis(1_000_000));
        SandboxEtc etc = SandboxEtc.create(host, List.of("resolv.conf"));
        Files.writeString(resolv, "nameserver 10.0.0.2\n"); // same size: the modification time tells
        etc.addArgs(new ArrayList<>());
        assertThat(Files.readString(etc.directory().resolve("resolv.conf"))).isEqualTo("nameserver 10.0.0.2\n");
    }

    @Test
    void aFileRemovedFromTheHostIsRemovedFromTheCopy() throws IOException {
        Path gai = Files.writeString(host.resolve("gai.conf"), "x\n");
        SandboxEtc etc = SandboxEtc.create(host, List.of("gai.conf"));
        Files.delete(gai);
        etc.addArgs(new ArrayList<>());
        assertThat(etc.directory().resolve("gai.conf")).doesNotExist();
    }
}
