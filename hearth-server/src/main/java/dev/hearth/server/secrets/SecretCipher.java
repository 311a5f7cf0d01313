package dev.hearth.server.secrets;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secret values with AES-256-GCM (the JDK's own provider). Each sealing draws a fresh 96-bit nonce, and the
 * secret's name is authenticated with it, so a sealed value copied to another name in the database does not open.
 * The sealed form is base64 of nonce, ciphertext and tag.
 */
public final class SecretCipher {

    /** The variable an operator sets to bring their own key (base64 of 32 bytes), e.g. from a secrets manager. */
    public static final String KEY_VARIABLE = "HEARTH_SECRET_KEY";
    static final String KEY_FILE = "secret.key";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> VALUES = new TypeReference<>() {
    };

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private SecretCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * The configured key, else the one in {@code <dataDir>/secret.key}, generated there (mode 0600) at first start.
     *
     * @param configured base64 of 32 bytes, or null
     * @throws IllegalArgumentException when a key is not 32 bytes of base64
     */
    public static SecretCipher load(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            return new SecretCipher(decode(configured.strip(), "$" + KEY_VARIABLE));
        }
        Path file = dataDir.resolve(KEY_FILE);
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[KEY_BYTES];
                new SecureRandom().nextBytes(fresh);
                create(file, Base64.getEncoder().encodeToString(fresh) + "\n");
            }
            return new SecretCipher(decode(Files.readString(file).strip(), file.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret key " + file + ": " + e.getMessage(), e);
        }
    }

    /** Written with mode 0600 from the start; a concurrent first start that won the race keeps its key. */
    private static void create(Path file, String text) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            return;
        }
        Files.writeString(file, text, StandardOpenOption.WRITE);
    }

    private static byte[] decode(String base64, String where) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is not base64; make a key with: openssl rand -base64 32");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException(where + " must be " + KEY_BYTES + " bytes (AES-256), it has "
                    + key.length + "; make a key with: openssl rand -base64 32");
        }
        return key;
    }

    /** Seals the values of the secret {@code name}. */
    String seal(String name, Map<String, String> values) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            byte[] plain = JSON.writeValueAsBytes(new TreeMap<>(values));
            Cipher c = cipher(Cipher.ENCRYPT_MODE, name, nonce);
            byte[] sealed = Arrays.copyOf(nonce, NONCE_BYTES + c.getOutputSize(plain.length));
            c.doFinal(plain, 0, plain.length, sealed, NONCE_BYTES);
            Arrays.fill(plain, (byte) 0);
            return Base64.getEncoder().encodeToString(sealed);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal secret " + name, e);
        }
    }

    /**
     * Opens what {@link #seal} sealed for the same name.
     *
     * @throws IllegalStateException when it does not open: another key sealed it, or it was altered
     */
    Map<String, String> open(String name, String sealed) {
        try {
            byte[] bytes = Base64.getDecoder().decode(sealed);
            Cipher c = cipher(Cipher.DECRYPT_MODE, name, Arrays.copyOf(bytes, NONCE_BYTES));
            byte[] plain = c.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
            Map<String, String> values = JSON.readValue(plain, VALUES);
            Arrays.fill(plain, (byte) 0);
            return values;
        } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
            throw new IllegalStateException("secret '" + name + "' cannot be decrypted with this server's key (was "
                    + "it set under another " + KEY_VARIABLE + " or " + KEY_FILE + "?); set it again with hearth "
                    + "secret set " + name);
        }
    }

    private Cipher cipher(int mode, String name, byte[] nonce) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
        return c;
    }
}
