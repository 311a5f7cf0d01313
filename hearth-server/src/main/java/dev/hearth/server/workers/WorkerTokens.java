package dev.hearth.server.workers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Worker tokens derived from the worker id with a key of the data dir ({@code worker-token.key}, owner-only): the same
 * after a restart, so that a control plane can adopt the workers it left running in a cluster.
 */
public final class WorkerTokens {

    private final byte[] key;

    private WorkerTokens(byte[] key) {
        this.key = key;
    }

    /** The data dir's key, made at first use. */
    public static WorkerTokens load(Path dataDir) {
        Path file = dataDir.resolve("worker-token.key");
        try {
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                Path tmp = Files.createTempFile(dataDir, "worker-token", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(tmp, key, StandardOpenOption.TRUNCATE_EXISTING);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return new WorkerTokens(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the worker token key in " + file, e);
        }
    }

    /** HMAC-SHA256 of the worker id: 64 hex digits. */
    public String of(String workerId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(workerId.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
